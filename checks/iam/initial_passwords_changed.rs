use chrono::TimeDelta;
use serde_json::json;

use super::days;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{CredentialUser, Source};

pub static CHECK: Check = Check {
    id: "IAM-13",
    slug: "initial-passwords-changed",
    title: "Console users have replaced their initial password",
    severity: Severity::Medium,
    sources: &[Source::IamCredentialReport],
    rationale: "The TOM promises that initial passwords are changed at first use. An administrator-set password that was never used nor changed days after the account was created is known to someone other than its owner, and an account nobody has taken over is one nobody watches.",
    remediation: "Ask the user to sign in and set their own password, and require it for new users (aws iam create-login-profile --user-name USER --password-reset-required). If the account is not needed, remove its console access: aws iam delete-login-profile --user-name USER.",
    references: &["CIS AWS 1.11 (v1.4)"],
    run,
    module: module_path!(),
};

/// A password changed this close to the user's creation was set with the user.
const SET_AT_CREATION: TimeDelta = TimeDelta::minutes(1);

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(report) = cx.get(&inv.iam.credential_report, GLOBAL) else {
        return;
    };
    let grace = cx.settings.initial_password_days;
    let mut console_users = 0;
    for user in report.users.iter().filter(|u| u.password_enabled) {
        console_users += 1;
        let evidence = json!({
            "user": user.user,
            "created": user.created,
            "password_last_used": user.password_last_used,
            "password_last_changed": user.password_last_changed,
            "grace_days": grace,
        });
        if !still_initial(user) {
            cx.pass(
                GLOBAL,
                &user.arn,
                "the password has been used or changed since the user was created",
                evidence,
            );
            continue;
        }
        // Without a creation date the grace period cannot be shown to run still.
        let past_grace = user.created.is_none_or(|c| cx.now - c > days(grace));
        if past_grace {
            cx.fail(
                GLOBAL,
                &user.arn,
                format!("initial password never used nor changed after {grace} days"),
                evidence,
            );
        } else {
            cx.pass(
                GLOBAL,
                &user.arn,
                format!(
                    "the password has not been used yet, but the user is within the {grace}-day grace period"
                ),
                evidence,
            );
        }
    }
    if console_users == 0 {
        cx.not_applicable(GLOBAL, "no IAM user has a console password");
    }
}

/// Never used, and never changed after it was set along with the user.
fn still_initial(user: &CredentialUser) -> bool {
    if user.password_last_used.is_some() {
        return false;
    }
    match (user.password_last_changed, user.created) {
        (None, _) => true,
        (Some(changed), Some(created)) => (changed - created).abs() <= SET_AT_CREATION,
        // Changed at some point, but we cannot tell whether that was the initial set.
        (Some(_), None) => false,
    }
}
