use serde_json::json;

use super::each_bucket;
use crate::check::{Check, Cx, Severity};
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
    for (bucket, arn, target) in each_bucket(cx, |b| &b.logging_target) {
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
