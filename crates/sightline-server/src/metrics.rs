//! Prometheus metrics, served at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

/// The service's counters. Cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    pub http_responses: Family<StatusLabel, Counter>,
    pub reads_ingested: Family<OutcomeLabel, Counter>,
    pub queries: Family<OutcomeLabel, Counter>,
    pub logins: Family<OutcomeLabel, Counter>,
    /// Reads acknowledged and waiting for their photos from an agent; set
    /// from the store each time `/metrics` is read, so every node agrees.
    pub pending_photos: Gauge,
    /// Mail not yet accepted by the SMTP server, and how much of it has
    /// failed at least once (SMTP down or refusing); set like
    /// `pending_photos`. Only here, behind the metrics token: mail counts
    /// follow alert hits.
    pub mail_unsent: Gauge,
    pub mail_retrying: Gauge,
}

impl Metrics {
    pub fn render(&self) -> String {
        let mut registry = Registry::with_prefix("sightline");
        registry.register(
            "http_responses",
            "HTTP responses by status",
            self.http_responses.clone(),
        );
        registry.register(
            "reads_ingested",
            "Reads offered for ingest, by outcome",
            self.reads_ingested.clone(),
        );
        registry.register("queries", "Plate queries, by outcome", self.queries.clone());
        registry.register("logins", "Logon attempts, by outcome", self.logins.clone());
        registry.register(
            "reads_pending_photos",
            "Reads waiting for their photos from an OpenALPR agent",
            self.pending_photos.clone(),
        );
        registry.register(
            "mail_unsent",
            "Messages in the outbox not yet accepted by the SMTP server",
            self.mail_unsent.clone(),
        );
        registry.register(
            "mail_retrying",
            "Unsent messages that failed at least once (the SMTP server is down or refusing)",
            self.mail_retrying.clone(),
        );
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &registry).is_err() {
            out.clear();
        }
        out
    }
}
