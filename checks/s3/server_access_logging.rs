use serde_json::json;

use super::bucket_arn;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-05",
    slug: "server-access-logging",
    title: "Every bucket has server access logging",
    severity: Severity::Low,
    sources: &[Source::S3BucketLogging],
    rationale: "The TOM promises that access to customer data is logged. Server access logs record every request to a bucket, including anonymous ones and those CloudTrail data events were not set up to catch.",
    remediation: "aws s3api put-bucket-logging --bucket BUCKET --bucket-logging-status '{\"LoggingEnabled\":{\"TargetBucket\":\"LOG_BUCKET\",\"TargetPrefix\":\"BUCKET/\"}}' (the log bucket must allow the logging.s3.amazonaws.com service principal to write).",
    references: &["Security Hub S3.9", "CIS AWS 3.6 (v1.4)"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) else {
        return;
    };
    if buckets.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no S3 buckets");
    }
    for bucket in buckets {
        let arn = bucket_arn(inv, &bucket.name);
        let Some(target) = cx.get_for(&bucket.logging_target, &bucket.region, &arn) else {
            continue;
        };
        match target {
            Some(t) => cx.pass(
                &bucket.region,
                &arn,
                format!("server access logs go to {t}"),
                json!({ "bucket": bucket.name, "logging_target": t }),
            ),
            None => cx.fail(
                &bucket.region,
                &arn,
                "server access logging is off",
                json!({ "bucket": bucket.name, "logging_target": null }),
            ),
        }
    }
}
