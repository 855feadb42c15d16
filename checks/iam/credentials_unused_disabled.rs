use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::days;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-14",
    slug: "credentials-unused-disabled",
    title: "Credentials unused for the threshold period are disabled",
    severity: Severity::Medium,
    sources: &[Source::IamCredentialReport],
    rationale: "The TOM promises that access rights are withdrawn when they are no longer needed. A password or access key nobody has used for weeks belongs to someone who left or a job that ended; while it stays active it can still be stolen and used, and nobody would notice.",
    remediation: "Disable what is not used: aws iam delete-login-profile --user-name USER for an unused console password, aws iam update-access-key --user-name USER --access-key-id KEY_ID --status Inactive for an unused key (delete it later if nothing breaks), or delete the user altogether.",
    references: &["CIS AWS 1.12", "Security Hub IAM.8", "Security Hub IAM.22"],
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
    let threshold = cx.settings.thresholds.credentials_unused_days;
    let now = cx.now;
    let stale = |t: Option<DateTime<Utc>>| t.is_none_or(|t| now - t >= days(threshold));
    for user in &report.users {
        let mut credentials: Vec<Value> = Vec::new();
        let mut unused: Vec<String> = Vec::new();
        if user.password_enabled {
            // A password never used counts from when it was set (console access is often
            // added long after the user was created), else from the user's creation.
            let since = user
                .password_last_used
                .or(user.password_last_changed)
                .or(user.created);
            credentials.push(json!({
                "credential": "password",
                "last_used": user.password_last_used,
                "last_changed": user.password_last_changed,
                "created": user.created,
                "unused": stale(since),
            }));
            if stale(since) {
                unused.push("password".into());
            }
        }
        for (i, key) in user.access_keys.iter().enumerate() {
            if !key.active {
                continue;
            }
            let name = format!("access key {}", i + 1);
            let since = key.last_used.or(key.last_rotated);
            credentials.push(json!({
                "credential": name,
                "last_used": key.last_used,
                "last_rotated": key.last_rotated,
                "unused": stale(since),
            }));
            if stale(since) {
                unused.push(name);
            }
        }
        let evidence = json!({
            "user": user.user,
            "threshold_days": threshold,
            "active_credentials": credentials,
        });
        if unused.is_empty() {
            let message = if credentials.is_empty() {
                "the user has no active password or access key".to_string()
            } else {
                format!("no active credential has gone unused for {threshold} days")
            };
            cx.pass(GLOBAL, &user.arn, message, evidence);
        } else {
            cx.fail(
                GLOBAL,
                &user.arn,
                format!(
                    "{} of user {} not used in the last {threshold} days but still active",
                    unused.join(" and "),
                    user.user
                ),
                evidence,
            );
        }
    }
}
