use serde_json::json;

use super::bucket_arn;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-08",
    slug: "bucket-versioning",
    title: "Every bucket has versioning enabled",
    severity: Severity::Low,
    sources: &[Source::S3BucketVersioning],
    rationale: "The TOM promises that data can be restored after accidental or malicious change. Versioning keeps every overwritten or deleted object as an older version, so a mistake or ransomware does not destroy it.",
    remediation: "aws s3api put-bucket-versioning --bucket BUCKET --versioning-configuration Status=Enabled; add a lifecycle rule that expires noncurrent versions after the retention period to bound the cost.",
    references: &["Security Hub S3.14"],
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
        let Some(versioning) = cx.get_for(&bucket.versioning, &bucket.region, &arn) else {
            continue;
        };
        let message = match versioning.status.as_str() {
            "Enabled" => "versioning is enabled".to_string(),
            "" => "versioning was never enabled".to_string(),
            other => format!("versioning is {other}"),
        };
        let evidence = json!({ "bucket": bucket.name, "status": versioning.status, "mfa_delete": versioning.mfa_delete });
        if versioning.status == "Enabled" {
            cx.pass(&bucket.region, &arn, message, evidence);
        } else {
            cx.fail(&bucket.region, &arn, message, evidence);
        }
    }
}
