//! NIST OSCAL 1.1: the report as `assessment-results`, and the framework (the TOM
//! document) as the `catalog` those results point at, for GRC platforms and OSCAL
//! pipelines.
//!
//! | tomscan                         | OSCAL                                                   |
//! |---------------------------------|---------------------------------------------------------|
//! | a measure (`4.a`)               | a control `tom-4.a` (ids must start with a letter)      |
//! | a section (`4`)                 | a group `tom-s4`, and a control `tom-4` when it has its own checks |
//! | each finding                    | an observation: method TEST (a check), EXAMINE (an organisational measure nobody attested), INTERVIEW (an attestation); the finding's evidence in `remarks`, the bundle it came from as `relevant-evidence` |
//! | a measure with a failing check  | a finding, target `not-satisfied`, pointing at the failing observations |
//! | a measure whose checks all pass | a finding, target `satisfied`                           |
//! | a waiver                        | a risk, status `deviation-approved`, its owner and expiry (`deadline`) |
//!
//! UUIDs are derived from what they name and the scan's instant (a SHA-256, in the v5
//! layout): the same report always renders the same document, and another scan's
//! observations are other observations.
//! Every value from the account is a JSON string written by serde_json: data, never
//! markup.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::check::Status;
use crate::framework::Framework;
use crate::report::{Finding, Report};

/// The OSCAL release the documents follow (that of the compliance-trestle models the
/// tests validate with).
pub const OSCAL_VERSION: &str = "1.1.2";
/// The namespace of tomscan's own `props`.
const NS: &str = "https://github.com/tomscan/tomscan/ns/oscal";

/// The report as an OSCAL assessment-results document.
pub fn render(report: &Report) -> String {
    let at = time(report.scanned_at);
    let root = format!("tomscan:{}:{}", report.framework.id, at);
    // The document is one JSON value, so its findings are all held while it is made.
    let held: Vec<_> = report.findings.iter().collect();
    let observations: Vec<(String, &Finding, Value)> = held
        .iter()
        .map(AsRef::as_ref)
        .map(|f| {
            let id = uuid(&format!("{root}:observation:{}", finding_key(f)));
            let o = observation(report, f, &id);
            (id, f, o)
        })
        .collect();
    let risks: Vec<(String, &Finding, Value)> = held
        .iter()
        .map(AsRef::as_ref)
        .filter(|f| f.status == Status::Waived)
        .map(|f| {
            let id = uuid(&format!("{root}:risk:{}", finding_key(f)));
            let r = risk(f, &id);
            (id, f, r)
        })
        .collect();
    let findings = findings(report, &root, &observations, &risks);
    // The controls reviewed: every measure, and a section where it is a control of its
    // own (findings are keyed to it, or it has no measures), as the catalog has them.
    let keyed: std::collections::BTreeSet<&str> = held
        .iter()
        .flat_map(|f| f.sections.iter().map(String::as_str))
        .collect();
    let has_measures = |id: &str| {
        report
            .sections
            .iter()
            .any(|m| m.parent.as_deref() == Some(id))
    };
    let controls: Vec<Value> = report
        .sections
        .iter()
        .filter(|s| s.parent.is_some() || keyed.contains(s.id.as_str()) || !has_measures(&s.id))
        .map(|s| json!({ "control-id": control_id(&s.id) }))
        .collect();
    let mut result = json!({
        "uuid": uuid(&format!("{root}:result")),
        "title": format!("{}: automated assessment", report.framework.title),
        "description": format!(
            "Findings of {} {} for account(s) {} in region(s) {}, keyed to the measures of {}.",
            report.tool.name,
            report.tool.version,
            report.accounts.join(", "),
            report.regions.join(", "),
            report.framework.title
        ),
        "start": at,
        "reviewed-controls": { "control-selections": [ { "include-controls": controls } ] },
    });
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations.into_iter().map(|o| o.2).collect());
    }
    if !risks.is_empty() {
        result["risks"] = Value::Array(risks.into_iter().map(|r| r.2).collect());
    }
    if !findings.is_empty() {
        result["findings"] = Value::Array(findings);
    }
    let mut props = vec![
        prop(
            "score",
            report.score.map_or("none".into(), |s| format!("{s:.1}")),
        ),
        prop("coverage", format!("{:.1}", report.coverage)),
    ];
    if let Some(e) = &report.evidence {
        props.push(prop("evidence-manifest-sha256", e.manifest_sha256.clone()));
    }
    result["props"] = Value::Array(props);
    let doc = json!({
        "assessment-results": {
            "uuid": uuid(&format!("{root}:assessment-results")),
            "metadata": metadata(
                &format!("{}: assessment results", report.framework.title),
                report.scanned_at,
                &report.tool.version,
            ),
            // tomscan's plan is the framework itself: every check of every selected
            // measure, as the catalog lists them.
            "import-ap": { "href": format!("urn:tomscan:assessment-plan:{}", report.framework.id) },
            "results": [result],
        }
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("plain data");
    out.push('\n');
    out
}

/// The framework as an OSCAL catalog: a group per section, a control per measure (and
/// per section with checks of its own), its text as the statement.
pub fn catalog(framework: &Framework, now: DateTime<Utc>) -> String {
    let groups: Vec<Value> = framework
        .sections
        .iter()
        .map(|s| {
            let mut controls = Vec::new();
            if s.measures.is_empty() || !s.control.checks.is_empty() || s.control.organisational {
                controls.push(control(&s.id, &s.title, &s.control));
            }
            controls.extend(s.measures.iter().map(|m| control(&m.id, &m.text, m)));
            json!({
                "id": format!("tom-s{}", token(&s.id)),
                "class": "section",
                "title": s.title,
                "controls": controls,
            })
        })
        .collect();
    let doc = json!({
        "catalog": {
            "uuid": uuid(&format!("tomscan:catalog:{}", framework.id)),
            "metadata": metadata(&framework.title, now, env!("CARGO_PKG_VERSION")),
            "groups": groups,
        }
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("plain data");
    out.push('\n');
    out
}

fn control(id: &str, title: &str, c: &crate::framework::Control) -> Value {
    let mut props = vec![prop("label", id.to_string())];
    for check in &c.checks {
        props.push(prop("check", check.clone()));
    }
    if c.organisational {
        props.push(prop("organisational", "true".into()));
    }
    let text = if c.text.is_empty() { title } else { &c.text };
    json!({
        "id": control_id(id),
        "class": "measure",
        "title": title,
        "props": props,
        "parts": [ { "id": format!("{}_stmt", control_id(id)), "name": "statement", "prose": text } ],
    })
}

fn observation(report: &Report, f: &Finding, id: &str) -> Value {
    let organisational = f.check_id.starts_with("ORG-");
    let method = match f.status {
        Status::Attested => "INTERVIEW",
        _ if organisational => "EXAMINE",
        _ => "TEST",
    };
    let mut props = vec![
        prop("check-id", f.check_id.clone()),
        prop("status", f.status.as_str().into()),
        prop("severity", f.severity.as_str().into()),
        prop("account", f.account.clone()),
        prop("region", f.region.clone()),
    ];
    for section in &f.sections {
        props.push(prop("control", control_id(section)));
    }
    let subject = if f.resource.is_empty() {
        format!("account {}", f.account)
    } else {
        f.resource.clone()
    };
    let mut o = json!({
        "uuid": id,
        "title": format!("{} {}", f.check_id, subject),
        "description": f.message,
        "props": props,
        "methods": [method],
        "collected": time(report.scanned_at),
        "remarks": serde_json::to_string(&f.evidence).expect("plain data"),
    });
    if let Some(e) = &report.evidence {
        let mut evidence = vec![json!({
            "href": format!("{}/manifest.json", e.path),
            "description": format!(
                "the evidence bundle's manifest, SHA-256 {}{}; it lists the digest of every file below",
                e.manifest_sha256,
                e.signed_by.as_ref().map(|k| format!(", signed by {k}")).unwrap_or_default()
            ),
        })];
        if !organisational {
            evidence.push(json!({
                "href": format!("{}/inventory/inventory-{}.json", e.path, f.account),
                "description": "what AWS answered, from which this verdict was judged",
            }));
        }
        o["relevant-evidence"] = Value::Array(evidence);
    }
    o
}

fn risk(f: &Finding, id: &str) -> Value {
    let waiver = &f.evidence["waiver"];
    let text = |k: &str| {
        waiver[k]
            .as_str()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or("not stated")
            .to_string()
    };
    let mut props = vec![
        prop("check-id", f.check_id.clone()),
        prop("owner", text("approved_by")),
    ];
    if let Some(ticket) = waiver["ticket"].as_str() {
        props.push(prop("ticket", ticket.into()));
    }
    let mut r = json!({
        "uuid": id,
        "title": format!("Waived: {} {}", f.check_id, f.resource),
        "description": f.message,
        "statement": text("reason"),
        "props": props,
        "status": "deviation-approved",
    });
    if let Some(date) = waiver["expires"].as_str() {
        r["deadline"] = json!(format!("{date}T00:00:00Z"));
    }
    r
}

/// A finding per measure: `not-satisfied` with the failing (or waived) observations
/// when a check of it failed, `satisfied` when every judged check passed; a measure
/// nothing could judge (error, manual) gets none.
fn findings(
    report: &Report,
    root: &str,
    observations: &[(String, &Finding, Value)],
    risks: &[(String, &Finding, Value)],
) -> Vec<Value> {
    let mut by_control: BTreeMap<&str, Vec<(&String, &Finding)>> = BTreeMap::new();
    for (id, f, _) in observations {
        for s in &f.sections {
            by_control.entry(s.as_str()).or_default().push((id, f));
        }
    }
    let mut out = Vec::new();
    for s in &report.sections {
        let Some(list) = by_control.get(s.id.as_str()) else {
            continue;
        };
        let failing: Vec<&(&String, &Finding)> = list
            .iter()
            .filter(|(_, f)| matches!(f.status, Status::Fail | Status::Waived))
            .collect();
        let passing = list
            .iter()
            .any(|(_, f)| matches!(f.status, Status::Pass | Status::Attested));
        let (state, related): (&str, Vec<&String>) = if !failing.is_empty() {
            ("not-satisfied", failing.iter().map(|(id, _)| *id).collect())
        } else if passing {
            (
                "satisfied",
                list.iter()
                    .filter(|(_, f)| matches!(f.status, Status::Pass | Status::Attested))
                    .map(|(id, _)| *id)
                    .collect(),
            )
        } else {
            continue;
        };
        let checks: Vec<&str> = {
            let mut c: Vec<&str> = failing.iter().map(|(_, f)| f.check_id.as_str()).collect();
            c.sort();
            c.dedup();
            c
        };
        let mut finding = json!({
            "uuid": uuid(&format!("{root}:finding:{}", s.id)),
            "title": format!("{} {}", s.id, s.title),
            "description": if failing.is_empty() {
                format!("every judged check of {} passed", s.id)
            } else {
                format!("{} failed: {}", s.id, checks.join(", "))
            },
            "target": {
                "type": "objective-id",
                "target-id": control_id(&s.id),
                "status": { "state": state },
            },
            "related-observations": related.iter().map(|id| json!({ "observation-uuid": id })).collect::<Vec<_>>(),
        });
        let waived: Vec<Value> = risks
            .iter()
            .filter(|(_, f, _)| f.sections.iter().any(|x| x == &s.id))
            .map(|(id, _, _)| json!({ "risk-uuid": id }))
            .collect();
        if !waived.is_empty() {
            finding["related-risks"] = Value::Array(waived);
        }
        out.push(finding);
    }
    out
}

fn metadata(title: &str, at: DateTime<Utc>, version: &str) -> Value {
    json!({
        "title": title,
        "last-modified": time(at),
        "version": version,
        "oscal-version": OSCAL_VERSION,
    })
}

fn prop(name: &str, value: String) -> Value {
    // OSCAL wants a non-empty value.
    let value = if value.is_empty() {
        "-".to_string()
    } else {
        value
    };
    json!({ "name": name, "ns": NS, "value": value })
}

/// `tom-` + the document's own id: OSCAL ids are tokens, which start with a letter.
pub fn control_id(id: &str) -> String {
    format!("tom-{}", token(id))
}

/// An id as an OSCAL token: letters, digits, `.`, `-`, `_`; anything else becomes `_`.
fn token(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn finding_key(f: &Finding) -> String {
    format!("{}|{}|{}|{}", f.check_id, f.account, f.region, f.resource)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A UUID in the version-5 layout from the SHA-256 of `seed`: stable, and unique for
/// as long as the seeds are.
pub fn uuid(seed: &str) -> String {
    let d = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_the_v5_layout_and_are_stable() {
        let u = uuid("tomscan:x");
        assert_eq!(u, uuid("tomscan:x"));
        assert_ne!(u, uuid("tomscan:y"));
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('5'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn control_ids_are_tokens() {
        assert_eq!(control_id("4.a"), "tom-4.a");
        assert_eq!(control_id("8"), "tom-8");
        assert_eq!(control_id("A.5 1"), "tom-A.5_1");
    }
}
