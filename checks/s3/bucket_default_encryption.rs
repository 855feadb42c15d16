use serde_json::json;

use super::each_bucket;
use crate::check::{Check, Cx, Severity};
use crate::checks::references::{Protected, judge_key};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-01",
    slug: "bucket-default-encryption",
    title: "Every S3 bucket has default encryption",
    severity: Severity::High,
    sources: &[
        Source::S3BucketEncryption,
        Source::KmsKeys,
        Source::KmsAliases,
    ],
    rationale: "The TOM promises customer data is not readable by unauthorised parties in storage; default encryption makes sure no object lands in a bucket unencrypted. A customer-managed KMS key it names must exist and be enabled: a key that is disabled, pending deletion or gone makes every write fail or, once deleted, every object it encrypted unreadable.",
    remediation: "aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\"},\"BucketKeyEnabled\":true}]}'",
    references: &["CIS AWS 2.1.1 (v1.4)", "Security Hub S3.4"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (bucket, arn, encryption) in each_bucket(cx, |b| &b.encryption) {
        match encryption {
            Some(e) if e.algorithm.starts_with("aws:kms") && e.kms_key_id.is_some() => {
                let key = e.kms_key_id.as_deref().unwrap_or_default();
                judge_key(
                    cx,
                    &bucket.region,
                    &arn,
                    key,
                    Protected {
                        encrypted_with: &format!("default encryption is {} with", e.algorithm),
                        data: "the bucket's objects",
                    },
                    json!({ "bucket": bucket.name, "algorithm": e.algorithm, "bucket_key_enabled": e.bucket_key_enabled }),
                );
            }
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
