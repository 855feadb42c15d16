use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-08",
    slug: "password-complexity",
    title: "Password policy requires upper, lower, number and symbol",
    severity: Severity::Medium,
    sources: &[Source::IamPasswordPolicy],
    rationale: "The TOM promises minimum complexity requirements for every password.",
    remediation: "aws iam update-account-password-policy --require-uppercase-characters --require-lowercase-characters --require-numbers --require-symbols (with your other settings: the call replaces the whole policy).",
    references: &["CIS AWS 1.8 (v1.2: 1.5-1.8)", "Security Hub IAM.7"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let Some(p) = super::password_policy(cx) else {
        return;
    };
    let missing: Vec<&str> = [
        (p.require_uppercase, "uppercase"),
        (p.require_lowercase, "lowercase"),
        (p.require_numbers, "numbers"),
        (p.require_symbols, "symbols"),
    ]
    .into_iter()
    .filter_map(|(required, name)| (!required).then_some(name))
    .collect();
    let resource = super::password_policy_resource(cx);
    cx.verdict(
        missing.is_empty(),
        GLOBAL,
        &resource,
        (
            "password policy requires uppercase, lowercase, numbers and symbols",
            &format!("password policy does not require {}", missing.join(", ")),
        ),
        json!({
            "require_uppercase": p.require_uppercase,
            "require_lowercase": p.require_lowercase,
            "require_numbers": p.require_numbers,
            "require_symbols": p.require_symbols,
        }),
    );
}
