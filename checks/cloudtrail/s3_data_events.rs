use serde_json::{Value, json};

use super::trails::{Listed, describe_missing, foreign_organization_trail, missing, read_write};
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
    let Some(listed) = Listed::read(cx) else {
        return;
    };
    let all_buckets = format!("arn:{}:s3", inv.partition_or_default());
    let mut judged = Vec::new();
    let mut unknown = Vec::new();
    let mut foreign = Vec::new();
    for trail in listed.trails {
        match judge(trail, &all_buckets, &inv.account_id) {
            Judgement::Records => {
                cx.pass(
                    &trail.home_region,
                    &trail.arn,
                    "the trail records read and write S3 data events for all buckets",
                    json!({ "trail": trail.name, "multi_region": true, "is_logging": true, "selectors": trail.selectors }),
                );
                return;
            }
            Judgement::DoesNot(reasons) => {
                judged.push(json!({ "trail": trail.arn, "why_not": reasons }))
            }
            Judgement::Foreign => foreign.push(trail),
            Judgement::Unknown(m) => unknown.push((trail, m)),
        }
    }
    // No trail proved itself; one we could not read might have.
    for (trail, m) in &unknown {
        cx.error(
            &trail.home_region,
            &trail.arn,
            format!(
                "could not be evaluated for trail {}: {}",
                trail.name,
                describe_missing(m)
            ),
            json!({ "unreadable": m, "other_trails": judged }),
        );
    }
    let unlisted = listed.report_unlisted(
        cx,
        "a multi-region trail homed there could record S3 data events for all buckets",
        &json!(judged),
    );
    if unlisted || !unknown.is_empty() {
        return;
    }
    // Only the management account can say what the organization trail records.
    if !foreign.is_empty() {
        for trail in foreign {
            let owner = trail.owner().unwrap_or_default();
            cx.manual(
                &trail.home_region,
                &trail.arn,
                format!(
                    "whether organization trail {} records S3 data events for all buckets is set in management account {owner}, whose event selectors cannot be read from this account: verify it there",
                    trail.name
                ),
                json!({
                    "trail": trail.name,
                    "organization_trail": true,
                    "owner_account": owner,
                    "selectors": trail.selectors,
                    "verify": format!("aws cloudtrail get-event-selectors --trail-name {} (in account {owner})", trail.arn),
                    "other_trails": judged,
                }),
            );
        }
        return;
    }
    let trails = listed.trails;
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

enum Judgement {
    Records,
    DoesNot(Vec<&'static str>),
    /// An organization trail of the management account, whose selectors are its own.
    Foreign,
    Unknown(Value),
}

fn judge(trail: &Trail, all_buckets: &str, account: &str) -> Judgement {
    // Data events of a single-region trail cover only the buckets of its region.
    if !trail.multi_region {
        return Judgement::DoesNot(vec!["not multi-region"]);
    }
    let mut reasons = Vec::new();
    let mut unknown = None;
    match &trail.status {
        Collected::Ok(s) if !s.is_logging => reasons.push("logging is stopped"),
        Collected::Ok(_) => {}
        other => unknown = Some(Judgement::Unknown(missing(other))),
    }
    match &trail.selectors {
        Collected::Ok(sel) => match s3_data_events(sel, all_buckets) {
            (true, true) => {}
            (true, false) => reasons.push("records only read S3 data events"),
            (false, true) => reasons.push("records only write S3 data events"),
            (false, false) => reasons.push("records no S3 data events for all buckets"),
        },
        Collected::Unavailable(_) if foreign_organization_trail(trail, account) => {
            unknown = unknown.or(Some(Judgement::Foreign))
        }
        other => unknown = unknown.or(Some(Judgement::Unknown(missing(other)))),
    }
    match (reasons.is_empty(), unknown) {
        (false, _) => Judgement::DoesNot(reasons),
        (true, Some(u)) => u,
        (true, None) => Judgement::Records,
    }
}

/// Whether read and write S3 object events of every bucket are recorded, by basic
/// selectors (`arn:aws:s3` or `arn:aws:s3:::`) or advanced ones that narrow neither the
/// buckets nor the events, possibly split across selectors.
fn s3_data_events(sel: &TrailSelectors, all_buckets: &str) -> (bool, bool) {
    let (mut read, mut write) = (false, false);
    for s in &sel.basic {
        let every_bucket = s.data_resources.iter().any(|d| {
            d.resource_type == "AWS::S3::Object"
                && d.values
                    .iter()
                    .any(|v| v.trim_end_matches(":::") == all_buckets)
        });
        if every_bucket {
            let (r, w) = read_write(&s.read_write_type);
            read |= r;
            write |= w;
        }
    }
    // What every S3 object ARN starts with.
    let object_arn = format!("{all_buckets}:::");
    for s in &sel.advanced {
        let all_match = |field: &str, value: &str| {
            let mut fields = s.field(field).peekable();
            fields.peek().is_some() && fields.all(|f| f.matches(value))
        };
        if !(all_match("eventCategory", "Data") && all_match("resources.type", "AWS::S3::Object")) {
            continue;
        }
        // Any other condition (an event name, a source, part of the buckets) narrows
        // the selector, except an ARN prefix that every object ARN has.
        let unrestricted = s.fields.iter().all(|f| match f.field.as_str() {
            "eventCategory" | "resources.type" | "readOnly" => true,
            "resources.ARN" => {
                let others = [
                    &f.equals,
                    &f.not_equals,
                    &f.not_starts_with,
                    &f.ends_with,
                    &f.not_ends_with,
                ];
                others.iter().all(|v| v.is_empty())
                    && f.starts_with
                        .iter()
                        .any(|p| object_arn.starts_with(p.as_str()))
            }
            _ => false,
        });
        if !unrestricted {
            continue;
        }
        read |= s.field("readOnly").all(|f| f.matches("true"));
        write |= s.field("readOnly").all(|f| f.matches("false"));
    }
    (read, write)
}
