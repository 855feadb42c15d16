use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Collected, Source, Trail, TrailSelectors};

pub static CHECK: Check = Check {
    id: "CT-04",
    slug: "s3-data-events",
    title: "A trail records S3 data events for all buckets",
    severity: Severity::Medium,
    sources: &[Source::CloudTrailTrails],
    rationale: "The TOM promises that all access to customer data is logged. Management events show who changed a bucket, not who read or wrote its objects; only S3 data events, read and write, for every bucket and in every region record that.",
    remediation: "aws cloudtrail put-event-selectors --trail-name TRAIL --advanced-event-selectors '[{\"Name\":\"Management\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Management\"]}]},{\"Name\":\"S3 data events\",\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":[\"Data\"]},{\"Field\":\"resources.type\",\"Equals\":[\"AWS::S3::Object\"]}]}]' on a multi-region trail that is logging.",
    references: &[
        "CIS AWS 3.10",
        "CIS AWS 3.11",
        "Security Hub S3.22",
        "Security Hub S3.23",
    ],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(trails) = cx.get(&inv.cloudtrail.trails, GLOBAL) else {
        return;
    };
    let all_buckets = format!("arn:{}:s3", inv.partition_or_default());
    let mut judged = Vec::new();
    let mut unknown = Vec::new();
    for trail in trails {
        match judge(trail, &all_buckets) {
            Ok(reasons) if reasons.is_empty() => {
                cx.pass(
                    &trail.home_region,
                    &trail.arn,
                    "the trail records read and write S3 data events for all buckets",
                    json!({ "trail": trail.name, "multi_region": true, "is_logging": true, "selectors": trail.selectors }),
                );
                return;
            }
            Ok(reasons) => judged.push(json!({ "trail": trail.arn, "why_not": reasons })),
            Err(missing) => unknown.push((trail, missing)),
        }
    }
    // No trail proved itself; one we could not read might have.
    if let Some((trail, (why, missing))) = unknown.first() {
        cx.error(
            &trail.home_region,
            &trail.arn,
            format!("could not be evaluated for trail {}: {why}", trail.name),
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
                "none of the {} trail(s) is a logging multi-region trail of S3 data events for all buckets",
                trails.len()
            )
        },
        json!({ "trails": judged }),
    );
}

/// Why the trail does not qualify (empty: it does), or why its facts are missing.
fn judge(trail: &Trail, all_buckets: &str) -> Result<Vec<&'static str>, (String, Value)> {
    // Data events of a single-region trail cover only the buckets of its region.
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
        Collected::Ok(sel) => match s3_data_events(sel, all_buckets) {
            (true, true) => {}
            (true, false) => reasons.push("records only read S3 data events"),
            (false, true) => reasons.push("records only write S3 data events"),
            (false, false) => reasons.push("records no S3 data events for all buckets"),
        },
        other => return Err(missing(other)),
    }
    Ok(reasons)
}

fn missing<T>(c: &Collected<T>) -> (String, Value) {
    match c {
        Collected::Unavailable(u) => (
            format!("{} failed with {}: {}", u.action, u.code, u.message),
            json!({ "missing_action": u.action, "code": u.code, "message": u.message }),
        ),
        _ => (
            "the inventory does not hold this source".to_string(),
            json!({ "missing_action": "not collected" }),
        ),
    }
}

/// Whether read and write S3 object events of every bucket are recorded, by basic
/// selectors (`arn:aws:s3` or `arn:aws:s3:::`) or advanced ones without an ARN or event
/// restriction, possibly split across selectors.
fn s3_data_events(sel: &TrailSelectors, all_buckets: &str) -> (bool, bool) {
    let (mut read, mut write) = (false, false);
    for s in &sel.basic {
        let every_bucket = s.data_resources.iter().any(|d| {
            d.resource_type == "AWS::S3::Object"
                && d.values
                    .iter()
                    .any(|v| v.trim_end_matches(":::") == all_buckets)
        });
        if !every_bucket {
            continue;
        }
        match s.read_write_type.as_str() {
            "ReadOnly" => read = true,
            "WriteOnly" => write = true,
            _ => (read, write) = (true, true),
        }
    }
    for s in &sel.advanced {
        let has = |field: &str, value: &str| {
            s.equals
                .get(field)
                .is_some_and(|v| v.iter().any(|x| x == value))
        };
        // Any other field (resources.ARN, eventName, userIdentity.arn, ...) narrows the
        // selector to part of the buckets or events. The inventory keeps only `Equals`
        // values, so a field used with another operator shows up here with no values and
        // still counts as a restriction.
        let unrestricted = s
            .equals
            .keys()
            .all(|k| matches!(k.as_str(), "eventCategory" | "resources.type" | "readOnly"));
        if !(has("eventCategory", "Data")
            && has("resources.type", "AWS::S3::Object")
            && unrestricted)
        {
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
    (read, write)
}
