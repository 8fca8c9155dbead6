//! Typed settings: built-in defaults, then an optional TOML file, then
//! `SIGHTLINE_*` environment variables, then command-line flags.

use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Embedded databases and photo blobs live here.
    pub data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL; unset keeps the embedded backend.
    pub database_url: Option<String>,
    /// Where `serve` and `demo` listen.
    pub listen: SocketAddr,
    /// `json` for machine-readable logs, `pretty` for people.
    pub log_format: String,
    /// `smtp://host:port` of the mail relay; unset keeps mail queued in the outbox.
    pub smtp_url: Option<String>,
    /// With no `smtp_url`: write each email into this directory as an
    /// `.eml` file (the demo does, into `data_dir/mail`).
    #[serde(default)]
    pub mail_dir: Option<PathBuf>,
    /// The From address of every email.
    pub mail_from: String,
    /// The address users reach the service at; links in emails start with it.
    pub public_base_url: String,
    /// The master key (SIGHTLINE_AUDIT_MASTER_KEY, or `master_key`): 32+
    /// random bytes as hex or base64 (`sightline keygen` makes one). Every
    /// key and secret at rest is sealed under keys derived from it; `serve`
    /// refuses to start without it. Keep it out of the database's backups.
    #[serde(default, skip_serializing, alias = "master_key")]
    pub audit_master_key: Option<SecretString>,
    /// The key text an older version XOR-wrapped the audit signing keys
    /// under, when it is not the current master key (used once, to rewrap).
    #[serde(default, skip_serializing)]
    pub legacy_master_key: Option<SecretString>,
    /// The operator's raster tile server for the street map,
    /// `http://tiles.example/{z}/{x}/{y}.png`; unset uses `mbtiles`, then
    /// `tiles_dir`, then the built-in offline map.
    #[serde(default)]
    pub tiles_url: Option<String>,
    /// A second, aerial layer from the operator's tile server.
    #[serde(default)]
    pub aerial_tiles_url: Option<String>,
    /// A `{z}/{x}/{y}.png` directory of street tiles.
    #[serde(default)]
    pub tiles_dir: Option<PathBuf>,
    /// An MBTiles file (raster) of street tiles.
    #[serde(default)]
    pub mbtiles: Option<PathBuf>,
    /// Credit for the operator's street tiles, shown on maps and reports.
    #[serde(default)]
    pub tiles_attribution: Option<String>,
    /// Credit for the aerial tiles.
    #[serde(default)]
    pub aerial_attribution: Option<String>,
    /// The OCR models (`scripts/fetch-ocr-models.sh` puts them in
    /// `models/ocr`); unset looks for `models/ocr` from the working
    /// directory up.
    #[serde(default)]
    pub ocr_model_dir: Option<PathBuf>,
    /// Failed tries to fetch an OpenALPR agent's photos after which the
    /// read waiting for them is refused (with backoff from 15 s to an hour,
    /// 12 tries span about four hours).
    #[serde(default = "default_agent_attempts")]
    pub agent_photo_attempts: i64,
    /// Minutes without a heartbeat after which a source whose agent sends
    /// them is noticed silent in the operator's log.
    #[serde(default = "default_agent_silent_minutes")]
    pub agent_silent_minutes: i64,
    /// Records one ingest batch may hold; a larger batch is refused whole
    /// (413 `batch_too_many_records`).
    #[serde(default = "default_ingest_max_records")]
    pub ingest_max_records: usize,
    /// Records' photos that may name one multipart photo part; more refuse
    /// the batch (422 `photo_part_overused`).
    #[serde(default = "default_ingest_max_part_refs")]
    pub ingest_max_part_refs: usize,
    /// Ingest requests one node handles at once; more are refused at once
    /// (503 `ingest_busy`, with Retry-After), never queued.
    #[serde(default = "default_ingest_max_concurrent")]
    pub ingest_max_concurrent: usize,
    /// HTTP limits: see [`HttpLimits`].
    #[serde(default, flatten)]
    pub http: HttpLimits,
}

/// How long clients may take and how many they may be (docs/web.md,
/// "Serving"). Flattened into the settings: `header_read_timeout_ms = …`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct HttpLimits {
    /// To send a request's headers, from connecting or the last response.
    pub header_read_timeout_ms: u64,
    /// From headers received to response started, body upload included.
    pub request_timeout_ms: u64,
    /// Requests handled at once; more get 503 `overloaded` at once.
    pub max_in_flight: usize,
    /// Connections open at once; more are closed on accept.
    pub max_connections: usize,
    /// The bearer token that reads `/metrics` (also
    /// SIGHTLINE_METRICS_TOKEN); unset, `/metrics` answers 404.
    #[serde(skip_serializing)]
    pub metrics_token: Option<SecretString>,
    /// Proxies (IPs or CIDR ranges) whose forwarding header names the
    /// client for rate limits; from any other peer it is ignored.
    pub trusted_proxies: Vec<String>,
    /// The header they write: `x-forwarded-for` or `forwarded`.
    pub proxy_header: String,
    /// Rate-limit keys (client addresses, usernames) kept at most.
    pub rate_limit_keys: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        let d = sightline_server::http_limits::HttpSettings::default();
        Self {
            header_read_timeout_ms: millis(d.header_read_timeout),
            request_timeout_ms: millis(d.request_timeout),
            max_in_flight: d.max_in_flight,
            max_connections: d.max_connections,
            metrics_token: None,
            trusted_proxies: Vec::new(),
            proxy_header: "x-forwarded-for".into(),
            rate_limit_keys: d.rate_limit_keys,
        }
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn default_ingest_max_records() -> usize {
    sightline_server::ingest_limits::IngestLimits::default().max_records
}

fn default_ingest_max_part_refs() -> usize {
    sightline_server::ingest_limits::IngestLimits::default().max_part_refs
}

fn default_ingest_max_concurrent() -> usize {
    sightline_server::ingest_limits::IngestLimits::default().max_concurrent
}

fn default_agent_attempts() -> i64 {
    sightline_server::agents::AgentSettings::default().max_attempts
}

fn default_agent_silent_minutes() -> i64 {
    sightline_server::agents::AgentSettings::default()
        .silent_after
        .whole_minutes()
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("sightline-data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            log_format: "pretty".into(),
            smtp_url: None,
            mail_dir: None,
            mail_from: "sightline@localhost".into(),
            public_base_url: "http://127.0.0.1:8080".into(),
            audit_master_key: None,
            legacy_master_key: None,
            tiles_url: None,
            aerial_tiles_url: None,
            tiles_dir: None,
            mbtiles: None,
            tiles_attribution: None,
            aerial_attribution: None,
            ocr_model_dir: None,
            agent_photo_attempts: default_agent_attempts(),
            agent_silent_minutes: default_agent_silent_minutes(),
            http: HttpLimits::default(),
            ingest_max_records: default_ingest_max_records(),
            ingest_max_part_refs: default_ingest_max_part_refs(),
            ingest_max_concurrent: default_ingest_max_concurrent(),
        }
    }
}

/// Flags given on the command line; `None` leaves the lower layers alone.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
}

impl Settings {
    pub fn load(
        config: Option<&Path>,
        defaults: Settings,
        overrides: &Overrides,
    ) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(defaults));
        if let Some(path) = config {
            anyhow::ensure!(path.exists(), "config file {} not found", path.display());
            fig = fig.merge(Toml::file(path));
        }
        let settings: Settings = fig
            .merge(Env::prefixed("SIGHTLINE_"))
            .merge(Serialized::defaults(overrides))
            .extract()?;
        Ok(settings)
    }

    pub fn mail(&self) -> sightline_server::notify::MailSettings {
        sightline_server::notify::MailSettings {
            smtp_url: self.smtp_url.clone().filter(|u| !u.is_empty()),
            mail_dir: self.mail_dir.clone(),
            mail_from: self.mail_from.clone(),
            public_base_url: self.public_base_url.clone(),
        }
    }

    /// How OpenALPR agents' photos are fetched and their silence noticed.
    pub fn agents(&self) -> sightline_server::agents::AgentSettings {
        sightline_server::agents::AgentSettings {
            max_attempts: self.agent_photo_attempts.clamp(1, 100),
            silent_after: time::Duration::minutes(self.agent_silent_minutes.clamp(1, 7 * 24 * 60)),
            ..Default::default()
        }
    }

    /// The HTTP limits, with the proxy list checked.
    pub fn http(&self) -> anyhow::Result<sightline_server::http_limits::HttpSettings> {
        use sightline_server::client_addr::{Cidr, ProxyHeader, TrustedProxies};
        let h = &self.http;
        let ranges = h
            .trusted_proxies
            .iter()
            .map(|r| Cidr::parse(r).map_err(|e| anyhow::anyhow!("trusted_proxies: {e}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let header = ProxyHeader::parse(&h.proxy_header)
            .map_err(|e| anyhow::anyhow!("proxy_header: {e}"))?;
        let ms = std::time::Duration::from_millis;
        Ok(sightline_server::http_limits::HttpSettings {
            header_read_timeout: ms(h.header_read_timeout_ms.max(1)),
            request_timeout: ms(h.request_timeout_ms.max(1)),
            max_in_flight: h.max_in_flight.max(1),
            max_connections: h.max_connections.max(1),
            metrics_token: h
                .metrics_token
                .clone()
                .filter(|t| !secrecy::ExposeSecret::expose_secret(t).is_empty()),
            proxies: TrustedProxies { ranges, header },
            rate_limit_keys: h.rate_limit_keys.max(16),
        })
    }

    /// What one ingest request, and all of them at once, may hold. Each is
    /// at least 1 (a limit of 0 would refuse all ingest).
    pub fn ingest_limits(&self) -> sightline_server::ingest_limits::IngestLimits {
        sightline_server::ingest_limits::IngestLimits {
            max_records: self.ingest_max_records.max(1),
            max_part_refs: self.ingest_max_part_refs.max(1),
            max_concurrent: self.ingest_max_concurrent.max(1),
        }
    }

    /// Where the plate reader finds its models.
    pub fn ocr(&self) -> sightline_server::ocr::OcrSettings {
        sightline_server::ocr::OcrSettings {
            model_dir: self.ocr_model_dir.clone(),
        }
    }

    pub fn map_config(&self) -> sightline_maps::MapConfig {
        sightline_maps::MapConfig {
            tiles_url: self.tiles_url.clone(),
            aerial_tiles_url: self.aerial_tiles_url.clone(),
            tiles_dir: self.tiles_dir.clone(),
            mbtiles: self.mbtiles.clone(),
            tiles_attribution: self.tiles_attribution.clone(),
            aerial_attribution: self.aerial_attribution.clone(),
        }
    }

    pub fn store_config(&self) -> sightline_store::StoreConfig {
        sightline_store::StoreConfig {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone().filter(|u| !u.is_empty()),
            audit_master_key: self.audit_master_key.clone(),
            legacy_master_key: self.legacy_master_key.clone(),
        }
    }

    /// The configured master key, or for a throwaway deployment (a bench's
    /// scratch directory) a fresh one.
    pub fn master_key_or_throwaway(&self) -> anyhow::Result<SecretString> {
        match &self.audit_master_key {
            Some(k) => Ok(k.clone()),
            None => Ok(SecretString::from(sightline_store::generate_master_key()?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_settings_come_from_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sightline.toml");
        std::fs::write(
            &file,
            "tiles_url = \"http://tiles.example/{z}/{x}/{y}.png\"\n\
             aerial_tiles_url = \"http://aerial.example/{z}/{x}/{y}.png\"\n\
             mbtiles = \"/srv/base.mbtiles\"\n\
             tiles_attribution = \"Tiles: County GIS\"\n",
        )
        .unwrap();
        let s = Settings::load(Some(&file), Settings::default(), &Overrides::default()).unwrap();
        let m = s.map_config();
        assert_eq!(
            m.tiles_url.as_deref(),
            Some("http://tiles.example/{z}/{x}/{y}.png")
        );
        assert_eq!(
            m.aerial_tiles_url.as_deref(),
            Some("http://aerial.example/{z}/{x}/{y}.png")
        );
        assert_eq!(m.mbtiles.as_deref(), Some(Path::new("/srv/base.mbtiles")));
        assert_eq!(m.tiles_dir, None);
        assert_eq!(m.tiles_attribution.as_deref(), Some("Tiles: County GIS"));
        let d = Settings::default().map_config();
        assert!(d.tiles_url.is_none() && d.mbtiles.is_none() && d.tiles_dir.is_none());
    }

    #[test]
    fn http_limits_come_from_the_config_file_and_bad_proxies_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sightline.toml");
        std::fs::write(
            &file,
            "header_read_timeout_ms = 250\n\
             max_in_flight = 7\n\
             metrics_token = \"scrape-me\"\n\
             trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n",
        )
        .unwrap();
        let s = Settings::load(Some(&file), Settings::default(), &Overrides::default()).unwrap();
        let h = s.http().unwrap();
        assert_eq!(h.header_read_timeout, std::time::Duration::from_millis(250));
        assert_eq!(h.max_in_flight, 7);
        assert_eq!(h.proxies.ranges.len(), 2);
        assert!(h.metrics_token.is_some());
        let d = Settings::default().http().unwrap();
        assert!(d.metrics_token.is_none() && d.proxies.ranges.is_empty());
        let mut bad = Settings::default();
        bad.http.trusted_proxies = vec!["proxy.example".into()];
        assert!(bad.http().is_err());
    }
}
