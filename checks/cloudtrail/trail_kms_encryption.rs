use serde_json::json;

use super::trails::Listed;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::checks::references::{Protected, judge_key};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CT-05",
    slug: "trail-kms-encryption",
    title: "Trail logs are encrypted with KMS",
    severity: Severity::Medium,
    sources: &[
        Source::CloudTrailTrails,
        Source::KmsKeys,
        Source::KmsAliases,
    ],
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
        judge_key(
            cx,
            &trail.home_region,
            &trail.arn,
            key,
            Protected {
                encrypted_with: "trail logs are encrypted with",
                data: "the trail's log files",
            },
            json!({ "trail": trail.name }),
        );
    }
}
