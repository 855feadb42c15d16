use serde_json::json;

use super::document_error;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::checks::external::pass_unless_analyzer_disagrees;
use crate::engine::access::Audience;
use crate::inventory::{Collected, Source};

pub static CHECK: Check = Check {
    id: "IAM-17",
    slug: "no-open-role-trust",
    title: "No role can be assumed by anyone or by an unknown outside account",
    severity: Severity::High,
    sources: &[Source::IamAuthorization, Source::AccessAnalyzers],
    rationale: "The TOM limits access to the people whose function needs it. A role whose trust policy lets any principal (`\"AWS\": \"*\"`) assume it, an AWS account the customer does not know (no `sts:ExternalId`, no organization condition), or every user of a web-identity provider (GitHub Actions without a `:sub` condition) is open access to whatever the role may do. Service principals and the account's own principals are fine; known partner accounts are listed in `trusted_accounts` in tomscan.toml. An active IAM Access Analyzer finding that the role can be assumed from outside is a second opinion that a pass never overrules.",
    remediation: "Narrow the trust policy (aws iam update-assume-role-policy --role-name ROLE --policy-document file://trust.json): name the exact principals, require `sts:ExternalId` from third parties, add `aws:PrincipalOrgID` for your organization, and pin web identities with a `<provider>:sub` condition such as `repo:my-org/my-repo:ref:refs/heads/main`. List partner accounts you do trust in `trusted_accounts`.",
    references: &[
        "IAM Access Analyzer external access findings",
        "IAM User Guide: the confused deputy problem (sts:ExternalId)",
    ],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(auth) = cx.get(&inv.iam.authorization, GLOBAL) else {
        return;
    };
    if auth.roles.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no IAM roles");
    }
    let settings = cx.settings;
    let trusted = &settings.trusted_accounts;
    let audience = Audience::of(inv, settings);
    for role in &auth.roles {
        match &role.trust_policy {
            Collected::Ok(doc) => {
                let open = doc.open_trust(&audience);
                let why: Vec<&str> = open.iter().map(|j| j.why.as_str()).collect();
                let evidence = json!({
                    "role": role.name,
                    "trusted_accounts": trusted,
                    "open_statements": open,
                    "trust_policy": doc.to_value(),
                });
                if open.is_empty() {
                    pass_unless_analyzer_disagrees(
                        cx,
                        GLOBAL,
                        &role.arn,
                        "only this account, trusted accounts, services or pinned identities can assume the role",
                        evidence,
                    );
                } else {
                    cx.fail(
                        GLOBAL,
                        &role.arn,
                        format!("role {}: the trust policy {}", role.name, why.join("; ")),
                        evidence,
                    );
                }
            }
            Collected::Unavailable(u) => {
                document_error(cx, &role.arn, u, json!({ "role": role.name }));
            }
            Collected::NotCollected => cx.error(
                GLOBAL,
                &role.arn,
                "could not be evaluated: the inventory holds no trust policy for this role",
                json!({ "role": role.name }),
            ),
        }
    }
}
