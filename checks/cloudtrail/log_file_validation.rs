use serde_json::json;

use super::trails::Listed;
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CT-02",
    slug: "log-file-validation",
    title: "Every trail has log file validation enabled",
    severity: Severity::Medium,
    sources: &[Source::CloudTrailTrails],
    rationale: "Access logs are evidence only if nobody could have edited them. Log file validation signs a SHA-256 digest of every log file, so a change or deletion is detectable.",
    remediation: "aws cloudtrail update-trail --name TRAIL --enable-log-file-validation",
    references: &["CIS AWS 3.2", "Security Hub CloudTrail.4"],
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
        "a trail homed there is not listed, so whether its log file validation is on is unknown",
        &json!(names),
    );
    if listed.trails.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no CloudTrail trail (see CT-01)");
    }
    for trail in listed.trails {
        cx.verdict(
            trail.log_file_validation,
            &trail.home_region,
            &trail.arn,
            ("log file validation is on", "log file validation is off"),
            json!({ "trail": trail.name, "log_file_validation": trail.log_file_validation }),
        );
    }
}
