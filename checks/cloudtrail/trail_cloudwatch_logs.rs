use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CT-03",
    slug: "trail-cloudwatch-logs",
    title: "A multi-region trail delivers to CloudWatch Logs",
    severity: Severity::Medium,
    sources: &[Source::CloudTrailTrails],
    rationale: "The TOM promises that access is logged and that misuse is noticed. Logs in S3 are only read after the fact; delivered to CloudWatch Logs they can raise an alarm on an unauthorised call or a root sign-in while it happens (see CW-01).",
    remediation: "aws logs create-log-group --log-group-name cloudtrail; create a role CloudTrail can assume with logs:CreateLogStream and logs:PutLogEvents on it; then aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn LOG_GROUP_ARN --cloud-watch-logs-role-arn ROLE_ARN",
    references: &["CIS AWS 3.4", "Security Hub CloudTrail.5"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(trails) = cx.get(&inv.cloudtrail.trails, GLOBAL) else {
        return;
    };
    if trails.is_empty() {
        cx.not_applicable(GLOBAL, "the account has no CloudTrail trail (see CT-01)");
    }
    for trail in trails {
        let evidence = json!({
            "trail": trail.name,
            "multi_region": trail.multi_region,
            "cloudwatch_logs_log_group_arn": trail.cloudwatch_logs_log_group_arn,
        });
        match &trail.cloudwatch_logs_log_group_arn {
            Some(group) => cx.pass(
                &trail.home_region,
                &trail.arn,
                format!("the trail delivers to CloudWatch Logs ({group})"),
                evidence,
            ),
            None => cx.fail(
                &trail.home_region,
                &trail.arn,
                "the trail does not deliver to CloudWatch Logs",
                evidence,
            ),
        }
    }
}
