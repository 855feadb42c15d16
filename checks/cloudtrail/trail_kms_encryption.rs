use serde_json::json;

use super::trails::Listed;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::engine::refs::{KeyRef, kms_key};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CT-05",
    slug: "trail-kms-encryption",
    title: "Trail logs are encrypted with KMS",
    severity: Severity::Medium,
    sources: &[Source::CloudTrailTrails, Source::KmsKeys],
    rationale: "Access logs name who did what to customer data, and the TOM promises they are protected like the data. SSE-KMS puts reading them behind a key policy of our own, so read access to the log bucket alone does not disclose them. The key must exist and be enabled: a key pending deletion or disabled cannot encrypt the next log file, and once deleted no log it encrypted can be read again.",
    remediation: "Create a KMS key whose policy lets cloudtrail.amazonaws.com GenerateDataKey* for this trail (with the aws:SourceArn condition), then aws cloudtrail update-trail --name TRAIL --kms-key-id KEY_ARN",
    references: &[
        "CIS AWS 3.5",
        "CIS AWS 3.7 (v1.4)",
        "Security Hub CloudTrail.2",
    ],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let Some(listed) = Listed::read(cx) else {
        return;
    };
    let names: Vec<&str> = listed.trails.iter().map(|t| t.name.as_str()).collect();
    listed.report_unlisted(
        cx,
        "a trail homed there is not listed, so whether its logs are encrypted with KMS is unknown",
        &json!(names),
    );
    if listed.trails.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no CloudTrail trail (see CT-01)");
    }
    for trail in listed.trails {
        let evidence = json!({ "trail": trail.name, "kms_key_id": trail.kms_key_id });
        let Some(key) = &trail.kms_key_id else {
            cx.fail(
                &trail.home_region,
                &trail.arn,
                "trail logs are not encrypted with a KMS key (SSE-S3 only)",
                evidence,
            );
            continue;
        };
        let resolved = kms_key(cx.inv, &trail.home_region, key);
        let evidence = json!({ "trail": trail.name, "kms_key_id": key, "key": resolved });
        let (region, arn) = (&trail.home_region, &trail.arn);
        match &resolved {
            KeyRef::Enabled { .. } => cx.pass(
                region,
                arn,
                format!("trail logs are encrypted with KMS key {key}, which is enabled"),
                evidence,
            ),
            KeyRef::Unusable { state, .. } => cx.fail(
                region,
                arn,
                if state == "PendingDeletion" {
                    format!("the trail's KMS key {key} is PendingDeletion: it cannot encrypt new log files, and once deleted the logs it encrypted cannot be read")
                } else {
                    format!("the trail's KMS key {key} is {state}: it can neither encrypt new log files nor decrypt the old ones")
                },
                evidence,
            ),
            KeyRef::Missing { region: r } => cx.fail(
                region,
                arn,
                format!("the trail's KMS key {key} does not exist in {r}: CloudTrail cannot encrypt with it"),
                evidence,
            ),
            KeyRef::OtherAccount { account } => cx.manual(
                region,
                arn,
                format!("trail logs are encrypted with KMS key {key} of account {account}: confirm there that it is enabled and not pending deletion"),
                evidence,
            ),
            KeyRef::Unknown { why, action } => match action {
                Some(action) => cx.error(
                    region,
                    arn,
                    format!("could not be evaluated: {action} is needed to know whether KMS key {key} is usable ({why})"),
                    evidence,
                ),
                None => cx.manual(
                    region,
                    arn,
                    format!("trail logs are encrypted with KMS key {key}; whether it is usable is unknown: {why}"),
                    evidence,
                ),
            },
        }
    }
}
