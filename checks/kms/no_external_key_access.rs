use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::checks::external::pass_unless_analyzer_disagrees;
use crate::engine::access::{Audience, Party, name_outsiders};
use crate::inventory::{KeyManager, Source};

pub static CHECK: Check = Check {
    id: "KMS-02",
    slug: "no-external-key-access",
    title: "No KMS key policy lets everyone or an account outside the organization use the key",
    severity: Severity::High,
    sources: &[Source::KmsKeys, Source::AccessAnalyzers],
    rationale: "The TOM promises that customer data is reached only by the people entitled to it. Whoever may use a customer-managed key may decrypt what it protects (buckets, volumes, databases, backups): a key policy statement that allows everyone without a condition narrowing who, or an account that is neither this one, one of its organization, nor a partner listed in `trusted_accounts` (by its id, an ARN in it, or kms:CallerAccount / aws:PrincipalAccount naming it), opens that data to someone the customer does not know. AWS-managed keys' policies are AWS's and allow only this account through AWS services. An active IAM Access Analyzer finding on the key is a second opinion that a pass never overrules.",
    remediation: "Remove the statements the evidence names: aws kms get-key-policy --key-id KEY --policy-name default, edit, then aws kms put-key-policy --key-id KEY --policy-name default --policy file://policy.json. A partner that must use the key goes in trusted_accounts in tomscan.toml; sister accounts are known when the organization is scanned (scan --org), or narrow the statement with aws:PrincipalOrgID.",
    references: &[
        "IAM Access Analyzer external access findings",
        "Security Hub KMS.5",
    ],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let audience = Audience::of(inv, cx.settings);
    let mut judged = 0;
    for (region, facts) in cx.regions() {
        let Some(keys) = cx.get(&facts.kms_keys, region) else {
            continue;
        };
        for key in keys {
            // Whose key it is decides whether its policy is the customer's to judge.
            let Some(meta) = cx.get_for(&key.metadata, region, &key.arn) else {
                judged += 1;
                continue;
            };
            if meta.manager == KeyManager::Aws {
                continue;
            }
            judged += 1;
            let Some(policy) = cx.get_for(&key.policy, region, &key.arn) else {
                continue;
            };
            let grants = policy.external_grants(&audience);
            let evidence = json!({
                "key_id": key.id,
                "state": meta.state,
                "external_statements": grants,
                "organization_accounts_known": audience.knows_organization(),
            });
            if grants.is_empty() {
                pass_unless_analyzer_disagrees(
                    cx,
                    region,
                    &key.arn,
                    "the key policy lets in no one outside this account, its organization and the trusted accounts",
                    evidence,
                );
                continue;
            }
            let mut parties: Vec<Party> = Vec::new();
            for p in grants.iter().flat_map(|g| &g.parties) {
                if !parties.contains(p) {
                    parties.push(p.clone());
                }
            }
            let who = name_outsiders(&parties, audience.knows_organization());
            cx.fail(
                region,
                &key.arn,
                format!("the key policy lets {who} use the key"),
                evidence,
            );
        }
    }
    if judged == 0 {
        cx.not_applicable(
            GLOBAL,
            "no customer-managed KMS keys in the scanned regions",
        );
    }
}
