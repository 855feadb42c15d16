//! Prometheus metrics of one report, in the text exposition format, for node_exporter's
//! textfile collector (`--metrics /var/lib/node_exporter/textfile/tomscan.prom`).
//!
//! Every value describes the last scan, and the next one replaces the file, so all
//! metrics are gauges, `tomscan_scan_requests` and `tomscan_scan_retries` too: a counter's
//! `increase()` across two scans would be meaningless, and `_total` names a counter.
//! Metric names are a contract like the JSON report's: never renamed.
//!
//! The tikv `prometheus` crate writes the file and escapes label values and HELP text
//! (backslash, double quote, line feed), which resource-derived values need. The
//! official `prometheus-client` crate does not escape label values (client_rust
//! issue #151), so it is not used.

use std::collections::BTreeMap;

use prometheus::{Encoder, Gauge, GaugeVec, Opts, Registry, TextEncoder};

use crate::check::{Severity, Status};
use crate::report::Report;

const SEVERITIES: [Severity; 4] = [
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

pub fn render(report: &Report) -> String {
    let registry = Registry::new();
    let framework = report.framework.id.as_str();

    let score = gauge_vec(
        &registry,
        "tomscan_score",
        "TOM score of the last scan, 0-100: overall (section=\"\"), per section and per \
         measure. A scope where nothing could be judged (no pass or fail) has no sample, \
         never NaN.",
        &["framework", "section"],
    );
    let coverage = gauge_vec(
        &registry,
        "tomscan_coverage",
        "Share of the selection the last scan could evaluate, 0-100: overall \
         (section=\"\"), per section and per measure; no sample where there was nothing \
         to evaluate.",
        &["framework", "section"],
    );
    if let Some(s) = report.score {
        score.with_label_values(&[framework, ""]).set(s);
    }
    coverage
        .with_label_values(&[framework, ""])
        .set(report.coverage);
    for section in &report.sections {
        if let Some(s) = section.score {
            score.with_label_values(&[framework, &section.id]).set(s);
        }
        if let Some(c) = section.coverage {
            coverage.with_label_values(&[framework, &section.id]).set(c);
        }
    }

    let findings = gauge_vec(
        &registry,
        "tomscan_findings",
        "Findings of the last scan by status, severity and account (zero included).",
        &["status", "severity", "account"],
    );
    // Per account, then per (status, severity): every account's series, zeros included.
    let zeros: BTreeMap<(Status, Severity), u32> = Status::ALL
        .into_iter()
        .flat_map(|status| SEVERITIES.map(|severity| ((status, severity), 0)))
        .collect();
    let mut counts: BTreeMap<String, BTreeMap<(Status, Severity), u32>> = report
        .accounts
        .iter()
        .map(|a| (a.clone(), zeros.clone()))
        .collect();
    for f in &report.findings {
        let of_account = match counts.get_mut(f.account.as_str()) {
            Some(c) => c,
            None => counts.entry(f.account.clone()).or_insert(zeros.clone()),
        };
        *of_account.entry((f.status, f.severity)).or_default() += 1;
    }
    for (account, per) in &counts {
        for ((status, severity), n) in per {
            findings
                .with_label_values(&[status.as_str(), severity.as_str(), account])
                .set(f64::from(*n));
        }
    }

    gauge(
        &registry,
        "tomscan_scan_duration_seconds",
        "Wall time of the last scan in seconds (0 for `tomscan evaluate`).",
    )
    .set(report.stats.duration_ms as f64 / 1000.0);
    gauge(
        &registry,
        "tomscan_scan_requests",
        "AWS requests the last scan sent, retries included (no `_total`: a gauge, each scan replaces it).",
    )
    .set(report.stats.requests as f64);
    gauge(
        &registry,
        "tomscan_scan_retries",
        "AWS requests the last scan retried (a gauge: each scan replaces it).",
    )
    .set(report.stats.retries as f64);
    gauge(
        &registry,
        "tomscan_scan_throttled",
        "Throttling answers AWS gave the last scan (Throttling, SlowDown, ...); each was retried while attempts remained.",
    )
    .set(report.stats.throttled as f64);

    let last = gauge_vec(
        &registry,
        "tomscan_last_success_timestamp_seconds",
        "When the last scan that produced a report ran (its scanned_at; for `tomscan \
         evaluate`, when the inventory was collected), Unix seconds, per account. A scan \
         that fails writes no file, so this ages: alert on time() minus it.",
        &["account"],
    );
    // An account whose role could not be assumed was not scanned: its last success
    // stays absent, so the staleness alert fires for it.
    let unreadable = |id: &str| {
        report
            .account_summaries
            .iter()
            .any(|a| a.id == id && a.error.is_some())
    };
    for account in report.accounts.iter().filter(|a| !unreadable(a)) {
        last.with_label_values(&[account])
            .set(report.scanned_at.timestamp() as f64);
    }
    let account_score = gauge_vec(
        &registry,
        "tomscan_account_score",
        "TOM score of each account of the last scan, 0-100, by the same formula over its          findings alone; no sample where nothing could be judged.",
        &["framework", "account"],
    );
    let account_coverage = gauge_vec(
        &registry,
        "tomscan_account_coverage",
        "Share of the selection the last scan could evaluate in each account, 0-100          (0 for an account that could not be read).",
        &["framework", "account"],
    );
    for a in &report.account_summaries {
        if let Some(s) = a.score {
            account_score.with_label_values(&[framework, &a.id]).set(s);
        }
        let covered = if a.error.is_some() {
            Some(0.0)
        } else {
            a.coverage
        };
        if let Some(c) = covered {
            account_coverage
                .with_label_values(&[framework, &a.id])
                .set(c);
        }
    }

    gauge_vec(
        &registry,
        "tomscan_info",
        "The tomscan release, JSON report schema_version and framework of the last scan (always 1).",
        &["version", "schema_version", "framework"],
    )
    .with_label_values(&[&report.tool.version, &report.schema_version, framework])
    .set(1.0);

    let mut out = Vec::new();
    TextEncoder::new()
        .encode(&registry.gather(), &mut out)
        .expect("writing to memory");
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

/// Names, help and label names are fixed here, so registration cannot fail at run time.
fn gauge_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> GaugeVec {
    let vec = GaugeVec::new(Opts::new(name, help), labels).expect("a valid metric definition");
    registry
        .register(Box::new(vec.clone()))
        .expect("each metric registered once");
    vec
}

fn gauge(registry: &Registry, name: &str, help: &str) -> Gauge {
    let g = Gauge::with_opts(Opts::new(name, help)).expect("a valid metric definition");
    registry
        .register(Box::new(g.clone()))
        .expect("each metric registered once");
    g
}
