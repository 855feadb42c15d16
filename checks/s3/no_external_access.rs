use serde_json::json;

use super::each_bucket;
use crate::check::{Check, Cx, Severity};
use crate::checks::external::pass_unless_analyzer_disagrees;
use crate::engine::access::{Audience, Party, name_outsiders};
use crate::inventory::{AclGrant, Source};

pub static CHECK: Check = Check {
    id: "S3-10",
    slug: "no-external-access",
    title: "No bucket policy or ACL grants access to an account outside the organization",
    severity: Severity::High,
    sources: &[
        Source::S3BucketPolicy,
        Source::S3BucketAcl,
        Source::AccessAnalyzers,
    ],
    rationale: "The TOM promises that customer data is reached only by the people entitled to it, on a need-to-know basis. A bucket policy statement that lets in an account that is neither this one, one of its organization, nor a partner listed in `trusted_accounts` (by its id, an ARN in it, a wildcard ARN, or a condition such as aws:PrincipalAccount that names it), or an ACL grant to another canonical user or an e-mail address, hands the bucket to someone the customer does not know, however well the bucket is otherwise kept. Grants to everyone are S3-04's. An active IAM Access Analyzer finding on the bucket is a second opinion that a pass never overrules.",
    remediation: "Remove the statements or grants the evidence names: aws s3api put-bucket-policy --bucket BUCKET --policy file://policy.json; turn ACLs off with aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'. A partner that must read the bucket goes in trusted_accounts in tomscan.toml; sister accounts are known when the organization is scanned (scan --org), or narrow the statement with aws:PrincipalOrgID.",
    references: &[
        "IAM Access Analyzer external access findings",
        "Security Hub S3.6",
    ],
    run,
    module: module_path!(),
};

/// The ACL grantees that are another account: a canonical user that is not the bucket's
/// owner, or an e-mail address. Canonical ids name no account id, so the organization
/// and trusted accounts cannot be matched against them: each is an unknown party.
fn external_acl_grants(acl: &[AclGrant]) -> Vec<&AclGrant> {
    acl.iter()
        .filter(|g| g.grantee_uri.is_none() && !g.to_owner)
        .collect()
}

fn run(cx: &mut Cx<'_>) {
    let audience = Audience::of(cx.inv, cx.settings);
    for (bucket, arn, policy) in each_bucket(cx, |b| &b.policy) {
        let Some(acl) = cx.get_for(&bucket.acl_grants, &bucket.region, &arn) else {
            continue;
        };
        let grants: Vec<_> = policy
            .iter()
            .flat_map(|d| d.external_grants(&audience))
            .filter(|g| !g.parties.contains(&Party::Everyone))
            .collect();
        let acl_grants = external_acl_grants(acl);
        let evidence = json!({
            "bucket": bucket.name,
            "external_statements": grants,
            "external_acl_grants": acl_grants
                .iter()
                .map(|g| json!({ "grantee_type": g.grantee_type, "grantee": g.grantee_id, "permission": g.permission }))
                .collect::<Vec<_>>(),
            "organization_accounts_known": audience.knows_organization(),
        });
        if grants.is_empty() && acl_grants.is_empty() {
            pass_unless_analyzer_disagrees(
                cx,
                &bucket.region,
                &arn,
                "neither the bucket policy nor the ACL names an account outside this one, its organization and the trusted accounts (grants to everyone are S3-04's)",
                evidence,
            );
            continue;
        }
        let mut parts = Vec::new();
        let mut parties: Vec<Party> = Vec::new();
        for p in grants.iter().flat_map(|g| &g.parties) {
            if !parties.contains(p) {
                parties.push(p.clone());
            }
        }
        if !parties.is_empty() {
            parts.push(format!(
                "the bucket policy lets in {}",
                name_outsiders(&parties, audience.knows_organization())
            ));
        }
        if !acl_grants.is_empty() {
            let who: Vec<String> = acl_grants
                .iter()
                .map(|g| {
                    format!(
                        "{} {} ({})",
                        if g.grantee_type == "AmazonCustomerByEmail" {
                            "e-mail grantee"
                        } else {
                            "canonical user"
                        },
                        g.grantee_id.as_deref().unwrap_or("unnamed"),
                        g.permission
                    )
                })
                .collect();
            parts.push(format!(
                "the ACL grants another account: {}",
                who.join(", ")
            ));
        }
        cx.fail(&bucket.region, &arn, parts.join("; "), evidence);
    }
}
