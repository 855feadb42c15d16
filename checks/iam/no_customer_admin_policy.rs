use serde_json::json;

use super::grants_full_admin;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-11",
    slug: "no-customer-admin-policy",
    title: "No customer-managed policy grants full administrator access",
    severity: Severity::High,
    sources: &[Source::IamAuthorization],
    rationale: "The TOM limits access to what each function needs. A customer-managed policy that allows `*` on `*` hands out full administrator rights to whoever it is attached to, now or later, and hides that behind a harmless-looking policy name.",
    remediation: "Replace the `\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"` statement with the actions and resources the role actually needs (IAM Access Analyzer can generate a policy from CloudTrail activity), then publish it as the default version: aws iam create-policy-version --policy-arn POLICY_ARN --policy-document file://least-privilege.json --set-as-default.",
    references: &["CIS AWS 1.16", "Security Hub IAM.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(auth) = cx.get(&inv.iam.authorization, GLOBAL) else {
        return;
    };
    let mut judged = 0;
    for policy in auth.policies.iter().filter(|p| !p.aws_managed) {
        judged += 1;
        let admin = grants_full_admin(&policy.document);
        cx.verdict(
            !admin,
            GLOBAL,
            &policy.arn,
            (
                "the policy does not allow every action on every resource",
                "the policy allows every action (*) on every resource (*)",
            ),
            json!({ "policy": policy.name, "aws_managed": false, "grants_full_admin": admin, "document": policy.document }),
        );
    }
    if judged == 0 {
        cx.not_applicable(
            GLOBAL,
            "the account has no attached customer-managed policies",
        );
    }
}
