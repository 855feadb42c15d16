use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Collected, Source, Trail, TrailSelectors};

pub static CHECK: Check = Check {
    id: "CT-01",
    slug: "multi-region-trail-logging",
    title: "A multi-region trail is logging all management events",
    severity: Severity::Critical,
    sources: &[Source::CloudTrailTrails],
    rationale: "The TOM promises that all access or attempted access is logged. Only a multi-region trail that is on and records read and write management events sees every API call, in every region, including the ones an intruder makes in a region nobody uses.",
    remediation: "aws cloudtrail create-trail --name org-trail --s3-bucket-name LOG_BUCKET --is-multi-region-trail --enable-log-file-validation, then aws cloudtrail start-logging --name org-trail; leave the default event selector (management events, ReadWriteType All).",
    references: &["CIS AWS 3.1", "Security Hub CloudTrail.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(trails) = cx.get(&inv.cloudtrail.trails, GLOBAL) else {
        return;
    };
    let mut unknown = Vec::new();
    let mut judged = Vec::new();
    for trail in trails {
        match judge(trail) {
            Ok(reasons) if reasons.is_empty() => {
                cx.pass(
                    &trail.home_region,
                    &trail.arn,
                    "multi-region trail is logging read and write management events",
                    json!({ "trail": trail.name, "multi_region": true, "is_logging": true, "management_events": "All" }),
                );
                return;
            }
            Ok(reasons) => judged.push(json!({ "trail": trail.arn, "why_not": reasons })),
            Err(missing) => unknown.push((trail, missing)),
        }
    }
    // No trail proved itself. A trail we could not read might have: say so, never pass.
    if let Some((trail, missing)) = unknown.first() {
        cx.error(
            &trail.home_region,
            &trail.arn,
            format!(
                "could not be evaluated: {} failed for trail {}",
                missing["missing_action"], trail.name
            ),
            json!({ "unreadable": missing, "other_trails": judged }),
        );
        return;
    }
    cx.fail(
        GLOBAL,
        &inv.account_arn(),
        if trails.is_empty() {
            "the account has no CloudTrail trail".to_string()
        } else {
            format!(
                "none of the {} trail(s) is a logging multi-region trail of all management events",
                trails.len()
            )
        },
        json!({ "trails": judged }),
    );
}

/// Why this trail does not qualify (empty: it does), or the facts we could not read.
fn judge(trail: &Trail) -> Result<Vec<&'static str>, Value> {
    // A single-region trail can never qualify: no need for facts we could not read.
    if !trail.multi_region {
        return Ok(vec!["not multi-region"]);
    }
    let mut reasons = Vec::new();
    match &trail.status {
        Collected::Ok(s) if !s.is_logging => reasons.push("logging is stopped"),
        Collected::Ok(_) => {}
        other => return Err(missing(other)),
    }
    match &trail.selectors {
        Collected::Ok(sel) if !records_all_management_events(sel) => {
            reasons.push("does not record both read and write management events")
        }
        Collected::Ok(_) => {}
        other => return Err(missing(other)),
    }
    Ok(reasons)
}

fn missing<T>(c: &Collected<T>) -> Value {
    match c {
        Collected::Unavailable(u) => {
            json!({ "missing_action": u.action, "code": u.code, "message": u.message })
        }
        _ => json!({ "missing_action": "not collected" }),
    }
}

/// Read and write management events, by basic or advanced selectors, possibly split
/// across a ReadOnly and a WriteOnly selector.
pub(crate) fn records_all_management_events(sel: &TrailSelectors) -> bool {
    let (mut read, mut write) = (false, false);
    for s in sel.basic.iter().filter(|s| s.include_management_events) {
        match s.read_write_type.as_str() {
            "ReadOnly" => read = true,
            "WriteOnly" => write = true,
            _ => (read, write) = (true, true),
        }
    }
    for s in &sel.advanced {
        let management = s
            .equals
            .get("eventCategory")
            .is_some_and(|v| v.iter().any(|c| c == "Management"));
        if !management {
            continue;
        }
        match s.equals.get("readOnly") {
            None => (read, write) = (true, true),
            Some(v) => {
                read |= v.iter().any(|x| x == "true");
                write |= v.iter().any(|x| x == "false");
            }
        }
    }
    read && write
}
