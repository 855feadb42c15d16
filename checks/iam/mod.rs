pub mod access_keys_rotated;
pub mod console_users_mfa;
pub mod credentials_unused_disabled;
pub mod initial_passwords_changed;
pub mod no_customer_admin_policy;
pub mod no_open_role_trust;
pub mod no_unattached_admin_policy;
pub mod no_user_attached_policies;
pub mod password_complexity;
pub mod password_max_age;
pub mod password_min_length;
pub mod password_reuse_prevention;
pub mod root_hardware_mfa;
pub mod root_mfa_enabled;
pub mod root_no_access_keys;
pub mod root_not_used;
pub mod user_no_admin;
pub mod user_single_active_key;

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL};
use crate::engine::perms::{Permissions, Verdict, granting_statements};
use crate::inventory::policy::PolicyDocument;
use crate::inventory::{AccountSummary, CredentialUser, PasswordPolicy, Unavailable};

/// This service's checks, in id order.
pub const CHECKS: &[&Check] = &[
    &root_no_access_keys::CHECK,
    &root_not_used::CHECK,
    &root_mfa_enabled::CHECK,
    &user_single_active_key::CHECK,
    &user_no_admin::CHECK,
    &console_users_mfa::CHECK,
    &password_min_length::CHECK,
    &password_complexity::CHECK,
    &password_max_age::CHECK,
    &password_reuse_prevention::CHECK,
    &no_customer_admin_policy::CHECK,
    &no_user_attached_policies::CHECK,
    &initial_passwords_changed::CHECK,
    &credentials_unused_disabled::CHECK,
    &access_keys_rotated::CHECK,
    &root_hardware_mfa::CHECK,
    &no_open_role_trust::CHECK,
    &no_unattached_admin_policy::CHECK,
];

/// A root-account fact from the credential report's `<root_account>` row, or from the
/// account summary where the report has no such row (moto). Returns the fact and the
/// evidence naming where it came from; `None` after recording why neither was readable.
pub(crate) fn root_fact(
    cx: &mut Cx<'_>,
    from_row: fn(&CredentialUser) -> bool,
    from_summary: fn(&AccountSummary) -> bool,
) -> Option<(bool, &'static str)> {
    let inv = cx.inv;
    if let Some(row) = inv.iam.credential_report.ok().and_then(|r| r.root.as_ref()) {
        return Some((from_row(row), "credential report <root_account> row"));
    }
    let summary = cx.get(&inv.iam.account_summary, GLOBAL)?;
    Some((from_summary(summary), "account summary"))
}

/// Records a pass when the account summary shows root without any credential (central
/// root access management): MFA then has nothing to protect. Returns whether it did.
pub(crate) fn root_without_credentials(cx: &mut Cx<'_>) -> bool {
    let inv = cx.inv;
    let Some(summary) = inv.iam.account_summary.ok() else {
        return false;
    };
    if !summary.root_has_no_credentials() {
        return false;
    }
    let root = inv.root_arn();
    cx.pass(
        GLOBAL,
        &root,
        "the root account has no password, access key or signing certificate (centrally managed root access): nobody can sign in as root, so there is nothing for MFA to protect",
        json!({
            "root_password_present": false,
            "root_access_keys_present": false,
            "root_signing_certificates_present": false,
            "source": "account summary",
        }),
    );
    true
}

/// The password policy, with a failure already recorded when the account has none.
pub(crate) fn password_policy<'a>(cx: &mut Cx<'a>) -> Option<&'a PasswordPolicy> {
    let inv = cx.inv;
    let policy = cx.get(&inv.iam.password_policy, GLOBAL)?;
    if policy.is_none() {
        let resource = password_policy_resource(cx);
        cx.fail(
            GLOBAL,
            &resource,
            "the account has no IAM password policy, so IAM accepts any password",
            json!({ "password_policy": null }),
        );
    }
    policy.as_ref()
}

pub(crate) fn password_policy_resource(cx: &Cx<'_>) -> String {
    format!(
        "arn:{}:iam::{}:account-password-policy",
        cx.inv.partition_or_default(),
        cx.inv.account_id
    )
}

/// `n` whole days, for comparing credential ages against a threshold in days.
pub(crate) fn days(n: u32) -> TimeDelta {
    TimeDelta::days(i64::from(n))
}

/// An `error` for one resource whose policy document could not be read or parsed, in
/// the words [`Cx::get_for`] uses, so it names the IAM action and the reason.
pub(crate) fn document_error(cx: &mut Cx<'_>, resource: &str, u: &Unavailable, context: Value) {
    cx.error(
        GLOBAL,
        resource,
        format!(
            "could not be evaluated: {} failed with {}: {}",
            u.action, u.code, u.message
        ),
        json!({ "missing_action": u.action, "code": u.code, "message": u.message, "context": context }),
    );
}

/// What some identity policies amount to, as IAM-05, IAM-11 and IAM-18 report it: the
/// permission engine's verdict, a phrase for the message, and evidence naming the
/// escalation paths and the statements that grant them.
pub(crate) struct Power {
    pub verdict: Verdict,
    pub phrase: String,
    pub evidence: Value,
}

impl Power {
    pub fn is_admin(&self) -> bool {
        self.verdict != Verdict::Limited
    }
}

/// Judges `documents` (each with how the holder comes to hold it) together.
pub(crate) fn power(documents: &[(String, &PolicyDocument)], account: &str) -> Power {
    let perms = Permissions::of(documents.iter().map(|(_, d)| *d), account);
    let verdict = perms.verdict();
    let decisive = perms.decisive();
    let granted_by: Vec<Value> = documents
        .iter()
        .filter_map(|(via, doc)| {
            let statements = granting_statements(doc, &decisive, account);
            (!statements.is_empty()).then(|| json!({ "via": via, "statements": statements }))
        })
        .collect();
    let paths = perms.escalations();
    let phrase = match &verdict {
        Verdict::FullAdmin => "every action on every resource".to_string(),
        Verdict::CanEscalate { .. } => {
            const SHOWN: usize = 3;
            let mut labels: Vec<String> = paths.iter().take(SHOWN).map(|p| p.label()).collect();
            if paths.len() > SHOWN {
                labels.push(format!("{} more", paths.len() - SHOWN));
            }
            format!("a way to administrator: {}", labels.join(", "))
        }
        Verdict::Limited => "neither administrator access nor a known way to it".to_string(),
    };
    let mut evidence = json!({
        "verdict": verdict,
        "escalation_paths": if matches!(verdict, Verdict::CanEscalate { .. }) { json!(paths) } else { json!([]) },
        "granted_by": granted_by,
    });
    let indirect = perms.indirect_escalations();
    if verdict == Verdict::Limited && !indirect.is_empty() {
        // Not a verdict: these run code as roles of existing resources, which the
        // inventory does not tie to them. Shown so a reviewer can weigh them.
        evidence["indirect_escalation_paths"] =
            json!(indirect.iter().map(|p| p.label()).collect::<Vec<_>>());
    }
    Power {
        verdict,
        phrase,
        evidence,
    }
}
