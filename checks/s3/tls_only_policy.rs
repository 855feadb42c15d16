use serde_json::{Value, json};

use super::{each_bucket, effect_is, is_everyone, statements, strings};
use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-06",
    slug: "tls-only-policy",
    title: "Every bucket policy denies requests without TLS",
    severity: Severity::Medium,
    sources: &[Source::S3BucketPolicy],
    rationale: "The TOM promises customer data is encrypted in transit. S3 still answers plain HTTP; only a bucket policy that denies requests with aws:SecureTransport false (or an old TLS version) makes sure no client reads or writes the data unencrypted.",
    remediation: "Add to the bucket policy: {\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::BUCKET\",\"arn:aws:s3:::BUCKET/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}} with aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json",
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
        let denying: Vec<Value> = statements(policy)
            .into_iter()
            .filter(denies_insecure_transport)
            .collect();
        cx.verdict(
            !denying.is_empty(),
            &bucket.region,
            &arn,
            (
                "the bucket policy denies requests without TLS",
                "the bucket policy has no statement denying all actions to everyone without TLS",
            ),
            json!({ "bucket": bucket.name, "tls_deny_statements": denying }),
        );
    }
}

/// `Deny` of `s3:*` to everyone, conditioned only on plain HTTP or an old TLS version.
fn denies_insecure_transport(statement: &Value) -> bool {
    effect_is(statement, "Deny")
        && is_everyone(statement.get("Principal"))
        && strings(statement.get("Action"))
            .iter()
            .any(|a| *a == "*" || a.eq_ignore_ascii_case("s3:*"))
        && statement.get("Condition").is_some_and(tls_condition)
}

/// Every condition of the statement is about transport, so it denies every insecure request
/// (another condition beside it would narrow the deny to a subset of them).
fn tls_condition(condition: &Value) -> bool {
    let Some(operators) = condition.as_object() else {
        return false;
    };
    !operators.is_empty()
        && operators.iter().all(|(operator, keys)| {
            let Some(keys) = keys.as_object() else {
                return false;
            };
            !keys.is_empty()
                && keys.iter().all(|(key, value)| {
                    (matches!(operator.as_str(), "Bool" | "BoolIfExists")
                        && key.eq_ignore_ascii_case("aws:SecureTransport")
                        && is_false(value))
                        || (operator.starts_with("NumericLessThan")
                            && key.eq_ignore_ascii_case("s3:TlsVersion"))
                })
        })
}

fn is_false(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::String(s) => s.eq_ignore_ascii_case("false"),
        Value::Array(list) => list.iter().any(is_false),
        _ => false,
    }
}
