use serde_json::json;

use super::bucket_arn;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-07",
    slug: "sse-kms",
    title: "Buckets are encrypted with KMS keys",
    severity: Severity::Medium,
    sources: &[Source::S3BucketEncryption],
    rationale: "The TOM promises encryption at rest with keys under our control. SSE-KMS puts every read behind a KMS key policy and logs each decrypt in CloudTrail, which SSE-S3's service-managed keys do not. Judged only when require_kms is set in tomscan.toml.",
    remediation: "aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"KEY_ARN\"},\"BucketKeyEnabled\":true}]}' (existing objects keep their encryption until copied over themselves).",
    references: &["Security Hub S3.17"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) else {
        return;
    };
    if !cx.settings.require_kms {
        cx.not_applicable(GLOBAL, "require_kms is off in tomscan.toml");
        return;
    }
    if buckets.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no S3 buckets");
    }
    for bucket in buckets {
        let arn = bucket_arn(inv, &bucket.name);
        let Some(encryption) = cx.get_for(&bucket.encryption, &bucket.region, &arn) else {
            continue;
        };
        match encryption {
            Some(e) if e.algorithm.starts_with("aws:kms") => cx.pass(
                &bucket.region,
                &arn,
                format!("default encryption is {} with a KMS key", e.algorithm),
                json!({ "bucket": bucket.name, "algorithm": e.algorithm, "kms_key_id": e.kms_key_id }),
            ),
            Some(e) => cx.fail(
                &bucket.region,
                &arn,
                format!("default encryption is {}, not a KMS key", e.algorithm),
                json!({ "bucket": bucket.name, "algorithm": e.algorithm }),
            ),
            None => cx.fail(
                &bucket.region,
                &arn,
                "the bucket has no default encryption",
                json!({ "bucket": bucket.name, "default_encryption": null }),
            ),
        }
    }
}
