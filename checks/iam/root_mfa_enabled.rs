use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-03",
    slug: "root-mfa-enabled",
    title: "Root account has MFA enabled",
    severity: Severity::Critical,
    sources: &[Source::IamCredentialReport, Source::IamAccountSummary],
    rationale: "The root account can do anything in the account, including closing it; a password alone is one phishing mail away from losing it.",
    remediation: "Sign in as root, open Security credentials, and assign an MFA device (a hardware key is best). Keep the device in a safe with a documented recovery procedure.",
    references: &["CIS AWS 1.5", "CIS AWS 1.6", "Security Hub IAM.9"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    if super::root_without_credentials(cx) {
        return;
    }
    let Some((enabled, from)) = super::root_fact(cx, |row| row.mfa_active, |s| s.root_mfa_enabled)
    else {
        return;
    };
    let root = cx.inv.root_arn();
    cx.verdict(
        enabled,
        GLOBAL,
        &root,
        (
            "the root account has MFA enabled",
            "the root account has no MFA device",
        ),
        json!({ "root_mfa_enabled": enabled, "source": from }),
    );
}
