use serde_json::json;

use super::document_error;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Authorization, Collected, Principal, Source, Unavailable};
use crate::policy::PolicyDocument;

pub static CHECK: Check = Check {
    id: "IAM-05",
    slug: "user-no-admin",
    title: "No IAM user holds full administrator access",
    severity: Severity::High,
    sources: &[Source::IamAuthorization],
    rationale: "The TOM limits access to what each function needs. A long-lived user with every action on every resource (AdministratorAccess, `\"Action\": \"*\"`, or `\"NotAction\"` of a few actions on `*`, which is administrator in all but name) is the opposite, and its keys are the most valuable thing in the account to steal.",
    remediation: "Detach AdministratorAccess and every policy allowing `\"Action\": \"*\"` or `\"NotAction\": [...]` on `\"Resource\": \"*\"` from the user and its groups; grant a least-privilege policy instead, and reach admin only through a role assumed with MFA for the task at hand.",
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
        let found = admin_grants(auth, user);
        let evidence = json!({ "user": user.name, "admin_grants": found.grants });
        if !found.grants.is_empty() {
            // Definite: whatever the unreadable documents say, the user is an admin.
            let names: Vec<&str> = found.grants.iter().map(|g| g.via.as_str()).collect();
            cx.fail(
                GLOBAL,
                &user.arn,
                format!(
                    "user {} holds full admin through {}",
                    user.name,
                    names.join(", ")
                ),
                evidence,
            );
        } else if let Some((via, u)) = found.unreadable.first() {
            document_error(
                cx,
                &user.arn,
                u,
                json!({ "user": user.name, "policy": via }),
            );
        } else {
            cx.pass(
                GLOBAL,
                &user.arn,
                "user holds no full-admin policy",
                evidence,
            );
        }
    }
}

#[derive(serde::Serialize)]
struct Grant {
    via: String,
    statements: Vec<crate::policy::Judged>,
}

#[derive(Default)]
struct Found {
    grants: Vec<Grant>,
    /// Documents that could not be judged, with where they come from.
    unreadable: Vec<(String, Unavailable)>,
}

/// How the user comes to hold every action on every resource: "attached policy
/// ...AdministratorAccess", "inline policy x", "group ops: attached policy y".
fn admin_grants(auth: &Authorization, user: &Principal) -> Found {
    let mut found = Found::default();
    own_grants(auth, user, "", &mut found);
    for group in &user.groups {
        match auth.group(group) {
            Some(g) => own_grants(auth, g, &format!("group {}: ", g.name), &mut found),
            None => found.unreadable.push((
                format!("group {group}"),
                missing(format!("group {group} is not in the authorization details")),
            )),
        }
    }
    found
}

fn own_grants(auth: &Authorization, principal: &Principal, prefix: &str, found: &mut Found) {
    for arn in &principal.attached_policies {
        let via = format!("{prefix}attached policy {arn}");
        if arn.ends_with(ADMINISTRATOR_ACCESS) && arn.contains(":iam::aws:policy/") {
            found.grants.push(Grant {
                via,
                statements: Vec::new(),
            });
            continue;
        }
        if arn.contains(":iam::aws:policy/") {
            // AWS-managed: not collected; only AdministratorAccess is full admin.
            continue;
        }
        match auth.policy(arn) {
            Some(p) => judge(&p.document, via, found),
            None => found.unreadable.push((
                via,
                missing(format!(
                    "customer policy {arn} is attached but not in the authorization details"
                )),
            )),
        }
    }
    for p in &principal.inline_policies {
        judge(
            &p.document,
            format!("{prefix}inline policy {}", p.name),
            found,
        );
    }
}

fn judge(document: &Collected<PolicyDocument>, via: String, found: &mut Found) {
    match document {
        Collected::Ok(doc) => {
            let statements = doc.admin_grants();
            if !statements.is_empty() {
                found.grants.push(Grant { via, statements });
            }
        }
        Collected::Unavailable(u) => found.unreadable.push((via, u.clone())),
        Collected::NotCollected => found.unreadable.push((
            via.clone(),
            missing(format!("the inventory holds no document for {via}")),
        )),
    }
}

fn missing(message: String) -> Unavailable {
    Unavailable {
        action: "iam:GetAccountAuthorizationDetails".into(),
        code: "MissingPolicy".into(),
        message,
    }
}
