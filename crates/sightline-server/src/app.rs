//! Application state, the router and the server loop.

use crate::alerts::Notifier;
use crate::metrics::{Metrics, StatusLabel};
use crate::notify::{MailSettings, Mailer};
use crate::routes;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use sightline_maps::MapLayers;
use sightline_store::Store;
use std::sync::{Arc, OnceLock};
use time::OffsetDateTime;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Shared by every request handler. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: Store,
    metrics: Metrics,
    // Timeouts, caps, the metrics token and trusted proxies: set by
    // `with_http`, or the defaults on first use.
    http: OnceLock<crate::http_limits::HttpRuntime>,
    mail: MailSettings,
    // Shared with the ingest pipeline and the outbox sender: whoever queues
    // mail wakes the sender through `notifier.wake`.
    notifier: Notifier,
    // Matches committed reads against the alert lists after the ingest
    // response; woken through `notifier.matcher`.
    matcher: Arc<crate::alerts::Matcher>,
    // Filled once when the router is built; read by GET /openapi.json.
    openapi: OnceLock<String>,
    // The map layers behind /tiles: set by `with_maps`, or the built-in map
    // on first use. `None` only if the built-in map failed to load.
    maps: OnceLock<Option<Arc<MapLayers>>>,
    // Bounds concurrent tile renders and upstream fetches: /tiles is public.
    tile_permits: tokio::sync::Semaphore,
    // Fetches photos from OpenALPR agents' image services: set by
    // `with_agents`, or the defaults on first use.
    agents: OnceLock<crate::agents::AgentRuntime>,
    // Ingest's limits and permits: set by `with_ingest_limits`, or the
    // defaults on first use.
    ingest: OnceLock<crate::ingest_limits::IngestGate>,
    // The plate reader: set by `with_ocr`, or the default model directory
    // on first use.
    ocr: OnceLock<crate::ocr::OcrRuntime>,
    // The public transparency page's per-agency figures, recomputed at most
    // every 15 minutes: the page is public, the figures cost a log scan.
    transparency: routes::transparency::ReportCache,
    // Each agency's oversight settings with their case-reference patterns
    // compiled, kept until the stored version changes.
    oversight: crate::oversight::PolicyCache,
}

impl AppState {
    /// A state whose mail stays in the outbox (no SMTP configured).
    pub fn new(store: Store) -> Self {
        Self::with_mail(store, MailSettings::default())
    }

    pub fn with_mail(store: Store, mail: MailSettings) -> Self {
        let notifier = Notifier {
            public_base_url: mail.public_base_url.clone(),
            wake: Arc::default(),
            matcher: Arc::default(),
        };
        Self(Arc::new(Inner {
            store,
            metrics: Metrics::default(),
            http: OnceLock::new(),
            mail,
            notifier,
            matcher: Arc::default(),
            openapi: OnceLock::new(),
            maps: OnceLock::new(),
            agents: OnceLock::new(),
            ingest: OnceLock::new(),
            ocr: OnceLock::new(),
            tile_permits: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get() * 2),
            ),
            transparency: routes::transparency::ReportCache::default(),
            oversight: crate::oversight::PolicyCache::default(),
        }))
    }

    /// Serves `maps` at /tiles and /api/v1/map/config instead of the
    /// built-in map. Call before the first request.
    pub fn with_maps(self, maps: Arc<MapLayers>) -> Self {
        if self.0.maps.set(Some(maps)).is_err() {
            tracing::warn!("map layers were already in use; the new ones are ignored");
        }
        self
    }

    /// Fetches agents' photos with `settings` instead of the defaults. Call
    /// before the first request.
    pub fn with_agents(self, settings: crate::agents::AgentSettings) -> Self {
        if self
            .0
            .agents
            .set(crate::agents::AgentRuntime::new(settings))
            .is_err()
        {
            tracing::warn!("the agent fetcher was already in use; the new settings are ignored");
        }
        self
    }

    /// Serves with `settings` instead of the defaults. Call before the
    /// first request.
    pub fn with_http(self, settings: crate::http_limits::HttpSettings) -> Self {
        if self
            .0
            .http
            .set(crate::http_limits::HttpRuntime::new(settings))
            .is_err()
        {
            tracing::warn!("the HTTP limits were already in use; the new settings are ignored");
        }
        self
    }

    /// Bounds ingest with `limits` instead of the defaults. Call before the
    /// first request.
    pub fn with_ingest_limits(self, limits: crate::ingest_limits::IngestLimits) -> Self {
        if self
            .0
            .ingest
            .set(crate::ingest_limits::IngestGate::new(limits))
            .is_err()
        {
            tracing::warn!("the ingest limits were already in use; the new ones are ignored");
        }
        self
    }

    /// Reads plates with the models in `settings` instead of the default
    /// directory. Call before the first request.
    pub fn with_ocr(self, settings: crate::ocr::OcrSettings) -> Self {
        if self
            .0
            .ocr
            .set(crate::ocr::OcrRuntime::new(settings))
            .is_err()
        {
            tracing::warn!("the plate reader was already in use; the new settings are ignored");
        }
        self
    }

    /// The plate reader behind POST /api/v1/ocr/plate.
    pub fn ocr(&self) -> &crate::ocr::OcrRuntime {
        self.0
            .ocr
            .get_or_init(|| crate::ocr::OcrRuntime::new(Default::default()))
    }

    /// The compiled oversight settings, per agency.
    pub fn oversight(&self) -> &crate::oversight::PolicyCache {
        &self.0.oversight
    }

    /// Timeouts, caps, the metrics token and trusted proxies.
    pub fn http(&self) -> &crate::http_limits::HttpRuntime {
        self.0
            .http
            .get_or_init(|| crate::http_limits::HttpRuntime::new(Default::default()))
    }

    /// Ingest's limits and permits (tests hold permits through it to show
    /// what a full node answers).
    pub fn ingest_gate(&self) -> &crate::ingest_limits::IngestGate {
        self.0
            .ingest
            .get_or_init(|| crate::ingest_limits::IngestGate::new(Default::default()))
    }

    /// The agent photo fetcher.
    pub fn agents(&self) -> &crate::agents::AgentRuntime {
        self.0
            .agents
            .get_or_init(|| crate::agents::AgentRuntime::new(Default::default()))
    }

    /// What the agent worker and ingest need, borrowed from this state.
    pub fn agent_deps(&self) -> crate::agents::Deps<'_> {
        crate::agents::Deps {
            store: self.store(),
            metrics: self.metrics(),
            notifier: self.notifier(),
            runtime: self.agents(),
        }
    }

    /// Starts the worker that retries agent photos and notices silent
    /// sources. Call once per process.
    pub fn spawn_agent_worker(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(crate::agents::run_worker(
            self.0.store.clone(),
            self.0.metrics.clone(),
            self.0.notifier.clone(),
            self.agents().clone(),
        ))
    }

    /// Starts the matcher, which matches committed reads against the alert
    /// lists after the ingest response (a pass at once, for what a crash
    /// left queued). Call once per process.
    pub fn spawn_matcher(&self) -> tokio::task::JoinHandle<()> {
        let matcher = self.0.matcher.clone();
        let (store, notifier) = (self.0.store.clone(), self.0.notifier.clone());
        tokio::spawn(async move { matcher.run(store, notifier).await })
    }

    /// Matches every read queued so far, after any pass already running;
    /// returns how many it matched. What tests wait on instead of sleeping.
    pub async fn drain_matcher(&self) -> anyhow::Result<usize> {
        self.0.matcher.drain(&self.0.store, &self.0.notifier).await
    }

    /// The map layers; the built-in map unless `with_maps` chose others.
    pub fn maps(&self) -> Option<&MapLayers> {
        self.0
            .maps
            .get_or_init(|| match MapLayers::builtin() {
                Ok(m) => Some(Arc::new(m)),
                Err(e) => {
                    tracing::error!(error = ?e, "the built-in map failed to load");
                    None
                }
            })
            .as_deref()
    }

    pub(crate) fn transparency_cache(&self) -> &routes::transparency::ReportCache {
        &self.0.transparency
    }

    pub(crate) fn tile_permits(&self) -> &tokio::sync::Semaphore {
        &self.0.tile_permits
    }

    pub fn mail(&self) -> &MailSettings {
        &self.0.mail
    }

    pub fn notifier(&self) -> &Notifier {
        &self.0.notifier
    }

    /// Starts the outbox sender, if SMTP or a mail directory is configured.
    /// Call once per process.
    pub fn spawn_sender(&self) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
        let mail = &self.0.mail;
        let mailer = match (
            mail.smtp_url.as_deref().filter(|u| !u.is_empty()),
            &mail.mail_dir,
        ) {
            (Some(url), _) => Mailer::new(url, &mail.mail_from)?,
            (None, Some(dir)) => Mailer::to_dir(dir, &mail.mail_from)?,
            (None, None) => return Ok(None),
        };
        let domain = self
            .0
            .mail
            .mail_from
            .rsplit_once('@')
            .map_or("sightline.invalid", |(_, d)| d.trim_end_matches('>'))
            .to_owned();
        Ok(Some(tokio::spawn(crate::notify::run_sender(
            self.0.store.clone(),
            mailer,
            domain,
            self.0.notifier.wake.clone(),
        ))))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    pub fn limiter(&self) -> &crate::limits::RateLimiter {
        &self.http().limiter
    }

    /// The injected clock's "now".
    pub fn now(&self) -> OffsetDateTime {
        self.0.store.clock.now()
    }

    pub fn openapi_json(&self) -> &str {
        self.0.openapi.get().map_or("{}", String::as_str)
    }
}

async fn count_responses(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let resp = next.run(req).await;
    state
        .metrics()
        .http_responses
        .get_or_create(&StatusLabel {
            status: resp.status().as_u16(),
        })
        .inc();
    resp
}

/// Builds the whole HTTP surface over `state`.
pub fn router(state: AppState) -> Router {
    let (api, doc) = routes::api().split_for_parts();
    let json = doc.to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    let _ = state.0.openapi.set(json);
    api.fallback(crate::web::fallback)
        .layer(middleware::from_fn(crate::web::security_headers))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::http_limits::deadline,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::http_limits::shed_load,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            count_responses,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The access log's span: the path but never the query string, where
/// searches carry plates and names.
fn request_span(req: &Request) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        version = ?req.version(),
    )
}
