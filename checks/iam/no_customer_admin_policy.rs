use serde_json::json;

use super::{document_error, power};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Authorization, Collected, Source};

pub static CHECK: Check = Check {
    id: "IAM-11",
    slug: "no-customer-admin-policy",
    title: "No attached customer-managed policy grants administrator access or a way to take it",
    severity: Severity::High,
    sources: &[Source::IamAuthorization],
    rationale: "The TOM limits access to what each function needs. A customer-managed policy attached to a user, group or role that allows every action on every resource, or every action of a published privilege-escalation path (iam:CreatePolicyVersion, iam:Put*Policy, iam:PassRole with ec2:RunInstances, ...), hands administrator rights to whoever holds it, behind a harmless-looking policy name. What the document allows is computed against the catalogue of every IAM action, however it is spelled (`*`, `iam:*`, wildcards in the name, `NotAction`, resources written `arn:aws:*` or `arn:*:*:*:*:*`), with its unconditional denies taken away. Unattached ones are reported by IAM-18.",
    remediation: "Replace the statements the evidence names (granted_by) with the actions and resources the holders actually need (IAM Access Analyzer can generate a policy from CloudTrail activity), then publish it as the default version: aws iam create-policy-version --policy-arn POLICY_ARN --policy-document file://least-privilege.json --set-as-default.",
    references: &["CIS AWS 1.16", "Security Hub IAM.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    judge_customer_policies(
        cx,
        true,
        (
            "the attached policy grants neither administrator access nor a known way to it",
            "the attached policy grants",
        ),
        "the account has no attached customer-managed policies",
    );
}

/// Judges the customer-managed policies that are attached (`attached`) or not: pass or
/// fail on whether they grant administrator access or a way to it (the permission
/// engine's verdict on the document alone), `error` for a document that could not be
/// read. `messages`: the pass message, and the fail message's start, which the verdict
/// completes ("... allows every action on every resource").
pub(crate) fn judge_customer_policies(
    cx: &mut Cx<'_>,
    attached: bool,
    messages: (&str, &str),
    none: &str,
) {
    let inv = cx.inv;
    let Some(auth) = cx.get(&inv.iam.authorization, GLOBAL) else {
        return;
    };
    let mut judged = 0;
    for policy in auth.policies.iter().filter(|p| !p.aws_managed) {
        let holders = holders(auth, &policy.arn);
        let is_attached = policy.attachment_count.is_some_and(|n| n > 0) || !holders.is_empty();
        if is_attached != attached {
            continue;
        }
        judged += 1;
        let mut evidence = json!({
            "policy": policy.name,
            "aws_managed": false,
            "attachment_count": policy.attachment_count,
            "attached_to": holders,
        });
        match &policy.document {
            Collected::Ok(doc) => {
                let power = power(&[(format!("policy {}", policy.name), doc)], &inv.account_id);
                for (k, v) in power.evidence.as_object().into_iter().flatten() {
                    evidence[k] = v.clone();
                }
                evidence["document"] = doc.to_value();
                let fail = format!("{} {}", messages.1, power.phrase);
                cx.verdict(
                    !power.is_admin(),
                    GLOBAL,
                    &policy.arn,
                    (messages.0, &fail),
                    evidence,
                );
            }
            Collected::Unavailable(u) => document_error(cx, &policy.arn, u, evidence),
            Collected::NotCollected => cx.error(
                GLOBAL,
                &policy.arn,
                "could not be evaluated: the inventory holds no document for this policy",
                evidence,
            ),
        }
    }
    if judged == 0 {
        cx.not_applicable(GLOBAL, none);
    }
}

/// The users, groups and roles a managed policy is attached to, by kind and name.
fn holders(auth: &Authorization, arn: &str) -> Vec<String> {
    [
        ("user", &auth.users),
        ("group", &auth.groups),
        ("role", &auth.roles),
    ]
    .into_iter()
    .flat_map(|(kind, list)| {
        list.iter()
            .filter(|p| p.attached_policies.iter().any(|a| a == arn))
            .map(move |p| format!("{kind} {}", p.name))
    })
    .collect()
}
