use chrono::Duration;
use serde_json::json;

use super::trails::{Judged, Listed};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CT-03",
    slug: "trail-cloudwatch-logs",
    title: "The multi-region trail of all management events delivers to CloudWatch Logs",
    severity: Severity::Medium,
    sources: &[Source::CloudTrailTrails],
    rationale: "The TOM promises that access is logged and that misuse is noticed. Logs in S3 are only read after the fact; delivered to CloudWatch Logs they can raise an alarm on an unauthorised call or a root sign-in while it happens (see CW-01). Only the trail that records every management event counts, and only if CloudTrail has delivered to the log group in the last 24 hours: a group that names the right trail but receives nothing alarms on nothing.",
    remediation: "aws logs create-log-group --log-group-name cloudtrail; create a role CloudTrail can assume with logs:CreateLogStream and logs:PutLogEvents on it; then aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn LOG_GROUP_ARN --cloud-watch-logs-role-arn ROLE_ARN. If nothing arrives, aws cloudtrail get-trail-status --name TRAIL shows LatestCloudWatchLogsDeliveryError: give the role logs:PutLogEvents on the group and let cloudtrail.amazonaws.com assume it.",
    references: &["CIS AWS 3.4", "Security Hub CloudTrail.5"],
    run,
    module: module_path!(),
};

/// CloudTrail delivers to CloudWatch Logs within minutes of an event, and an active
/// account produces events all day; a day without delivery means delivery has stopped.
const MAX_SILENCE_HOURS: i64 = 24;
const TIME: &str = "%Y-%m-%dT%H:%M:%SZ";

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let now = cx.now;
    let Some(listed) = Listed::read(cx) else {
        return;
    };
    let judged = Judged::new(listed.trails, &inv.account_id);
    let mut shortfalls = Vec::new();
    for (trail, basis) in &judged.qualifying {
        let status = trail.status.ok();
        let last = status.and_then(|s| s.latest_cloudwatch_logs_delivery_time);
        let evidence = json!({
            "trail": trail.name,
            "cloudwatch_logs_log_group_arn": trail.cloudwatch_logs_log_group_arn,
            "latest_cloudwatch_logs_delivery_time": last,
            "latest_cloudwatch_logs_delivery_error": status.and_then(|s| s.latest_cloudwatch_logs_delivery_error.as_ref()),
            "evaluated_at": now,
            "qualifies_as": basis,
        });
        let why = match (&trail.cloudwatch_logs_log_group_arn, last) {
            (None, _) => "the multi-region trail does not deliver to CloudWatch Logs".to_string(),
            (Some(group), None) => format!(
                "the multi-region trail names log group {group}, but CloudTrail has never delivered to it{}",
                status
                    .and_then(|s| s.latest_cloudwatch_logs_delivery_error.as_deref())
                    .map(|e| format!(" (last error: {e})"))
                    .unwrap_or_default()
            ),
            (Some(group), Some(at)) if now - at > Duration::hours(MAX_SILENCE_HOURS) => format!(
                "the multi-region trail last delivered to {group} at {}, more than {MAX_SILENCE_HOURS} hours before {}",
                at.format(TIME),
                now.format(TIME)
            ),
            (Some(group), Some(at)) => {
                cx.pass(
                    &trail.home_region,
                    &trail.arn,
                    format!(
                        "the multi-region trail delivers to CloudWatch Logs ({group}), last at {}",
                        at.format(TIME)
                    ),
                    evidence,
                );
                return;
            }
        };
        shortfalls.push((trail, why, evidence));
    }
    // None delivers; a trail or region we could not read might.
    if judged.report_unknown(
        cx,
        &listed,
        "be a trail that logs all management events and delivers them to CloudWatch Logs",
    ) {
        return;
    }
    if shortfalls.is_empty() {
        let trails: Vec<_> = judged
            .rejected
            .iter()
            .map(|(t, why)| json!({ "trail": t.arn, "why_not": why, "cloudwatch_logs_log_group_arn": t.cloudwatch_logs_log_group_arn }))
            .collect();
        cx.fail(
            GLOBAL,
            &inv.account_arn(),
            "no multi-region trail logs all management events (see CT-01), so none delivers them to CloudWatch Logs",
            json!({ "trails": trails }),
        );
    }
    for (trail, why, evidence) in shortfalls {
        cx.fail(&trail.home_region, &trail.arn, why, evidence);
    }
}
