use std::collections::BTreeMap;

use serde_json::json;

use super::bucket_arn;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::checks::cloudtrail::trails::Listed;
use crate::inventory::{Source, Trail, VersioningStatus};

pub static CHECK: Check = Check {
    id: "S3-09",
    slug: "log-bucket-integrity",
    title: "CloudTrail log buckets are versioned or locked",
    severity: Severity::Medium,
    sources: &[
        Source::CloudTrailTrails,
        Source::S3BucketVersioning,
        Source::S3BucketObjectLock,
    ],
    rationale: "The TOM promises access logs are kept and cannot be tampered with. If the bucket CloudTrail writes to has neither versioning nor Object Lock, anyone who can delete objects in it can erase the record of what they did. A log bucket in another account (an organisation's log-archive account) is reported as manual, naming the bucket: only its owner can show how it is protected.",
    remediation: "aws s3api put-bucket-versioning --bucket LOG_BUCKET --versioning-configuration Status=Enabled (better: create the log bucket with --object-lock-enabled-for-bucket and set a default retention with aws s3api put-object-lock-configuration).",
    references: &["CIS AWS 3.6"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(listed) = Listed::read(cx) else {
        return;
    };
    // One outcome per bucket, however many trails write to it.
    let mut log_buckets: BTreeMap<&str, Vec<&Trail>> = BTreeMap::new();
    for trail in listed.trails {
        if let Some(b) = &trail.s3_bucket {
            log_buckets.entry(b).or_default().push(trail);
        }
    }
    let names = |trails: &[&Trail]| trails.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    let all: Vec<&Trail> = listed.trails.iter().collect();
    let known = json!(names(&all));
    let unlisted = |cx: &mut Cx<'_>| {
        listed.report_unlisted(
            cx,
            "a trail homed there may write to a log bucket that is not judged",
            &known,
        )
    };
    if log_buckets.is_empty() {
        unlisted(cx);
        cx.not_applicable(GLOBAL, "no CloudTrail trail delivers to an S3 bucket");
        return;
    }
    let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) else {
        unlisted(cx);
        return;
    };
    // A bucket outside this account's list first: `manual` says what cannot be known
    // here, and stays said whatever errors other buckets give.
    let (here, elsewhere): (Vec<_>, Vec<_>) = log_buckets
        .iter()
        .partition(|(name, _)| buckets.iter().any(|b| b.name == **name));
    for (name, trails) in elsewhere {
        let owners: Vec<&str> = trails.iter().filter_map(|t| t.owner()).collect();
        cx.manual(
            GLOBAL,
            &bucket_arn(inv, name),
            format!(
                "log bucket {name} is not in this account's bucket list (an organisation's log-archive account, typically): verify its versioning or Object Lock in the account that owns it"
            ),
            json!({
                "bucket": name,
                "trails": names(trails),
                "trail_owner_accounts": owners,
                "in_this_account": false,
                "verify": format!("aws s3api get-bucket-versioning --bucket {name}; aws s3api get-object-lock-configuration --bucket {name} (as the bucket's owner)"),
            }),
        );
    }
    for (name, trails) in here {
        let trail_names = names(trails);
        let arn = bucket_arn(inv, name);
        let Some(bucket) = buckets.iter().find(|b| b.name == *name) else {
            continue;
        };
        // Either fact proves the logs are protected; only when neither does is a
        // missing one an error rather than a failure.
        let versioned = bucket
            .versioning
            .ok()
            .map(|v| v.status == VersioningStatus::Enabled);
        let locked = bucket.object_lock.ok().copied();
        let evidence = json!({
            "bucket": name,
            "trails": trail_names,
            "versioning": bucket.versioning.ok().map(|v| &v.status),
            "object_lock": locked,
        });
        if versioned == Some(true) || locked == Some(true) {
            let how = match (versioned, locked) {
                (Some(true), Some(true)) => "versioned and Object Lock enabled",
                (Some(true), _) => "versioned",
                _ => "Object Lock enabled",
            };
            cx.pass(
                &bucket.region,
                &arn,
                format!("the trail log bucket is {how}"),
                evidence,
            );
            continue;
        }
        let versioning = cx.get_for(&bucket.versioning, &bucket.region, &arn);
        let object_lock = cx.get_for(&bucket.object_lock, &bucket.region, &arn);
        if versioning.is_some() && object_lock.is_some() {
            cx.fail(
                &bucket.region,
                &arn,
                "the trail log bucket has neither versioning nor Object Lock",
                evidence,
            );
        }
    }
    unlisted(cx);
}
