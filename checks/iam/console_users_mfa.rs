use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "IAM-06",
    slug: "console-users-mfa",
    title: "Every IAM user with a console password has MFA",
    severity: Severity::High,
    sources: &[Source::IamCredentialReport],
    rationale: "The TOM promises a second factor for access; a console password without MFA is a single factor that can be phished, guessed or reused.",
    remediation: "Assign an MFA device to each listed user (IAM > Users > Security credentials), and deny actions without MFA with an `aws:MultiFactorAuthPresent` condition until they do. Better: move people to IAM Identity Center with MFA enforced.",
    references: &["CIS AWS 1.10", "Security Hub IAM.5"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(report) = cx.get(&inv.iam.credential_report, GLOBAL) else {
        return;
    };
    let mut console_users = 0;
    for user in report.users.iter().filter(|u| u.password_enabled) {
        console_users += 1;
        cx.verdict(
            user.mfa_active,
            GLOBAL,
            &user.arn,
            (
                "console user has MFA",
                "console user has a password but no MFA device",
            ),
            json!({ "user": user.user, "password_enabled": true, "mfa_active": user.mfa_active }),
        );
    }
    if console_users == 0 {
        cx.not_applicable(GLOBAL, "no IAM user has a console password");
    }
}
