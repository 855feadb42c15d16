use serde_json::json;

use super::each_bucket;
use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-06",
    slug: "tls-only-policy",
    title: "Every bucket policy denies requests without TLS",
    severity: Severity::Medium,
    sources: &[Source::S3BucketPolicy],
    rationale: "The TOM promises customer data is encrypted in transit. S3 still answers plain HTTP; only a bucket policy statement that denies every principal every S3 action on the bucket and its objects when aws:SecureTransport is false makes sure no client reads or writes the data unencrypted. A deny on s3:TlsVersion alone never matches plain HTTP (such a request carries no TLS version), and one that ANDs another condition, or leaves out the bucket or `bucket/*`, lets some plain-HTTP requests through. A TLS-version deny beside it is welcome.",
    remediation: "Add to the bucket policy: {\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::BUCKET\",\"arn:aws:s3:::BUCKET/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}} with aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json; deny old TLS versions in a separate statement (NumericLessThan s3:TlsVersion 1.2).",
    references: &["CIS AWS 2.1.2", "Security Hub S3.5"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (bucket, arn, policy) in each_bucket(cx, |b| &b.policy) {
        let Some(policy) = policy else {
            cx.fail(
                &bucket.region,
                &arn,
                "no bucket policy, so nothing denies requests without TLS",
                json!({ "bucket": bucket.name, "policy": null }),
            );
            continue;
        };
        let tls = policy.tls_enforcement(&arn);
        let evidence = json!({
            "bucket": bucket.name,
            "tls_deny_statements": tls.enforcing,
            "tls_version_deny_statements": tls.tls_version_denies,
            "ineffective_statements": tls.ineffective,
        });
        if tls.is_enforced() {
            let message = if tls.tls_version_denies.is_empty() {
                "the bucket policy denies every request without TLS".to_string()
            } else {
                "the bucket policy denies every request without TLS, and old TLS versions"
                    .to_string()
            };
            cx.pass(&bucket.region, &arn, message, evidence);
            continue;
        }
        let why: Vec<String> = tls
            .ineffective
            .iter()
            .chain(&tls.tls_version_denies)
            .map(|j| match &j.sid {
                Some(sid) => format!("statement {sid}: {}", j.why),
                None => format!("statement {}: {}", j.index, j.why),
            })
            .collect();
        let message = if why.is_empty() {
            "the bucket policy has no statement denying all actions to everyone without TLS"
                .to_string()
        } else {
            format!(
                "no statement denies every request without TLS; {}",
                why.join("; ")
            )
        };
        cx.fail(&bucket.region, &arn, message, evidence);
    }
}
