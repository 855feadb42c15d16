use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-12",
    slug: "no-user-attached-policies",
    title: "IAM users receive permissions only through groups or roles",
    severity: Severity::Low,
    sources: &[Source::IamAuthorization],
    rationale: "The TOM ties access rights to functions. Permissions granted to groups or roles follow the function and are reviewed in one place; policies attached to individual users drift, survive role changes and make the authorisation concept impossible to audit.",
    remediation: "Put the user in a group that carries the permissions (aws iam add-user-to-group --group-name GROUP --user-name USER), then remove the user's own policies: aws iam detach-user-policy --user-name USER --policy-arn POLICY_ARN and aws iam delete-user-policy --user-name USER --policy-name NAME.",
    references: &["CIS AWS 1.15", "Security Hub IAM.2"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(auth) = cx.get(&inv.iam.authorization, GLOBAL) else {
        return;
    };
    if auth.users.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no IAM users");
    }
    for user in &auth.users {
        let inline: Vec<&str> = user
            .inline_policies
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let evidence = json!({
            "user": user.name,
            "groups": user.groups,
            "attached_policies": user.attached_policies,
            "inline_policies": inline,
        });
        if user.attached_policies.is_empty() && inline.is_empty() {
            cx.pass(
                GLOBAL,
                &user.arn,
                "the user has no policies of its own",
                evidence,
            );
        } else {
            cx.fail(
                GLOBAL,
                &user.arn,
                format!(
                    "user {} has {} attached and {} inline policies of its own",
                    user.name,
                    user.attached_policies.len(),
                    inline.len()
                ),
                evidence,
            );
        }
    }
}
