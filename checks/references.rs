//! The judgement every check of a setting that names a KMS key shares: the key must
//! exist and work (see [`crate::engine::refs`]). A key pending deletion or disabled
//! encrypts nothing new, and once deleted nothing it encrypted can be read again.

use serde_json::{Value, json};

use crate::check::Cx;
use crate::engine::refs::{KeyRef, kms_key};
use crate::inventory::KeyState;

/// How a finding speaks of what the key protects.
pub struct Protected<'a> {
    /// Says the data is encrypted, before the key: `trail logs are encrypted with`.
    pub encrypted_with: &'a str,
    /// The data, as a noun: `the trail's log files`.
    pub data: &'a str,
}

/// Passes when `key` (an id, ARN, alias or alias ARN of `region`) resolves to a usable
/// key; fails when it is unusable or gone; is `manual` when it is another account's,
/// naming that account; `error` when what would tell could not be read.
pub fn judge_key(
    cx: &mut Cx<'_>,
    region: &str,
    arn: &str,
    key: &str,
    said: Protected<'_>,
    mut evidence: Value,
) {
    let resolved = kms_key(cx.inv, region, key);
    evidence["kms_key_id"] = json!(key);
    evidence["key"] = json!(resolved);
    let Protected {
        encrypted_with,
        data,
    } = said;
    match &resolved {
        KeyRef::Enabled { .. } => cx.pass(
            region,
            arn,
            format!("{encrypted_with} KMS key {key}, which is enabled"),
            evidence,
        ),
        KeyRef::AwsManaged { alias } => cx.pass(
            region,
            arn,
            format!("{encrypted_with} the AWS-managed key {alias}, which AWS keeps enabled"),
            evidence,
        ),
        KeyRef::Unusable { state, .. } => cx.fail(
            region,
            arn,
            if *state == KeyState::PendingDeletion {
                format!(
                    "the KMS key {key} that encrypts {data} is PendingDeletion: it encrypts nothing new, and once deleted {data} it encrypted cannot be read"
                )
            } else {
                format!(
                    "the KMS key {key} that encrypts {data} is {}: it can neither encrypt nor decrypt {data}",
                    match state.as_str() {
                        "" => "in an unknown state",
                        s => s,
                    }
                )
            },
            evidence,
        ),
        KeyRef::Missing { region: r } => cx.fail(
            region,
            arn,
            format!("the KMS key {key} that encrypts {data} does not exist in {r}"),
            evidence,
        ),
        KeyRef::OtherAccount { account } => cx.manual(
            region,
            arn,
            format!(
                "{encrypted_with} KMS key {key} of account {account}: confirm there that it is enabled and not pending deletion"
            ),
            evidence,
        ),
        KeyRef::Unknown { why, action } => match action {
            Some(action) => {
                evidence["missing_action"] = json!(action);
                cx.error(
                    region,
                    arn,
                    format!(
                        "could not be evaluated: {action} is needed to know whether KMS key {key}, which encrypts {data}, is usable ({why})"
                    ),
                    evidence,
                )
            }
            None => cx.manual(
                region,
                arn,
                format!(
                    "{encrypted_with} KMS key {key}; whether it is usable is unknown: {why}"
                ),
                evidence,
            ),
        },
    }
}
