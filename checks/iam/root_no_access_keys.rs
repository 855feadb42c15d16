use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-01",
    slug: "root-no-access-keys",
    title: "Root account has no access keys",
    severity: Severity::Critical,
    sources: &[Source::IamCredentialReport, Source::IamAccountSummary],
    rationale: "Root access keys are a shared, unrestricted credential that no policy can limit and no user can be held to; work done with them is not tied to a unique identity.",
    remediation: "Sign in as root, open Security credentials, and delete every access key. Use IAM roles or users with least-privilege policies instead.",
    references: &["CIS AWS 1.4", "Security Hub IAM.4"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let Some((present, from)) = super::root_fact(
        cx,
        |row| row.active_keys().next().is_some(),
        |s| s.root_access_keys_present,
    ) else {
        return;
    };
    let root = cx.inv.root_arn();
    cx.verdict(
        !present,
        GLOBAL,
        &root,
        (
            "the root account has no active access keys",
            "the root account has active access keys",
        ),
        json!({ "root_access_keys_present": present, "source": from }),
    );
}
