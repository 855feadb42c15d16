use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-04",
    slug: "user-single-active-key",
    title: "No IAM user has more than one active access key",
    severity: Severity::Medium,
    sources: &[Source::IamCredentialReport],
    rationale: "A second active key is usually a key handed to another person or system: one user id then stands for several actors, and rotation leaves the old key alive.",
    remediation: "Find which key is in use (access_key_N_last_used_date in the credential report), move every consumer to it, then deactivate and delete the other.",
    references: &["CIS AWS 1.13", "Security Hub IAM.3"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(report) = cx.get(&inv.iam.credential_report, GLOBAL) else {
        return;
    };
    if report.users.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no IAM users");
    }
    for user in &report.users {
        let active = user.active_keys().count();
        let evidence = json!({ "user": user.user, "active_access_keys": active });
        if active > 1 {
            cx.fail(
                GLOBAL,
                &user.arn,
                format!("user {} has {active} active access keys", user.user),
                evidence,
            );
        } else {
            cx.pass(
                GLOBAL,
                &user.arn,
                format!("user {} has {active} active access key(s)", user.user),
                evidence,
            );
        }
    }
}
