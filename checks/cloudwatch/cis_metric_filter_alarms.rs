use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Collected, Regional, Source, Trail};

pub static CHECK: Check = Check {
    id: "CW-01",
    slug: "cis-metric-filter-alarms",
    title: "Metric filters and alarms watch for unauthorized calls, console sign-in without MFA and root use",
    severity: Severity::Medium,
    sources: &[
        Source::CloudTrailTrails,
        Source::LogMetricFilters,
        Source::CloudWatchAlarms,
    ],
    rationale: "The TOM promises that attempted unauthorised access is not only logged but noticed. A metric filter on the trail's CloudWatch Logs group with an alarm that notifies someone turns denied calls, console sign-ins without MFA and any use of root into a message within minutes.",
    remediation: "On the log group of the multi-region trail: aws logs put-metric-filter --log-group-name GROUP --filter-name root-account-usage --metric-transformations metricName=RootAccountUsage,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }'; then aws cloudwatch put-metric-alarm --alarm-name root-account-usage --metric-name RootAccountUsage --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions SNS_TOPIC_ARN. Likewise for '{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }' and '{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }'.",
    references: &[
        "CIS AWS 4.1",
        "CIS AWS 4.2",
        "CIS AWS 4.3",
        "Security Hub CloudWatch.1",
        "Security Hub CloudWatch.2",
        "Security Hub CloudWatch.3",
    ],
    run,
    module: module_path!(),
};

struct Purpose {
    /// The last part of the outcome's resource id.
    slug: &'static str,
    label: &'static str,
    /// A filter pattern for this purpose contains all of these.
    pattern: [&'static str; 2],
}

const PURPOSES: [Purpose; 3] = [
    Purpose {
        slug: "unauthorized-api-calls",
        label: "unauthorized API calls",
        pattern: ["UnauthorizedOperation", "AccessDenied"],
    },
    Purpose {
        slug: "console-signin-without-mfa",
        label: "console sign-in without MFA",
        pattern: ["ConsoleLogin", "MFAUsed"],
    },
    Purpose {
        slug: "root-account-usage",
        label: "root account usage",
        pattern: ["userIdentity.type", "Root"],
    },
];

/// The CloudWatch Logs group a multi-region trail delivers to.
struct Group<'a> {
    region: &'a str,
    name: &'a str,
    trails: Vec<&'a Trail>,
    /// `Some(true)` when one of its trails is known to be logging, `None` when none is
    /// known to be and at least one trail's status could not be read.
    logging: Option<bool>,
    facts: Option<&'a Regional>,
}

enum Finding {
    Watched(Value),
    /// What is missing (`metric filter`, `alarm`, `alarm action`), for the message, and
    /// the evidence.
    Missing(&'static str, Value),
    Unreadable,
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(trails) = cx.get(&inv.cloudtrail.trails, GLOBAL) else {
        return;
    };
    let mut groups: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    let mut judged = Vec::new();
    for trail in trails {
        let why_not = match (&trail.cloudwatch_logs_log_group_arn, &trail.status) {
            _ if !trail.multi_region => Some("not multi-region"),
            (None, _) => Some("does not deliver to CloudWatch Logs"),
            (Some(_), Collected::Ok(s)) if !s.is_logging => Some("logging is stopped"),
            (Some(arn), _) if log_group_name(arn).is_none() => {
                Some("log group ARN is not understood")
            }
            _ => None,
        };
        if let Some(why) = why_not {
            judged.push(json!({ "trail": trail.arn, "why_not": why }));
            continue;
        }
        let name = trail
            .cloudwatch_logs_log_group_arn
            .as_deref()
            .and_then(log_group_name)
            .unwrap_or_default();
        let region = trail.home_region.as_str();
        let logging = trail.status.ok().map(|s| s.is_logging);
        let group = groups.entry((region, name)).or_insert_with(|| Group {
            region,
            name,
            trails: Vec::new(),
            logging,
            facts: inv.regional.get(region),
        });
        group.trails.push(trail);
        if logging == Some(true) {
            group.logging = Some(true);
        }
    }
    if groups.is_empty() {
        cx.fail(
            GLOBAL,
            &inv.account_arn(),
            "no multi-region trail delivers to CloudWatch Logs",
            json!({ "trails": judged }),
        );
        return;
    }
    // Log groups of trails known to be logging first: they are the ones that can pass.
    let mut groups: Vec<Group> = groups.into_values().collect();
    groups.sort_by_key(|g| g.logging != Some(true));
    for purpose in &PURPOSES {
        judge_purpose(cx, &groups, purpose);
    }
}

fn judge_purpose<'a>(cx: &mut Cx<'a>, groups: &[Group<'a>], purpose: &Purpose) {
    let inv = cx.inv;
    let resource = |g: &Group| {
        inv.arn(
            "logs",
            g.region,
            &format!("log-group:{}:metric-filter/{}", g.name, purpose.slug),
        )
    };
    let findings: Vec<Finding> = groups.iter().map(|g| find(g, purpose)).collect();
    // Watched on the log group of a trail that is logging: done.
    for (g, f) in groups.iter().zip(&findings) {
        if let (Some(true), Finding::Watched(_)) = (g.logging, f) {
            cx.pass(
                g.region,
                &resource(g),
                format!(
                    "watched: a metric filter on {} catches {} and feeds an alarm with an action",
                    g.name, purpose.label
                ),
                group_evidence(g, f),
            );
            return;
        }
    }
    // Watched, but nobody knows if the trail feeding the group is logging.
    for (g, f) in groups.iter().zip(&findings) {
        if let (None, Finding::Watched(_)) = (g.logging, f) {
            for trail in &g.trails {
                cx.get_for(&trail.status, g.region, &resource(g));
            }
            return;
        }
    }
    // A group whose filters or alarms could not be read might have watched.
    if findings.iter().any(|f| matches!(f, Finding::Unreadable)) {
        for (g, f) in groups.iter().zip(&findings) {
            if !matches!(f, Finding::Unreadable) {
                continue;
            }
            let Some(facts) = g.facts else {
                cx.error(
                    g.region,
                    &resource(g),
                    format!(
                        "could not be evaluated: the inventory holds no CloudWatch facts for {}, where log group {} is",
                        g.region, g.name
                    ),
                    json!({ "log_group": g.name, "region": g.region }),
                );
                continue;
            };
            cx.get_for(&facts.metric_filters, g.region, &resource(g));
            cx.get_for(&facts.alarms, g.region, &resource(g));
        }
        return;
    }
    let (first, what) = groups
        .iter()
        .zip(&findings)
        .find_map(|(g, f)| match f {
            Finding::Missing(what, _) => Some((g, *what)),
            _ => None,
        })
        .unwrap_or((&groups[0], "metric filter"));
    let evidence: Vec<Value> = groups
        .iter()
        .zip(&findings)
        .map(|(g, f)| group_evidence(g, f))
        .collect();
    let message = match what {
        "metric filter" => format!(
            "no metric filter on {} matches {}",
            first.name, purpose.label
        ),
        "alarm" => format!(
            "the metric filter for {} on {} has no alarm on its metric",
            purpose.label, first.name
        ),
        _ => format!(
            "the alarm on {} notifies nobody (no enabled alarm action)",
            purpose.label
        ),
    };
    cx.fail(
        first.region,
        &resource(first),
        message,
        json!({ "log_groups": evidence }),
    );
}

/// What was found on one log group, with the trails that feed it.
fn group_evidence(g: &Group, f: &Finding) -> Value {
    let mut e = match f {
        Finding::Watched(e) | Finding::Missing(_, e) => e.clone(),
        Finding::Unreadable => json!({}),
    };
    e["log_group"] = json!(g.name);
    e["region"] = json!(g.region);
    e["trails"] = json!(g.trails.iter().map(|t| &t.arn).collect::<Vec<_>>());
    e["trail_logging"] = json!(g.logging);
    e
}

/// Whether the group has a filter for the purpose whose metric an alarm with an enabled
/// action watches; if not, how far it got.
fn find(g: &Group, purpose: &Purpose) -> Finding {
    let Some(facts) = g.facts else {
        return Finding::Unreadable;
    };
    let (Some(filters), Some(alarms)) = (facts.metric_filters.ok(), facts.alarms.ok()) else {
        return Finding::Unreadable;
    };
    let filters: Vec<_> = filters
        .iter()
        .filter(|f| f.log_group == g.name && purpose.pattern.iter().all(|p| f.pattern.contains(p)))
        .collect();
    if filters.is_empty() {
        return Finding::Missing("metric filter", json!({ "metric_filters": [] }));
    }
    let watching: Vec<_> = alarms
        .iter()
        .filter(|a| {
            filters.iter().any(|f| {
                f.metrics.iter().any(|(ns, name)| {
                    a.namespace.as_deref() == Some(ns) && a.metric_name.as_deref() == Some(name)
                })
            })
        })
        .collect();
    let filter_evidence: Vec<Value> = filters
        .iter()
        .map(|f| json!({ "name": f.name, "pattern": f.pattern, "metrics": f.metrics }))
        .collect();
    if watching.is_empty() {
        return Finding::Missing(
            "alarm",
            json!({ "metric_filters": filter_evidence, "alarms": [] }),
        );
    }
    let alarm_evidence: Vec<Value> = watching
        .iter()
        .map(|a| json!({ "name": a.name, "actions_enabled": a.actions_enabled, "alarm_actions": a.alarm_actions }))
        .collect();
    let evidence = json!({ "metric_filters": filter_evidence, "alarms": alarm_evidence });
    if watching
        .iter()
        .any(|a| a.actions_enabled && !a.alarm_actions.is_empty())
    {
        Finding::Watched(evidence)
    } else {
        Finding::Missing("alarm action", evidence)
    }
}

/// `arn:aws:logs:eu-west-1:123456789012:log-group:NAME:*` -> `NAME`.
fn log_group_name(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once("log-group:")?;
    rest.split(':').next().filter(|n| !n.is_empty())
}
