//! The report for people: one self-contained HTML page (no network, no external script,
//! font or image) with the score, each TOM section and measure, and every finding with
//! its evidence, filterable in the browser and printable to PDF.
//!
//! minijinja renders `templates/report.html` with HTML autoescaping (chosen by the
//! template's `.html` name), so every value from the account reaches the page as text.
//! The page's one script is a fixed file; a Content-Security-Policy names it by its
//! SHA-256, so even a value that slipped past escaping could neither run nor fetch.

use std::borrow::Cow;
use std::sync::LazyLock;

use base64::Engine;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::check::{Severity, Status};
use crate::report::{Counts, Finding, Report, SectionResult};

const TEMPLATE: &str = include_str!("templates/report.html");
const SCRIPT: &str = include_str!("templates/report.js");

/// `'sha256-…'` of the script exactly as it stands between its tags.
static SCRIPT_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(SCRIPT.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

pub fn render(report: &Report) -> String {
    let mut env = Environment::new();
    // A misspelt field in the template is an error in the tests, not a blank on the page.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters"),
    );
    env.add_template("report.html", TEMPLATE)
        .expect("the embedded template parses");
    let held: Vec<Cow<'_, Finding>> = report.findings.iter().collect();
    let page = Page::new(report, &held);
    let mut html = env
        .get_template("report.html")
        .expect("just added")
        .render(minijinja::context! {
            page => Value::from(minijinja::value::Serde(&page)),
            // The script is tomscan's own constant, not report data; it must reach the
            // page byte for byte, or its hash would no longer match.
            script => Value::from_safe_string(SCRIPT.to_string()),
            csp => content_security_policy(),
        })
        .expect("the embedded template renders every report");
    if !html.ends_with('\n') {
        html.push('\n');
    }
    html
}

/// Nothing may load or connect; inline style only; the one script by its hash. No
/// `frame-ancestors` or `sandbox`: a `<meta>` policy ignores them, with a console error.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src {}; base-uri 'none'; form-action 'none'",
        *SCRIPT_HASH
    )
}

/// What the template shows, computed here so the template only lays it out.
#[derive(Serialize)]
struct Page<'a> {
    framework_id: &'a str,
    framework_title: &'a str,
    accounts: &'a [String],
    regions: &'a [String],
    scanned_at: String,
    tool: String,
    /// The evidence bundle written with this report, so a printed page names it.
    evidence: Option<EvidenceView<'a>>,
    duration: String,
    requests: u64,
    retries: u64,
    score: String,
    /// 0-100 for the dial; 0 when there is no score.
    score_value: f64,
    score_class: &'static str,
    coverage: String,
    coverage_value: f64,
    formula: &'a str,
    weights: Vec<(&'static str, f64)>,
    totals: Vec<StatusCount>,
    total_findings: usize,
    sections: Vec<SectionView<'a>>,
    measures: Vec<MeasureOption<'a>>,
    findings: Vec<FindingView<'a>>,
    statuses: Vec<StatusCount>,
    severities: Vec<(&'static str, usize)>,
}

#[derive(Serialize)]
struct EvidenceView<'a> {
    path: &'a str,
    manifest_sha256: &'a str,
    signed_by: Option<&'a str>,
}

#[derive(Serialize)]
struct StatusCount {
    status: &'static str,
    label: &'static str,
    count: u32,
}

#[derive(Serialize)]
struct SectionView<'a> {
    id: &'a str,
    title: &'a str,
    score: String,
    score_value: f64,
    score_class: &'static str,
    coverage: String,
    counts: Vec<StatusCount>,
    organisational: bool,
    measures: Vec<SectionView<'a>>,
}

#[derive(Serialize)]
struct MeasureOption<'a> {
    id: &'a str,
    /// The title cut to fit a drop-down.
    short: String,
    top: bool,
}

#[derive(Serialize)]
struct FindingView<'a> {
    check_id: &'a str,
    title: &'a str,
    measures: &'a [String],
    measures_attr: String,
    severity: &'static str,
    severity_rank: u8,
    status: &'static str,
    status_label: &'static str,
    status_rank: u8,
    account: &'a str,
    region: &'a str,
    resource: &'a str,
    message: &'a str,
    evidence_label: &'static str,
    evidence: Option<String>,
    remediation: &'a str,
    references: &'static [&'static str],
}

impl<'a> Page<'a> {
    /// `held`: the report's findings, which the page shows all at once.
    fn new(report: &'a Report, held: &'a [Cow<'a, Finding>]) -> Page<'a> {
        let (score, score_value) = score_text(report.score);
        let mut findings: Vec<&Finding> = held.iter().map(AsRef::as_ref).collect();
        // What needs attention first: by status, then the gravest, then by check.
        findings.sort_by(|a, b| {
            (status_rank(a.status), std::cmp::Reverse(a.severity))
                .cmp(&(status_rank(b.status), std::cmp::Reverse(b.severity)))
                .then_with(|| {
                    crate::checks::sort_key(&a.check_id).cmp(&crate::checks::sort_key(&b.check_id))
                })
                .then_with(|| a.resource.cmp(&b.resource))
        });
        let count_of = |status: Status| held.iter().filter(|f| f.status == status).count();
        Page {
            framework_id: &report.framework.id,
            framework_title: &report.framework.title,
            accounts: &report.accounts,
            regions: &report.regions,
            scanned_at: report
                .scanned_at
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            tool: format!("{} {}", report.tool.name, report.tool.version),
            evidence: report.evidence.as_ref().map(|e| EvidenceView {
                path: &e.path,
                manifest_sha256: &e.manifest_sha256,
                signed_by: e.signed_by.as_deref(),
            }),
            duration: format!("{:.1} s", report.stats.duration_ms as f64 / 1000.0),
            requests: report.stats.requests,
            retries: report.stats.retries,
            score_class: score_class(report.score),
            score,
            score_value,
            coverage: format!("{:.1}", report.coverage),
            coverage_value: report.coverage.clamp(0.0, 100.0),
            formula: &report.scoring.formula,
            weights: report
                .scoring
                .weights
                .iter()
                .map(|(s, w)| (s.as_str(), *w))
                .collect(),
            totals: status_counts(&report.counts),
            total_findings: report.findings.len(),
            sections: sections(&report.sections),
            measures: report
                .sections
                .iter()
                .map(|s| MeasureOption {
                    id: &s.id,
                    short: shorten(&s.title, 70),
                    top: s.parent.is_none(),
                })
                .collect(),
            findings: findings.into_iter().map(finding).collect(),
            statuses: Status::ALL
                .into_iter()
                .map(|s| StatusCount {
                    status: s.as_str(),
                    label: status_label(s),
                    count: count_of(s) as u32,
                })
                .collect(),
            severities: [
                Severity::Critical,
                Severity::High,
                Severity::Medium,
                Severity::Low,
            ]
            .into_iter()
            .map(|s| (s.as_str(), held.iter().filter(|f| f.severity == s).count()))
            .collect(),
        }
    }
}

fn sections(all: &[SectionResult]) -> Vec<SectionView<'_>> {
    all.iter()
        .filter(|s| s.parent.is_none())
        .map(|top| {
            let mut view = section(top);
            view.measures = all
                .iter()
                .filter(|m| m.parent.as_deref() == Some(top.id.as_str()))
                .map(section)
                .collect();
            view
        })
        .collect()
}

fn section(s: &SectionResult) -> SectionView<'_> {
    let (score, score_value) = score_text(s.score);
    SectionView {
        id: &s.id,
        title: &s.title,
        score,
        score_value,
        score_class: score_class(s.score),
        coverage: s.coverage.map_or("–".into(), |c| format!("{c:.0}%")),
        counts: status_counts(&s.counts),
        organisational: s.organisational,
        measures: Vec::new(),
    }
}

fn finding(f: &Finding) -> FindingView<'_> {
    let evidence_label = match f.status {
        Status::Attested => "Attestation",
        Status::Waived => "Waiver",
        _ => "Evidence",
    };
    FindingView {
        check_id: &f.check_id,
        title: &f.title,
        measures: &f.sections,
        measures_attr: f.sections.join(" "),
        severity: f.severity.as_str(),
        severity_rank: match f.severity {
            Severity::Critical => 0,
            Severity::High => 1,
            Severity::Medium => 2,
            Severity::Low => 3,
        },
        status: f.status.as_str(),
        status_label: status_label(f.status),
        status_rank: status_rank(f.status),
        account: &f.account,
        region: &f.region,
        resource: &f.resource,
        message: &f.message,
        evidence_label,
        evidence: (!f.evidence.is_null())
            .then(|| serde_json::to_string_pretty(&f.evidence).expect("JSON values serialise")),
        remediation: &f.remediation,
        // Organisational measures (ORG-*) are no check of the catalogue: no references.
        references: crate::checks::find(&f.check_id).map_or(&[], |c| c.references),
    }
}

/// Non-zero counts only, in the order of [`Status::ALL`].
fn status_counts(c: &Counts) -> Vec<StatusCount> {
    Status::ALL
        .into_iter()
        .filter(|s| c.get(*s) > 0)
        .map(|s| StatusCount {
            status: s.as_str(),
            label: status_label(s),
            count: c.get(s),
        })
        .collect()
}

fn status_label(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Error => "error",
        Status::NotApplicable => "not applicable",
        Status::Manual => "manual",
        Status::Attested => "attested",
        Status::Waived => "waived",
    }
}

/// The order of the finding list: what needs someone's attention comes first.
fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Manual => 2,
        Status::Waived => 3,
        Status::Attested => 4,
        Status::Pass => 5,
        Status::NotApplicable => 6,
    }
}

fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", s[..cut].trim_end()),
        None => s.to_string(),
    }
}

fn score_text(score: Option<f64>) -> (String, f64) {
    match score {
        Some(s) => (format!("{s:.1}"), s.clamp(0.0, 100.0)),
        None => ("n/a".into(), 0.0),
    }
}

fn score_class(score: Option<f64>) -> &'static str {
    match score {
        None => "none",
        Some(s) if s >= 90.0 => "good",
        Some(s) if s >= 70.0 => "fair",
        Some(_) => "poor",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_script_by_the_hash_of_its_exact_text() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"), "{csp}");
        let digest = Sha256::digest(SCRIPT.as_bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(csp.contains(&format!("script-src 'sha256-{b64}'")), "{csp}");
        assert!(!csp.contains("unsafe-eval") && !csp.contains("script-src 'unsafe-inline'"));
    }

    #[test]
    fn scores_are_classed_for_colour_and_none_has_no_dial() {
        assert_eq!(score_class(Some(95.0)), "good");
        assert_eq!(score_class(Some(70.0)), "fair");
        assert_eq!(score_class(Some(12.0)), "poor");
        assert_eq!(score_text(None), ("n/a".to_string(), 0.0));
    }
}
