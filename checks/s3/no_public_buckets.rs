use serde_json::json;

use super::{bucket_arn, effect_is, has_condition, is_everyone, statements};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "S3-04",
    slug: "no-public-buckets",
    title: "No bucket policy or ACL grants public access",
    severity: Severity::Critical,
    sources: &[Source::S3BucketPolicy, Source::S3BucketAcl],
    rationale: "The TOM promises customer data is reachable only by the people entitled to it. A bucket policy that allows the principal \"*\" without a condition, or an ACL grant to AllUsers or AuthenticatedUsers, hands the bucket's data to anyone on the internet.",
    remediation: "Remove the statements that allow \"Principal\": \"*\" (or narrow them with a condition such as aws:SourceVpce or aws:PrincipalOrgID): aws s3api put-bucket-policy / delete-bucket-policy --bucket BUCKET; drop public grants with aws s3api put-bucket-acl --bucket BUCKET --acl private; then turn on Block Public Access (S3-02).",
    references: &["Security Hub S3.2", "Security Hub S3.3"],
    run,
    module: module_path!(),
};

const PUBLIC_GROUPS: [&str; 2] = ["/global/AllUsers", "/global/AuthenticatedUsers"];

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
        let policy = cx.get_for(&bucket.policy, &bucket.region, &arn);
        let acl = cx.get_for(&bucket.acl_grants, &bucket.region, &arn);
        let (Some(policy), Some(acl)) = (policy, acl) else {
            continue;
        };
        let (mut public, mut conditional) = (Vec::new(), Vec::new());
        for statement in policy.iter().flat_map(statements) {
            if !effect_is(&statement, "Allow") || !is_everyone(statement.get("Principal")) {
                continue;
            }
            if has_condition(&statement) {
                conditional.push(statement);
            } else {
                public.push(statement);
            }
        }
        let grants: Vec<_> = acl
            .iter()
            .filter(|g| {
                g.grantee_uri
                    .as_deref()
                    .is_some_and(|uri| PUBLIC_GROUPS.iter().any(|s| uri.ends_with(s)))
            })
            .map(|g| json!({ "grantee_uri": g.grantee_uri, "permission": g.permission }))
            .collect();
        let evidence = json!({
            "bucket": bucket.name,
            "has_policy": policy.is_some(),
            "public_statements": public,
            "conditional_statements_not_judged_public": conditional,
            "public_acl_grants": grants,
        });
        let message = match (public.is_empty(), grants.is_empty()) {
            (true, true) if conditional.is_empty() => {
                "neither the bucket policy nor the ACL grants public access".to_string()
            }
            (true, true) => format!(
                "no unconditional public grant; {} policy statement(s) allow everyone under a condition, not judged public",
                conditional.len()
            ),
            (false, true) => {
                "the bucket policy allows everyone (\"Principal\": \"*\") without a condition"
                    .to_string()
            }
            (true, false) => {
                "the bucket ACL grants access to AllUsers or AuthenticatedUsers".to_string()
            }
            (false, false) => {
                "the bucket policy allows everyone and the ACL grants access to a public group"
                    .to_string()
            }
        };
        if public.is_empty() && grants.is_empty() {
            cx.pass(&bucket.region, &arn, message, evidence);
        } else {
            cx.fail(&bucket.region, &arn, message, evidence);
        }
    }
}
