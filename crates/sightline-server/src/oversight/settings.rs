//! An agency's oversight settings as the API and the CLI read and write
//! them, their validation, and the cache of their compiled form.

use serde::{Deserialize, Serialize};
use sightline_core::AgencyId;
use sightline_core::Violation;
use sightline_core::oversight::{CaseReferenceRule, DEFAULT_VAGUE_PHRASES};
use sightline_store::Store;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;

/// A case-reference rule as a manager sets it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseReferencePolicy {
    /// A regular expression the case reference must contain a match of
    /// (anchor it with `^…$` to require the whole text). Never shown to
    /// users; they see `example`.
    #[serde(default)]
    pub pattern: Option<String>,
    /// A case reference the rule accepts, shown to users (required with a pattern).
    #[serde(default)]
    pub example: Option<String>,
    /// The fewest characters accepted (0-200).
    #[serde(default)]
    pub min_length: usize,
    /// Phrases refused as the whole case reference, compared without case
    /// and surrounding punctuation; absent: Sightline's default list.
    #[serde(default)]
    pub vague_phrases: Option<Vec<String>>,
}

/// The agency's rule and its programs' own (a program's replaces the agency's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseReferencePolicies {
    #[serde(default)]
    pub agency: Option<CaseReferencePolicy>,
    /// By program name (`HSI`, `ERO`).
    #[serde(default)]
    pub programs: BTreeMap<String, CaseReferencePolicy>,
}

/// The random review sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sampling {
    #[serde(default)]
    pub enabled: bool,
    /// The share of queries drawn, in percent (0-100; default 5).
    #[serde(default = "five")]
    pub share_percent: f64,
}

fn five() -> f64 {
    5.0
}

impl Default for Sampling {
    fn default() -> Self {
        Self {
            enabled: false,
            share_percent: 5.0,
        }
    }
}

/// `daily_volume`: a user's count today above a multiple of their own median.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DailyVolume {
    pub enabled: bool,
    pub multiple: f64,
    /// Active days in the last 30 needed before the rule judges anyone.
    pub min_history_days: usize,
    /// Queries today below this never fire, whatever the median.
    pub min_count: i64,
}

impl Default for DailyVolume {
    fn default() -> Self {
        Self {
            enabled: false,
            multiple: 3.0,
            min_history_days: 10,
            min_count: 10,
        }
    }
}

/// `case_spread`: many distinct plates under one case reference, quickly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CaseSpread {
    pub enabled: bool,
    pub plates: i64,
    pub window_minutes: i64,
}

impl Default for CaseSpread {
    fn default() -> Self {
        Self {
            enabled: false,
            plates: 10,
            window_minutes: 60,
        }
    }
}

/// `off_hours`: outside the hours the user's own history shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OffHours {
    pub enabled: bool,
    /// Queries of history (in the lookback) needed before the rule judges anyone.
    pub min_history: i64,
    /// The hour and its neighbours held under this share of the history.
    pub min_share_percent: f64,
    pub lookback_days: i64,
}

impl Default for OffHours {
    fn default() -> Self {
        Self {
            enabled: false,
            min_history: 50,
            min_share_percent: 2.0,
            lookback_days: 90,
        }
    }
}

/// `repeat_no_hit`: one plate queried again and again, never found, for weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RepeatNoHit {
    pub enabled: bool,
    pub min_queries: i64,
    /// The first of them at least this many days before.
    pub min_span_days: i64,
    pub lookback_days: i64,
}

impl Default for RepeatNoHit {
    fn default() -> Self {
        Self {
            enabled: false,
            min_queries: 4,
            min_span_days: 14,
            lookback_days: 56,
        }
    }
}

/// `after_login_storm`: a query soon after failed logons on the same account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AfterLoginStorm {
    pub enabled: bool,
    pub failures: i64,
    pub window_minutes: i64,
}

impl Default for AfterLoginStorm {
    fn default() -> Self {
        Self {
            enabled: false,
            failures: 3,
            window_minutes: 30,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Flags {
    pub daily_volume: DailyVolume,
    pub case_spread: CaseSpread,
    pub off_hours: OffHours,
    pub repeat_no_hit: RepeatNoHit,
    pub after_login_storm: AfterLoginStorm,
}

/// Everything an agency-wide manager sets for oversight. Off until set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OversightSettings {
    #[serde(default)]
    pub case_reference: CaseReferencePolicies,
    #[serde(default)]
    pub sampling: Sampling,
    #[serde(default)]
    pub flags: Flags,
}

/// Settings checked and their patterns compiled.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    pub settings: OversightSettings,
    pub version: i64,
    agency_rule: Option<Arc<CaseReferenceRule>>,
    program_rules: HashMap<String, Arc<CaseReferenceRule>>,
}

impl Compiled {
    /// The rule for a user of `program` (its own, else the agency's).
    pub fn rule_for(&self, program: Option<&str>) -> Option<&CaseReferenceRule> {
        program
            .and_then(|p| self.program_rules.get(p))
            .or(self.agency_rule.as_ref())
            .map(Arc::as_ref)
    }

    /// The share drawn, in parts per million; 0 when sampling is off.
    pub fn share_ppm(&self) -> u32 {
        if !self.settings.sampling.enabled {
            return 0;
        }
        (self.settings.sampling.share_percent * 10_000.0)
            .round()
            .clamp(0.0, 1_000_000.0) as u32
    }
}

fn rule(p: &CaseReferencePolicy, field: &str) -> Result<CaseReferenceRule, Vec<Violation>> {
    let vague: Vec<String> = match &p.vague_phrases {
        Some(v) => v.clone(),
        None => DEFAULT_VAGUE_PHRASES
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    };
    CaseReferenceRule::new(
        p.pattern.as_deref(),
        p.example.as_deref(),
        p.min_length,
        &vague,
        field,
    )
}

fn positive(errors: &mut Vec<Violation>, field: &str, ok: bool, accepted: &str) {
    if !ok {
        errors.push(
            Violation::new("threshold_invalid", field, "this threshold is out of range")
                .accepting(accepted),
        );
    }
}

/// Checks settings (programs by the agency's program names) and compiles them.
pub fn compile(
    settings: &OversightSettings,
    programs: &[String],
    version: i64,
) -> Result<Compiled, Vec<Violation>> {
    let mut errors = Vec::new();
    let agency_rule = match &settings.case_reference.agency {
        Some(p) => match rule(p, "case_reference.agency") {
            Ok(r) => Some(Arc::new(r)),
            Err(e) => {
                errors.extend(e);
                None
            }
        },
        None => None,
    };
    let mut program_rules = HashMap::new();
    for (name, p) in &settings.case_reference.programs {
        let field = format!("case_reference.programs.{name}");
        if !programs.iter().any(|n| n == name) {
            errors.push(
                Violation::new("program_unknown", &field, "the agency has no such program")
                    .accepting(programs.join(", ")),
            );
            continue;
        }
        match rule(p, &field) {
            Ok(r) => {
                program_rules.insert(name.clone(), Arc::new(r));
            }
            Err(e) => errors.extend(e),
        }
    }
    let s = &settings.sampling;
    positive(
        &mut errors,
        "sampling.share_percent",
        s.share_percent.is_finite() && (0.0..=100.0).contains(&s.share_percent),
        "0 to 100",
    );
    let f = &settings.flags;
    let dv = &f.daily_volume;
    positive(
        &mut errors,
        "flags.daily_volume.multiple",
        dv.multiple.is_finite() && dv.multiple >= 1.0 && dv.multiple <= 100.0,
        "1 to 100",
    );
    positive(
        &mut errors,
        "flags.daily_volume.min_history_days",
        (1..=30).contains(&dv.min_history_days),
        "1 to 30",
    );
    positive(
        &mut errors,
        "flags.daily_volume.min_count",
        (1..=10_000).contains(&dv.min_count),
        "1 to 10000",
    );
    positive(
        &mut errors,
        "flags.case_spread.plates",
        (2..=10_000).contains(&f.case_spread.plates),
        "2 to 10000",
    );
    positive(
        &mut errors,
        "flags.case_spread.window_minutes",
        (1..=10_080).contains(&f.case_spread.window_minutes),
        "1 to 10080 (a week)",
    );
    let oh = &f.off_hours;
    positive(
        &mut errors,
        "flags.off_hours.min_history",
        (1..=100_000).contains(&oh.min_history),
        "1 to 100000",
    );
    positive(
        &mut errors,
        "flags.off_hours.min_share_percent",
        oh.min_share_percent.is_finite()
            && oh.min_share_percent > 0.0
            && oh.min_share_percent < 100.0,
        "above 0 and under 100",
    );
    positive(
        &mut errors,
        "flags.off_hours.lookback_days",
        (7..=365).contains(&oh.lookback_days),
        "7 to 365",
    );
    let rn = &f.repeat_no_hit;
    positive(
        &mut errors,
        "flags.repeat_no_hit.min_queries",
        (2..=1_000).contains(&rn.min_queries),
        "2 to 1000",
    );
    positive(
        &mut errors,
        "flags.repeat_no_hit.min_span_days",
        (1..=365).contains(&rn.min_span_days),
        "1 to 365",
    );
    positive(
        &mut errors,
        "flags.repeat_no_hit.lookback_days",
        rn.lookback_days >= rn.min_span_days && rn.lookback_days <= 365,
        "min_span_days to 365",
    );
    let ls = &f.after_login_storm;
    positive(
        &mut errors,
        "flags.after_login_storm.failures",
        (1..=100).contains(&ls.failures),
        "1 to 100",
    );
    positive(
        &mut errors,
        "flags.after_login_storm.window_minutes",
        (1..=1_440).contains(&ls.window_minutes),
        "1 to 1440 (a day)",
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Compiled {
        settings: settings.clone(),
        version,
        agency_rule,
        program_rules,
    })
}

/// Compiled settings per agency, recompiled only when the stored version
/// moves (another node may have changed them: the version is read each time).
#[derive(Debug, Default)]
pub struct PolicyCache(Mutex<HashMap<AgencyId, Arc<Compiled>>>);

impl PolicyCache {
    fn get(&self, agency: AgencyId, version: i64) -> Option<Arc<Compiled>> {
        self.0
            .lock()
            .ok()?
            .get(&agency)
            .filter(|c| c.version == version)
            .cloned()
    }

    fn put(&self, agency: AgencyId, c: Arc<Compiled>) {
        if let Ok(mut m) = self.0.lock() {
            m.insert(agency, c);
        }
    }
}

/// The agency's program names.
pub async fn program_names(store: &Store, agency: AgencyId) -> anyhow::Result<Vec<String>> {
    Ok(store
        .tenancy()
        .programs(agency)
        .await?
        .into_iter()
        .map(|(_, name)| name)
        .collect())
}

/// The agency's settings, compiled (through `cache` where there is one).
/// Stored settings that no longer compile (a program renamed) fall back to
/// the parts that do not name it: the error is logged, queries go on.
pub async fn load(
    store: &Store,
    cache: Option<&PolicyCache>,
    agency: AgencyId,
) -> anyhow::Result<Arc<Compiled>> {
    let Some((text, version)) = store.oversight().settings(agency).await? else {
        return Ok(Arc::new(Compiled::default()));
    };
    if let Some(c) = cache.and_then(|c| c.get(agency, version)) {
        return Ok(c);
    }
    let settings: OversightSettings = serde_json::from_str(&text)?;
    let programs = program_names(store, agency).await?;
    let compiled = match compile(&settings, &programs, version) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(agency = agency.0, errors = ?e, "stored oversight settings no longer compile");
            let mut s = settings.clone();
            s.case_reference
                .programs
                .retain(|p, _| programs.contains(p));
            compile(&s, &programs, version).unwrap_or_default()
        }
    };
    let compiled = Arc::new(compiled);
    if let Some(cache) = cache {
        cache.put(agency, compiled.clone());
    }
    Ok(compiled)
}
