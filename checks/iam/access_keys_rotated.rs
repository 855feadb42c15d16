use serde_json::json;

use super::days;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-15",
    slug: "access-keys-rotated",
    title: "Active access keys are younger than the rotation threshold",
    severity: Severity::Medium,
    sources: &[Source::IamCredentialReport],
    rationale: "The TOM promises that credentials are renewed regularly. An access key lives in scripts, CI variables and laptops; the longer it exists the more copies there are, and rotating it limits how long a leaked copy stays useful.",
    remediation: "Rotate each listed key: aws iam create-access-key --user-name USER, deploy the new key, aws iam update-access-key --user-name USER --access-key-id OLD_KEY_ID --status Inactive, then aws iam delete-access-key once nothing uses the old one. Better: replace long-lived keys with roles (instance profiles, OIDC federation, IAM Roles Anywhere).",
    references: &["CIS AWS 1.14", "Security Hub IAM.3"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(report) = cx.get(&inv.iam.credential_report, GLOBAL) else {
        return;
    };
    let max_age = cx.settings.thresholds.access_key_max_age_days;
    let mut judged = 0;
    for user in report
        .users
        .iter()
        .filter(|u| u.active_keys().next().is_some())
    {
        judged += 1;
        let mut keys = Vec::new();
        let (mut old, mut undated) = (Vec::new(), Vec::new());
        for (i, key) in user.access_keys.iter().enumerate() {
            if !key.active {
                continue;
            }
            let name = format!("access key {}", i + 1);
            let age_days = key.last_rotated.map(|t| (cx.now - t).num_days());
            keys.push(
                json!({ "key": name, "last_rotated": key.last_rotated, "age_days": age_days }),
            );
            match key.last_rotated {
                Some(t) if cx.now - t > days(max_age) => old.push(name),
                Some(_) => {}
                None => undated.push(name),
            }
        }
        let evidence = json!({ "user": user.user, "max_age_days": max_age, "active_keys": keys });
        if !old.is_empty() {
            cx.fail(
                GLOBAL,
                &user.arn,
                format!(
                    "{} of user {} not rotated for more than {max_age} days",
                    old.join(" and "),
                    user.user
                ),
                evidence,
            );
        } else if !undated.is_empty() {
            cx.error(
                GLOBAL,
                &user.arn,
                format!(
                    "could not be evaluated: the credential report gives no creation date for {} of user {}",
                    undated.join(" and "),
                    user.user
                ),
                evidence,
            );
        } else {
            cx.pass(
                GLOBAL,
                &user.arn,
                format!("every active access key is at most {max_age} days old"),
                evidence,
            );
        }
    }
    if judged == 0 {
        cx.not_applicable(GLOBAL, "no IAM user has an active access key");
    }
}
