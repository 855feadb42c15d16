use serde_json::json;

use super::each_bucket;
use crate::check::{Check, Cx, Severity};
use crate::inventory::{Source, VersioningStatus};

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
    for (bucket, arn, versioning) in each_bucket(cx, |b| &b.versioning) {
        let message = match &versioning.status {
            VersioningStatus::Enabled => "versioning is enabled".to_string(),
            VersioningStatus::Other(s) if s.is_empty() => {
                "versioning was never enabled".to_string()
            }
            other => format!("versioning is {other}"),
        };
        let evidence = json!({ "bucket": bucket.name, "status": versioning.status, "mfa_delete": versioning.mfa_delete });
        if versioning.status == VersioningStatus::Enabled {
            cx.pass(&bucket.region, &arn, message, evidence);
        } else {
            cx.fail(&bucket.region, &arn, message, evidence);
        }
    }
}
