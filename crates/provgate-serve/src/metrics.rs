//! `/metrics`: the service's counters and histograms in Prometheus's text format.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CheckLabels {
    project: String,
    verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    kind: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IngestLabels {
    project: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProjectStateLabels {
    project: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FailedLabels {
    project: String,
    kind: String,
}

/// What every process recorded in the shared database, read when `/metrics` is asked: in a
/// split deployment the workers export nothing themselves, the front end reports for them.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    /// Jobs by state.
    pub jobs: Vec<(String, i64)>,
    /// Series by project and state (`checked`, `failed`, `unreadable`, `history`, …).
    pub series: Vec<(String, String, i64)>,
    /// Checked series by project and verdict.
    pub verdicts: Vec<(String, String, i64)>,
    /// Deliveries by kind and state (`sent`, `failed`, `capped`, …).
    pub deliveries: Vec<(String, String, i64)>,
}

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    checks: Family<CheckLabels, Counter>,
    check_seconds: Family<KindLabels, Histogram>,
    deliveries: Family<DeliveryLabels, Counter>,
    ingested: Family<IngestLabels, Counter>,
    http: Family<HttpLabels, Counter>,
    http_seconds: Family<KindLabels, Histogram>,
    queue: Family<StateLabels, Gauge>,
    failed: Family<FailedLabels, Counter>,
    series: Family<ProjectStateLabels, Gauge>,
    verdicts: Family<CheckLabels, Gauge>,
    delivery_states: Family<DeliveryLabels, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Empty metrics, registered.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("provgate");
        let checks = Family::<CheckLabels, Counter>::default();
        registry.register(
            "checks",
            "Series and requests checked, by verdict",
            checks.clone(),
        );
        let check_seconds = Family::<KindLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.002, 2.0, 16))
        });
        registry.register(
            "check_duration_seconds",
            "Time to check a series (reading, base search, judging)",
            check_seconds.clone(),
        );
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        registry.register(
            "deliveries",
            "Deliveries attempted, by kind and outcome",
            deliveries.clone(),
        );
        let ingested = Family::<IngestLabels, Counter>::default();
        registry.register(
            "ingested_messages",
            "Messages read from sources, by outcome",
            ingested.clone(),
        );
        let http = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests, by route and status",
            http.clone(),
        );
        let http_seconds = Family::<KindLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency, by route",
            http_seconds.clone(),
        );
        let queue = Family::<StateLabels, Gauge>::default();
        registry.register("queue_jobs", "Jobs in the queue, by state", queue.clone());
        let failed = Family::<FailedLabels, Counter>::default();
        registry.register(
            "jobs_failed",
            "Jobs of this process that failed for good, by project and kind",
            failed.clone(),
        );
        let series = Family::<ProjectStateLabels, Gauge>::default();
        registry.register(
            "series",
            "Series in the database (every process's), by project and state",
            series.clone(),
        );
        let verdicts = Family::<CheckLabels, Gauge>::default();
        registry.register(
            "series_verdicts",
            "Checked series in the database (every process's), by project and verdict",
            verdicts.clone(),
        );
        let delivery_states = Family::<DeliveryLabels, Gauge>::default();
        registry.register(
            "delivery_states",
            "Deliveries in the database (every process's), by kind and state",
            delivery_states.clone(),
        );
        Metrics {
            registry,
            checks,
            check_seconds,
            deliveries,
            ingested,
            http,
            http_seconds,
            queue,
            failed,
            series,
            verdicts,
            delivery_states,
        }
    }

    /// A job failed for good.
    pub fn failed(&self, project: &str, kind: &str) {
        self.failed
            .get_or_create(&FailedLabels {
                project: project.into(),
                kind: kind.into(),
            })
            .inc();
    }

    /// A check finished.
    pub fn checked(&self, project: &str, verdict: &str, kind: &str, seconds: f64) {
        self.checks
            .get_or_create(&CheckLabels {
                project: project.into(),
                verdict: verdict.into(),
            })
            .inc();
        self.check_seconds
            .get_or_create(&KindLabels { kind: kind.into() })
            .observe(seconds);
    }

    /// A delivery was attempted.
    pub fn delivered(&self, kind: &str, outcome: &str) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                kind: kind.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    /// A message was read from a source.
    pub fn ingested(&self, project: &str, outcome: &str) {
        self.ingested
            .get_or_create(&IngestLabels {
                project: project.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    /// An HTTP request was answered.
    pub fn http(&self, route: &str, status: u16, seconds: f64) {
        self.http
            .get_or_create(&HttpLabels {
                route: route.into(),
                status: status.to_string(),
            })
            .inc();
        self.http_seconds
            .get_or_create(&KindLabels { kind: route.into() })
            .observe(seconds);
    }

    /// The text exposition, with what the database holds as read now.
    pub fn render_recorded(&self, recorded: &Recorded) -> String {
        self.series.clear();
        for (project, state, n) in &recorded.series {
            self.series
                .get_or_create(&ProjectStateLabels {
                    project: project.clone(),
                    state: state.clone(),
                })
                .set(*n);
        }
        self.verdicts.clear();
        for (project, verdict, n) in &recorded.verdicts {
            self.verdicts
                .get_or_create(&CheckLabels {
                    project: project.clone(),
                    verdict: verdict.clone(),
                })
                .set(*n);
        }
        self.delivery_states.clear();
        for (kind, state, n) in &recorded.deliveries {
            self.delivery_states
                .get_or_create(&DeliveryLabels {
                    kind: kind.clone(),
                    outcome: state.clone(),
                })
                .set(*n);
        }
        self.render(&recorded.jobs)
    }

    /// The text exposition, with the queue depth as read now.
    pub fn render(&self, queue: &[(String, i64)]) -> String {
        self.queue.clear();
        for state in ["queued", "running", "done", "failed"] {
            let count = queue
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, n)| *n);
            self.queue
                .get_or_create(&StateLabels {
                    state: state.into(),
                })
                .set(count);
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
