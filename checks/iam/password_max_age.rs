use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-09",
    slug: "password-max-age",
    title: "Passwords expire within the maximum age",
    severity: Severity::Low,
    sources: &[Source::IamPasswordPolicy],
    rationale: "The TOM promises that passwords are changed on a regular basis.",
    remediation: "aws iam update-account-password-policy --max-password-age 90 (with your other settings: the call replaces the whole policy).",
    references: &["CIS AWS 1.11 (v1.2)", "Security Hub IAM.16"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let Some(policy) = super::password_policy(cx) else {
        return;
    };
    let want = cx.settings.thresholds.password_max_age_days;
    let resource = super::password_policy_resource(cx);
    let evidence = json!({ "max_password_age_days": policy.max_age_days, "required_max": want });
    match policy.max_age_days {
        Some(days) if days <= want => cx.pass(
            GLOBAL,
            &resource,
            format!("passwords expire after {days} days"),
            evidence,
        ),
        Some(days) => cx.fail(
            GLOBAL,
            &resource,
            format!("passwords expire after {days} days, more than {want}"),
            evidence,
        ),
        None => cx.fail(GLOBAL, &resource, "passwords never expire", evidence),
    }
}
