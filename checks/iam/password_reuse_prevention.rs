use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-10",
    slug: "password-reuse-prevention",
    title: "Password policy prevents reuse of recent passwords",
    severity: Severity::Low,
    sources: &[Source::IamPasswordPolicy],
    rationale: "A regular change means little if the old password can simply come back.",
    remediation: "aws iam update-account-password-policy --password-reuse-prevention 24 (with your other settings: the call replaces the whole policy).",
    references: &["CIS AWS 1.9", "Security Hub IAM.16"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let Some(policy) = super::password_policy(cx) else {
        return;
    };
    let want = cx.settings.thresholds.password_reuse_prevention;
    let have = policy.reuse_prevention.unwrap_or(0);
    let resource = super::password_policy_resource(cx);
    cx.verdict(
        have >= want,
        GLOBAL,
        &resource,
        (
            &format!("the last {have} passwords cannot be reused"),
            &format!("only the last {have} passwords are blocked from reuse; {want} required"),
        ),
        json!({ "password_reuse_prevention": policy.reuse_prevention, "required": want }),
    );
}
