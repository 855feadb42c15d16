use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-01",
    slug: "bucket-default-encryption",
    title: "Every S3 bucket has default encryption",
    severity: Severity::High,
    sources: &[Source::S3BucketEncryption],
    rationale: "The TOM promises customer data is not readable by unauthorised parties in storage; default encryption makes sure no object lands in a bucket unencrypted.",
    remediation: "aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\"},\"BucketKeyEnabled\":true}]}'",
    references: &["CIS AWS 2.1.1 (v1.4)", "Security Hub S3.4"],
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
        let arn = format!("arn:{}:s3:::{}", inv.partition_or_default(), bucket.name);
        let Some(encryption) = cx.get_for(&bucket.encryption, &bucket.region, &arn) else {
            continue;
        };
        match encryption {
            Some(e) => cx.pass(
                &bucket.region,
                &arn,
                format!("default encryption is {}", e.algorithm),
                json!({ "bucket": bucket.name, "algorithm": e.algorithm, "kms_key_id": e.kms_key_id, "bucket_key_enabled": e.bucket_key_enabled }),
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
