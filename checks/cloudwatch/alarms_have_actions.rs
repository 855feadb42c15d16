use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CW-02",
    slug: "alarms-have-actions",
    title: "Every CloudWatch alarm notifies someone",
    severity: Severity::Low,
    sources: &[Source::CloudWatchAlarms],
    rationale: "The TOM promises that incidents are noticed and handled. An alarm without an enabled action changes colour on a dashboard nobody watches; with an SNS topic behind it, it reaches the people on call.",
    remediation: "aws cloudwatch put-metric-alarm with the alarm's existing settings plus --alarm-actions SNS_TOPIC_ARN (console: CloudWatch > Alarms > ALARM > Actions > Edit > Notification), and aws cloudwatch enable-alarm-actions --alarm-names ALARM if its actions were disabled.",
    references: &["Security Hub CloudWatch.15", "Security Hub CloudWatch.17"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut count = 0;
    for (region, facts) in cx.regions() {
        let Some(alarms) = cx.get(&facts.alarms, region) else {
            continue;
        };
        for alarm in alarms {
            count += 1;
            let arn = if alarm.arn.is_empty() {
                inv.arn("cloudwatch", region, &format!("alarm:{}", alarm.name))
            } else {
                alarm.arn.clone()
            };
            let evidence = json!({
                "alarm": alarm.name,
                "actions_enabled": alarm.actions_enabled,
                "alarm_actions": alarm.alarm_actions,
            });
            match (alarm.actions_enabled, alarm.alarm_actions.is_empty()) {
                (true, false) => cx.pass(
                    region,
                    &arn,
                    format!("the alarm notifies {}", alarm.alarm_actions.join(", ")),
                    evidence,
                ),
                (_, true) => cx.fail(region, &arn, "the alarm has no alarm action", evidence),
                (false, false) => cx.fail(
                    region,
                    &arn,
                    "the alarm has actions, but they are disabled",
                    evidence,
                ),
            }
        }
    }
    if count == 0 {
        cx.not_applicable(GLOBAL, "no CloudWatch alarms in the scanned regions");
    }
}
