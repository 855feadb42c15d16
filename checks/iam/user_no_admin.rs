use serde_json::json;

use super::{document_error, power};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::policy::PolicyDocument;
use crate::inventory::{Authorization, Collected, Principal, Source, Unavailable};

pub static CHECK: Check = Check {
    id: "IAM-05",
    slug: "user-no-admin",
    title: "No IAM user holds administrator access or a way to take it",
    severity: Severity::High,
    sources: &[Source::IamAuthorization],
    rationale: "The TOM limits access to what each function needs. A long-lived user that can do everything is the opposite, and its keys are the most valuable thing in the account to steal; so is one that can make itself an administrator. What the user's policies allow together (its own, inline and attached, and its groups'; AWS-managed ones by their document) is computed against the catalogue of every IAM action, unconditional denies taken away, on every resource (`*`, `arn:aws:*`, `arn:*:*:*:*:*`, or all of a service's resources): the user fails when that is every action, or when it holds every action of a published privilege-escalation path (iam:CreatePolicyVersion, iam:Attach*Policy, iam:PassRole with a compute service, sts:AssumeRole on every role, ...; data/escalation-paths.toml, after Rhino Security Labs, cloudsplaining and pathfinding.cloud). Permission boundaries and service control policies are not read, so they cannot lift a failure.",
    remediation: "Detach the policies the evidence names (granted_by) from the user and its groups, or narrow their statements to the actions and resources the user needs; for an escalation path, remove one of its actions or scope it to named resources. Reach administrator only through a role assumed with MFA for the task at hand.",
    references: &["CIS AWS 1.16", "Security Hub IAM.1"],
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
        let held = held_documents(auth, user);
        let power = power(&held.documents, &inv.account_id);
        let mut evidence = power.evidence.clone();
        evidence["user"] = json!(user.name);
        evidence["policies"] = json!(
            held.documents
                .iter()
                .map(|(via, _)| via)
                .collect::<Vec<_>>()
        );
        if power.is_admin() {
            // A failure whatever the unreadable documents say: only an unconditional
            // deny in one could take something away, and even then it is no pass.
            let via: Vec<&str> = evidence["granted_by"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|g| g["via"].as_str())
                .collect();
            let message = format!(
                "user {} holds {} through {}",
                user.name,
                power.phrase,
                via.join(", ")
            );
            cx.fail(GLOBAL, &user.arn, message, evidence);
        } else if let Some((via, u)) = held.unreadable.first() {
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
                format!("user holds {}", power.phrase),
                evidence,
            );
        }
    }
}

#[derive(Default)]
struct Held<'a> {
    /// Every readable document the user holds, with how: "attached policy ARN",
    /// "inline policy x", "group ops: attached policy y".
    documents: Vec<(String, &'a PolicyDocument)>,
    /// Documents that could not be judged, with where they come from.
    unreadable: Vec<(String, Unavailable)>,
}

fn held_documents<'a>(auth: &'a Authorization, user: &'a Principal) -> Held<'a> {
    let mut held = Held::default();
    own_documents(auth, user, "", &mut held);
    for group in &user.groups {
        match auth.group(group) {
            Some(g) => own_documents(auth, g, &format!("group {}: ", g.name), &mut held),
            None => held.unreadable.push((
                format!("group {group}"),
                missing(format!("group {group} is not in the authorization details")),
            )),
        }
    }
    held
}

fn own_documents<'a>(
    auth: &'a Authorization,
    principal: &'a Principal,
    prefix: &str,
    held: &mut Held<'a>,
) {
    for arn in &principal.attached_policies {
        let via = format!("{prefix}attached policy {arn}");
        match auth.policy(arn) {
            Some(p) => add(&p.document, via, held),
            None => held.unreadable.push((
                via,
                missing(format!(
                    "managed policy {arn} is attached but not in the authorization details"
                )),
            )),
        }
    }
    for p in &principal.inline_policies {
        add(
            &p.document,
            format!("{prefix}inline policy {}", p.name),
            held,
        );
    }
}

fn add<'a>(document: &'a Collected<PolicyDocument>, via: String, held: &mut Held<'a>) {
    match document {
        Collected::Ok(doc) => held.documents.push((via, doc)),
        Collected::Unavailable(u) => held.unreadable.push((via, u.clone())),
        Collected::NotCollected => held.unreadable.push((
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
