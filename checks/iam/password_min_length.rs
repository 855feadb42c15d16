use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-07",
    slug: "password-min-length",
    title: "Password policy requires a minimum length",
    severity: Severity::Medium,
    sources: &[Source::IamPasswordPolicy],
    rationale: "Length is what makes a password hard to guess; the TOM promises defined minimum complexity.",
    remediation: "aws iam update-account-password-policy --minimum-password-length 14 (keep the other settings you pass; the call replaces the whole policy).",
    references: &["CIS AWS 1.8", "Security Hub IAM.15"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let Some(policy) = super::password_policy(cx) else {
        return;
    };
    let want = cx.settings.thresholds.password_min_length;
    let have = policy.minimum_length;
    let resource = super::password_policy_resource(cx);
    cx.verdict(
        have >= want,
        GLOBAL,
        &resource,
        (
            &format!("minimum password length is {have} (at least {want} required)"),
            &format!("minimum password length is {have}, below the required {want}"),
        ),
        json!({ "minimum_password_length": have, "required": want }),
    );
}
