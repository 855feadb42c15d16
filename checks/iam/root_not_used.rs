use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-02",
    slug: "root-not-used",
    title: "Root account has not been used recently",
    severity: Severity::High,
    sources: &[Source::IamCredentialReport],
    rationale: "Everyday work as root is work without a unique identifier and without least privilege; root should be used only for the few tasks that need it.",
    remediation: "Give each person an IAM Identity Center or IAM identity with the permissions they need, lock the root credentials away, and alarm on root sign-in (CloudTrail metric filter).",
    references: &["CIS AWS 1.7", "Security Hub CloudWatch.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(report) = cx.get(&inv.iam.credential_report, GLOBAL) else {
        return;
    };
    let root = inv.root_arn();
    let Some(row) = &report.root else {
        // No other bulk API says when root last signed in, so say we could not tell.
        cx.error(
            GLOBAL,
            &root,
            "could not be evaluated: the credential report has no <root_account> row (AWS always writes one; some emulators do not)",
            json!({ "credential_report_root_row": null }),
        );
        return;
    };
    let days = cx.settings.thresholds.root_unused_days;
    let last_used = row.last_used();
    let recent = last_used.is_some_and(|t| (cx.now - t).num_days() < i64::from(days));
    let evidence = json!({
        "password_last_used": row.password_last_used,
        "access_keys_last_used": row.access_keys.iter().map(|k| k.last_used).collect::<Vec<_>>(),
        "threshold_days": days,
    });
    if recent {
        cx.fail(
            GLOBAL,
            &root,
            format!("the root account was used within the last {days} days"),
            evidence,
        );
    } else {
        cx.pass(
            GLOBAL,
            &root,
            format!("the root account was not used in the last {days} days"),
            evidence,
        );
    }
}
