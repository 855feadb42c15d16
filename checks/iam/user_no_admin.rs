use serde_json::json;

use super::grants_full_admin;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Authorization, InlinePolicy, Principal, Source};

pub static CHECK: Check = Check {
    id: "IAM-05",
    slug: "user-no-admin",
    title: "No IAM user holds full administrator access",
    severity: Severity::High,
    sources: &[Source::IamAuthorization],
    rationale: "The TOM limits access to what each function needs. A long-lived user with `*` on `*` (AdministratorAccess or an equivalent custom policy) is the opposite, and its keys are the most valuable thing in the account to steal.",
    remediation: "Detach AdministratorAccess and every `\"Action\": \"*\", \"Resource\": \"*\"` policy from the user and its groups; grant a least-privilege policy instead, and reach admin only through a role assumed with MFA for the task at hand.",
    references: &["CIS AWS 1.16", "Security Hub IAM.1"],
    run,
    module: module_path!(),
};

const ADMINISTRATOR_ACCESS: &str = ":policy/AdministratorAccess";

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(auth) = cx.get(&inv.iam.authorization, GLOBAL) else {
        return;
    };
    if auth.users.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no IAM users");
    }
    for user in &auth.users {
        let grants = admin_grants(auth, user);
        let evidence = json!({ "user": user.name, "admin_grants": grants });
        if grants.is_empty() {
            cx.pass(
                GLOBAL,
                &user.arn,
                "user holds no full-admin policy",
                evidence,
            );
        } else {
            cx.fail(
                GLOBAL,
                &user.arn,
                format!(
                    "user {} holds full admin through {}",
                    user.name,
                    grants.join(", ")
                ),
                evidence,
            );
        }
    }
}

/// How the user comes to hold `*` on `*`: "attached AdministratorAccess",
/// "inline policy x", "group ops: attached policy y".
fn admin_grants(auth: &Authorization, user: &Principal) -> Vec<String> {
    let mut grants = own_grants(auth, user);
    for group in user.groups.iter().filter_map(|g| auth.group(g)) {
        grants.extend(
            own_grants(auth, group)
                .into_iter()
                .map(|g| format!("group {}: {g}", group.name)),
        );
    }
    grants
}

fn own_grants(auth: &Authorization, principal: &Principal) -> Vec<String> {
    let attached = principal.attached_policies.iter().filter(|arn| {
        arn.ends_with(ADMINISTRATOR_ACCESS)
            || auth
                .policy(arn)
                .is_some_and(|p| grants_full_admin(&p.document))
    });
    let inline = principal
        .inline_policies
        .iter()
        .filter(|p| grants_full_admin(&p.document))
        .map(|p: &InlinePolicy| format!("inline policy {}", p.name));
    attached
        .map(|arn| format!("attached policy {arn}"))
        .chain(inline)
        .collect()
}
