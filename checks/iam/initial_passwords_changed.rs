use chrono::TimeDelta;
use serde_json::json;

use super::days;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{CredentialUser, LoginProfile, Source};

pub static CHECK: Check = Check {
    id: "IAM-13",
    slug: "initial-passwords-changed",
    title: "Console users have replaced their initial password",
    severity: Severity::Medium,
    sources: &[Source::IamCredentialReport, Source::IamLoginProfiles],
    rationale: "The TOM promises that initial passwords are changed at first use. An administrator-set password (the initial one, or one an administrator reset later) that was never used days after it was set is known to someone other than its owner; a password changed but never used to sign in was changed by an administrator, since a user changes theirs by signing in, and an account nobody has taken over is one nobody watches.",
    remediation: "Require a new password at first sign-in (aws iam update-login-profile --user-name USER --password-reset-required), and for new users from the start (aws iam create-login-profile --user-name USER --password-reset-required); ask the user to sign in and set their own password. If the account is not needed, remove its console access: aws iam delete-login-profile --user-name USER.",
    references: &["CIS AWS 1.11 (v1.4)"],
    run,
    module: module_path!(),
};

/// A password changed this close to its login profile's creation was set with it.
const SET_WITH_PROFILE: TimeDelta = TimeDelta::minutes(1);

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(report) = cx.get(&inv.iam.credential_report, GLOBAL) else {
        return;
    };
    let console_users: Vec<&CredentialUser> =
        report.users.iter().filter(|u| u.password_enabled).collect();
    if console_users.is_empty() {
        cx.not_applicable(GLOBAL, "no IAM user has a console password");
        return;
    }
    let grace = cx.settings.thresholds.initial_password_days;
    let mut profiles = None;
    for user in console_users {
        if user.password_last_used.is_some() {
            cx.pass(
                GLOBAL,
                &user.arn,
                "the user has signed in with the password",
                json!({ "user": user.user, "password_last_used": user.password_last_used }),
            );
            continue;
        }
        // Read only when some password was never used, so an account of active users
        // does not depend on the extra calls.
        if profiles.is_none() {
            profiles = Some(cx.get(&inv.iam.login_profiles, GLOBAL));
        }
        // Unreadable: one `error` already says so; users who signed in are still judged.
        let Some(Some(profiles)) = profiles else {
            continue;
        };
        let Some(profile) = profiles.get(&user.user) else {
            cx.pass(
                GLOBAL,
                &user.arn,
                "the console password was removed after the credential report was generated",
                json!({ "user": user.user, "login_profile": null }),
            );
            continue;
        };
        judge_unused(cx, user, profile, grace);
    }
}

/// A password never used to sign in: still one someone else set (initially, or at a
/// reset), unless IAM forces a change at first use or it was set within the grace.
fn judge_unused(cx: &mut Cx<'_>, user: &CredentialUser, profile: &LoginProfile, grace: u32) {
    // The login profile, not the user, dates the initial password: console access is
    // often added long after the user was created.
    let set_at = profile.created.or(user.created);
    let evidence = json!({
        "user": user.user,
        "user_created": user.created,
        "password_set": set_at,
        "password_last_changed": user.password_last_changed,
        "password_last_used": null,
        "password_reset_required": profile.password_reset_required,
        "grace_days": grace,
    });
    // A password is changed by its owner at a sign-in; one changed but never used to
    // sign in was reset by an administrator, and is still someone else's.
    let reset = match (user.password_last_changed, set_at) {
        (Some(changed), Some(set)) => changed - set > SET_WITH_PROFILE,
        _ => false,
    };
    let current_set = if reset {
        user.password_last_changed
    } else {
        set_at
    };
    if profile.password_reset_required {
        cx.pass(
            GLOBAL,
            &user.arn,
            "the password was never used, and IAM forces the user to replace it at first sign-in",
            evidence,
        );
    } else if current_set.is_some_and(|s| cx.now - s <= days(grace)) {
        let what = if reset {
            "the password an administrator reset"
        } else {
            "the initial password"
        };
        cx.pass(
            GLOBAL,
            &user.arn,
            format!(
                "{what} has not been used yet, but was set within the {grace}-day grace period"
            ),
            evidence,
        );
    } else if reset {
        cx.fail(
            GLOBAL,
            &user.arn,
            format!(
                "the password was reset by an administrator (changed, never used to sign in) more than {grace} days ago, and IAM will not force a new one at first sign-in: it is still a password someone else set"
            ),
            evidence,
        );
    } else {
        cx.fail(
            GLOBAL,
            &user.arn,
            format!(
                "the initial password was never used nor changed after {grace} days, and IAM will not force a new one at first sign-in"
            ),
            evidence,
        );
    }
}
