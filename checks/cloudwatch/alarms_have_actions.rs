use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::engine::refs::{ActionRef, alarm_action};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CW-02",
    slug: "alarms-have-actions",
    title: "Every CloudWatch alarm notifies someone",
    severity: Severity::Low,
    sources: &[Source::CloudWatchAlarms, Source::SnsTopics],
    rationale: "The TOM promises that incidents are noticed and handled. An alarm without an enabled action changes colour on a dashboard nobody watches; with an SNS topic behind it, it reaches the people on call, but only if the topic still exists and someone confirmed a subscription to it. A topic of another account is `manual`, naming the account to check.",
    remediation: "aws cloudwatch put-metric-alarm with the alarm's existing settings plus --alarm-actions SNS_TOPIC_ARN (console: CloudWatch > Alarms > ALARM > Actions > Edit > Notification), and aws cloudwatch enable-alarm-actions --alarm-names ALARM if its actions were disabled; the topic needs a confirmed subscription (aws sns subscribe --topic-arn TOPIC --protocol email --notification-endpoint ONCALL, then confirm from the mail).",
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
            let mut evidence = json!({
                "alarm": alarm.name,
                "actions_enabled": alarm.actions_enabled,
                "alarm_actions": alarm.alarm_actions,
            });
            match (alarm.actions_enabled, alarm.alarm_actions.is_empty()) {
                (true, false) => {
                    let resolved: Vec<(&String, ActionRef)> = alarm
                        .alarm_actions
                        .iter()
                        .map(|a| (a, alarm_action(inv, a)))
                        .collect();
                    evidence["resolved"] = json!(
                        resolved
                            .iter()
                            .map(|(a, r)| json!({ "action": a, "target": r }))
                            .collect::<Vec<_>>()
                    );
                    judge_actions(cx, region, &arn, &resolved, evidence);
                }
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

/// An alarm whose actions are on passes when one of them works; otherwise what could not
/// be read is `error`, another account's topic `manual`, and topics that are gone or have
/// no confirmed subscriber a `fail`.
fn judge_actions(
    cx: &mut Cx<'_>,
    region: &str,
    arn: &str,
    resolved: &[(&String, ActionRef)],
    evidence: serde_json::Value,
) {
    if let Some((a, r)) = resolved.iter().find(|(_, r)| r.works()) {
        let how = match r {
            ActionRef::Notifies { confirmed, .. } => {
                format!("SNS topic {a}, with {confirmed} confirmed subscription(s)")
            }
            _ => format!("action {a}"),
        };
        return cx.pass(region, arn, format!("the alarm notifies {how}"), evidence);
    }
    if let Some((a, ActionRef::Unknown { why, action })) = resolved
        .iter()
        .find(|(_, r)| matches!(r, ActionRef::Unknown { .. }))
    {
        let message = match action {
            Some(action) => format!(
                "could not be evaluated: {action} is needed to know whether the alarm's topic {a} reaches anyone ({why})"
            ),
            None => format!("whether the alarm's topic {a} reaches anyone is unknown: {why}"),
        };
        return match action {
            Some(_) => cx.error(region, arn, message, evidence),
            None => cx.manual(region, arn, message, evidence),
        };
    }
    if let Some((a, ActionRef::OtherAccount { account })) = resolved
        .iter()
        .find(|(_, r)| matches!(r, ActionRef::OtherAccount { .. }))
    {
        return cx.manual(
            region,
            arn,
            format!(
                "the alarm notifies topic {a} of account {account}: confirm there that it exists and has a confirmed subscription"
            ),
            evidence,
        );
    }
    let why: Vec<String> = resolved
        .iter()
        .map(|(a, r)| match r {
            ActionRef::NoSubscriber { pending: 0 } => format!("{a} has no subscription"),
            ActionRef::NoSubscriber { pending } => {
                format!("{a} has {pending} subscription(s), none confirmed")
            }
            ActionRef::Missing { region } => format!("{a} does not exist in {region}"),
            _ => format!("{a} reaches no one"),
        })
        .collect();
    cx.fail(
        region,
        arn,
        format!("the alarm notifies nobody: {}", why.join("; ")),
        evidence,
    );
}
