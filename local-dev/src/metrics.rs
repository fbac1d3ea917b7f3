//! The process's metrics recorder (the `metrics` facade and `metrics-exporter-prometheus`): series
//! names, histogram buckets, and the recording sites' functions ([`record_call`],
//! [`record_frame`], [`auth_refused`]). `metrics_page.rs` serves it at `GET /metrics`.

use balto_core::attempt::Attempt;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

/// Histogram buckets, in seconds: from a frame's processing (≈ 50 µs) to a slow provider
/// call (a minute).
const BUCKETS_S: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// How often histogram samples are folded into their buckets when nobody scrapes.
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// Names of the series, for the recording sites and the docs.
pub mod names {
    pub const FRAME_PROCESSING: &str = "balto_frame_processing_seconds";
    pub const STAGE: &str = "balto_stage_seconds";
    pub const PROVIDER_CALL: &str = "balto_provider_call_seconds";
    pub const AUTH_FAILURES: &str = "balto_auth_failures_total";
    pub const AUTH_DELAYED: &str = "balto_auth_delayed_total";
}

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder (installed on first use; one per process, as the `metrics` macros
/// record to one global recorder).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(BUCKETS_S)
            .expect("the bucket list is not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics shows only its own");
        }
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_histogram!(
        names::FRAME_PROCESSING,
        metrics::Unit::Seconds,
        "Time the server spends on one inbound audio frame (front end, session, storage)."
    );
    metrics::describe_histogram!(
        names::STAGE,
        metrics::Unit::Seconds,
        "One pipeline stage of one segment (stt, advisor), every provider call of its chain included."
    );
    metrics::describe_histogram!(
        names::PROVIDER_CALL,
        metrics::Unit::Seconds,
        "One provider call (stt or advisor), by provider and outcome."
    );
    metrics::describe_counter!(
        names::AUTH_FAILURES,
        "auth refused for a wrong, unknown or revoked key (charged to the address)."
    );
    metrics::describe_counter!(
        names::AUTH_DELAYED,
        "Refused auth answered only after the address's throttle delay."
    );
}

/// One pipeline stage of a segment: its whole time and each provider call it made.
pub fn record_call(stage: &'static str, took: Duration, attempts: &[Attempt]) {
    metrics::histogram!(names::STAGE, "stage" => stage).record(took.as_secs_f64());
    for a in attempts {
        metrics::histogram!(
            names::PROVIDER_CALL,
            "stage" => stage,
            "provider" => a.provider.clone(),
            "outcome" => a.outcome.as_str(),
        )
        .record(a.latency_ms as f64 / 1000.0);
    }
}

/// The processing of one inbound audio frame.
pub fn record_frame(took: Duration) {
    metrics::histogram!(names::FRAME_PROCESSING).record(took.as_secs_f64());
}

/// A refused `auth` charged to its address, answered after `delay`.
pub fn auth_refused(delay: Duration) {
    metrics::counter!(names::AUTH_FAILURES).increment(1);
    if !delay.is_zero() {
        metrics::counter!(names::AUTH_DELAYED).increment(1);
    }
}
