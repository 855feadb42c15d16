use serde_json::json;

use super::{bucket_arn, each_bucket};
use crate::check::{Check, Cx, Severity};
use crate::inventory::{Bucket, Source};

pub static CHECK: Check = Check {
    id: "S3-05",
    slug: "server-access-logging",
    title: "Every bucket has server access logging",
    severity: Severity::Low,
    sources: &[Source::S3BucketLogging],
    rationale: "The TOM promises that access to customer data is logged. Server access logs record every request to a bucket, including anonymous ones and those CloudTrail data events were not set up to catch. S3 delivers them only to a bucket the source bucket's owner owns, in the source's region: a target that was deleted, belongs to no bucket of this account, or lives in another region receives nothing, however the setting reads.",
    remediation: "aws s3api put-bucket-logging --bucket BUCKET --bucket-logging-status '{\"LoggingEnabled\":{\"TargetBucket\":\"LOG_BUCKET\",\"TargetPrefix\":\"BUCKET/\"}}' with a log bucket of this account in the bucket's region (it must allow the logging.s3.amazonaws.com service principal to write).",
    references: &["Security Hub S3.9", "CIS AWS 3.6 (v1.4)"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let buckets: &[Bucket] = cx.inv.s3.buckets.ok().map_or(&[], Vec::as_slice);
    for (bucket, arn, target) in each_bucket(cx, |b| &b.logging_target) {
        let Some(t) = target else {
            cx.fail(
                &bucket.region,
                &arn,
                "server access logging is off",
                json!({ "bucket": bucket.name, "logging_target": null }),
            );
            continue;
        };
        let evidence = json!({ "bucket": bucket.name, "logging_target": t });
        match buckets.iter().find(|b| b.name == *t) {
            None => cx.fail(
                &bucket.region,
                &arn,
                format!(
                    "server access logs go to {t}, which is no bucket of this account (deleted, or never its own): S3 delivers them nowhere"
                ),
                evidence,
            ),
            Some(target) => match bucket
                .region_unavailable
                .as_ref()
                .or(target.region_unavailable.as_ref())
            {
                Some(u) => cx.error(
                    &bucket.region,
                    &arn,
                    format!(
                        "could not be evaluated: server access logs go to {t}, and S3 delivers them only within a region, but a region is unknown ({} failed with {})",
                        u.action, u.code
                    ),
                    json!({ "bucket": bucket.name, "logging_target": t, "missing_action": u.action, "code": u.code, "target": bucket_arn(cx.inv, t) }),
                ),
                None if target.region != bucket.region => cx.fail(
                    &bucket.region,
                    &arn,
                    format!(
                        "server access logs go to {t}, which is in {}, not {}: S3 delivers no logs across regions",
                        target.region, bucket.region
                    ),
                    json!({ "bucket": bucket.name, "logging_target": t, "target_region": target.region }),
                ),
                None => cx.pass(
                    &bucket.region,
                    &arn,
                    format!("server access logs go to {t}, a bucket of this account in the same region"),
                    evidence,
                ),
            },
        }
    }
}
