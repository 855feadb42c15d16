//! The mechanism of the CIS "metric filter and alarm" checks (CW-01, CW-03, CW-04): on
//! the CloudWatch Logs group of the trail that records every management event (the
//! trail CT-01 accepts), is there a metric filter that catches the events of a purpose,
//! and an alarm on its metric that notifies someone?

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::filter_pattern::{self, Op, Spec};
use crate::check::{Cx, GLOBAL};
use crate::checks::cloudtrail::trails::{Judged, Listed};
use crate::engine::refs::{ActionRef, alarm_action};
use crate::inventory::{Alarm, Collected, Inventory, MetricFilter, Regional, Trail};

/// What one filter must watch.
pub(crate) struct Purpose {
    /// The last part of the outcome's resource id.
    pub slug: &'static str,
    pub label: &'static str,
    /// The events to catch: each entry is one kind of event, given as its equivalent
    /// forms (each a conjunction of clauses); a filter catches the kind when it matches
    /// every event of one form. Every kind must be caught, by one filter or several.
    pub events: &'static [&'static [&'static [Spec]]],
    /// Narrowing clauses the benchmark itself adds, which a filter may carry.
    pub allowed: &'static [Spec],
}

/// CIS 4.1.
pub(crate) const UNAUTHORIZED_API_CALLS: Purpose = Purpose {
    slug: "unauthorized-api-calls",
    label: "unauthorized API calls",
    events: &[
        &[&[("errorCode", Op::Eq, "*UnauthorizedOperation")]],
        &[&[("errorCode", Op::Eq, "AccessDenied*")]],
    ],
    allowed: &[
        ("sourceIPAddress", Op::Ne, "delivery.logs.amazonaws.com"),
        ("eventName", Op::Ne, "HeadBucket"),
    ],
};

/// CIS 4.2.
pub(crate) const CONSOLE_SIGNIN_WITHOUT_MFA: Purpose = Purpose {
    slug: "console-signin-without-mfa",
    label: "console sign-in without MFA",
    events: &[&[&[
        ("eventName", Op::Eq, "ConsoleLogin"),
        ("additionalEventData.MFAUsed", Op::Ne, "Yes"),
    ]]],
    allowed: &[
        ("userIdentity.type", Op::Eq, "IAMUser"),
        ("responseElements.ConsoleLogin", Op::Eq, "Success"),
    ],
};

/// CIS 4.3.
pub(crate) const ROOT_ACCOUNT_USAGE: Purpose = Purpose {
    slug: "root-account-usage",
    label: "root account usage",
    events: &[&[&[
        ("userIdentity.type", Op::Eq, "Root"),
        ("userIdentity.invokedBy", Op::NotExists, ""),
        ("eventType", Op::Ne, "AwsServiceEvent"),
    ]]],
    allowed: &[],
};

/// CIS 4.5.
pub(crate) const CLOUDTRAIL_CONFIGURATION_CHANGES: Purpose = Purpose {
    slug: "cloudtrail-configuration-changes",
    label: "CloudTrail configuration changes (CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging)",
    events: &[
        &[&[("eventName", Op::Eq, "CreateTrail")]],
        &[&[("eventName", Op::Eq, "UpdateTrail")]],
        &[&[("eventName", Op::Eq, "DeleteTrail")]],
        &[&[("eventName", Op::Eq, "StartLogging")]],
        &[&[("eventName", Op::Eq, "StopLogging")]],
    ],
    allowed: &[],
};

/// CIS 4.6: a failed console sign-in carries both the error message and the response
/// element; a filter on either catches it.
pub(crate) const CONSOLE_AUTHENTICATION_FAILURES: Purpose = Purpose {
    slug: "console-authentication-failures",
    label: "console authentication failures",
    events: &[&[
        &[
            ("eventName", Op::Eq, "ConsoleLogin"),
            ("errorMessage", Op::Eq, "Failed authentication"),
        ],
        &[
            ("eventName", Op::Eq, "ConsoleLogin"),
            ("responseElements.ConsoleLogin", Op::Eq, "Failure"),
        ],
    ]],
    allowed: &[],
};

/// A log group of this account that a qualifying trail delivers to.
struct Group<'a> {
    region: &'a str,
    name: &'a str,
    trails: Vec<&'a Trail>,
    facts: Option<&'a Regional>,
    /// Where alarm actions resolve (topics may live in any region of the account).
    inv: &'a Inventory,
}

enum Finding {
    Watched(Value),
    /// What is missing (`metric filter`, `alarm`, `alarm action`), and the evidence.
    Missing(&'static str, Value),
    Unreadable,
    /// Alarms are there, but whether their topics reach anyone cannot be told here: the
    /// IAM action that would tell (then `error`), or none (another account's topic, a
    /// region not scanned: `manual`), with why.
    Unsure {
        action: Option<String>,
        why: String,
        evidence: Value,
    },
}

/// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*` -> (region, account, name).
fn log_group(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(7, ':');
    let (_, _, service, region, account, kind, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let name = rest.split(':').next().filter(|n| !n.is_empty())?;
    (service == "logs" && kind == "log-group").then_some((region, account, name))
}

/// Judges each purpose on the log groups of the qualifying trails.
pub(crate) fn run<'a>(cx: &mut Cx<'a>, purposes: &[Purpose]) {
    let inv = cx.inv;
    let Some(listed) = Listed::read(cx) else {
        return;
    };
    let judged = Judged::new(listed.trails, &inv.account_id);
    let mut groups: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    let mut elsewhere = Vec::new();
    let mut undelivered = Vec::new();
    for (trail, _) in &judged.qualifying {
        let arn = trail.cloudwatch_logs_log_group_arn.as_deref();
        match arn.map(|a| (a, log_group(a))) {
            None => undelivered.push(json!({ "trail": trail.arn, "why_not": "does not deliver to CloudWatch Logs" })),
            Some((arn, None)) => undelivered.push(json!({ "trail": trail.arn, "why_not": format!("log group ARN {arn} is not understood") })),
            Some((arn, Some((_, account, _)))) if !account.is_empty() && account != inv.account_id => {
                elsewhere.push(json!({
                    "trail": trail.arn,
                    "organization_trail": trail.organization_trail,
                    "trail_owner_account": trail.owner(),
                    "log_group_arn": arn,
                    "log_group_account": account,
                }))
            }
            Some((_, Some((region, _, name)))) => {
                let region = if region.is_empty() { trail.home_region.as_str() } else { region };
                groups
                    .entry((region, name))
                    .or_insert_with(|| Group {
                        region,
                        name,
                        trails: Vec::new(),
                        facts: inv.regional.get(region),
                        inv,
                    })
                    .trails
                    .push(trail);
            }
        }
    }
    let labels: Vec<&str> = purposes.iter().map(|p| p.label).collect();
    if groups.is_empty() {
        if judged.report_unknown(
            cx,
            &listed,
            "deliver all management events to a log group of this account",
        ) {
            return;
        }
        let message = if let Some(e) = elsewhere.first() {
            format!(
                "the multi-region trail {} delivers to a log group of account {}, not of this one: the metric filters and alarms that watch {} must live there, and none in this account receives its events",
                e["trail"].as_str().unwrap_or_default(),
                e["log_group_account"].as_str().unwrap_or_default(),
                labels.join(", ")
            )
        } else if judged.qualifying.is_empty() {
            "no multi-region trail logs all management events (see CT-01), so no metric filter can watch them".to_string()
        } else {
            "the multi-region trail does not deliver to CloudWatch Logs (see CT-03), so no metric filter can watch its events".to_string()
        };
        cx.fail(
            GLOBAL,
            &inv.account_arn(),
            message,
            json!({
                "watching_for": labels,
                "delivered_to_other_accounts": elsewhere,
                "not_delivering": undelivered,
                "not_qualifying": judged.rejected_evidence(),
            }),
        );
        return;
    }
    let groups: Vec<Group> = groups.into_values().collect();
    let mut unresolved = Vec::new();
    for purpose in purposes {
        if let Some(missing) = judge_purpose(cx, &groups, purpose) {
            unresolved.push((purpose, missing));
        }
    }
    if unresolved.is_empty() {
        return;
    }
    // A trail or region we could not read might deliver to a group that watches.
    if judged.report_unknown(
        cx,
        &listed,
        "deliver all management events to a watched log group",
    ) {
        return;
    }
    for (purpose, (group, message, evidence)) in unresolved {
        let resource = resource(cx, group, purpose);
        let mut evidence = evidence;
        evidence["delivered_to_other_accounts"] = json!(elsewhere);
        cx.fail(group.region, &resource, message, evidence);
    }
}

fn resource(cx: &Cx<'_>, g: &Group, purpose: &Purpose) -> String {
    cx.inv.arn(
        "logs",
        g.region,
        &format!("log-group:{}:metric-filter/{}", g.name, purpose.slug),
    )
}

/// A pass, or errors for what could not be read; else what is missing, for a fail once
/// the caller knows nothing unread could have watched instead.
fn judge_purpose<'g, 'a>(
    cx: &mut Cx<'a>,
    groups: &'g [Group<'a>],
    purpose: &Purpose,
) -> Option<(&'g Group<'a>, String, Value)> {
    let findings: Vec<Finding> = groups.iter().map(|g| find(g, purpose)).collect();
    for (g, f) in groups.iter().zip(&findings) {
        if let Finding::Watched(_) = f {
            cx.pass(
                g.region,
                &resource(cx, g, purpose),
                format!(
                    "watched: metric filters on {} catch {} and feed alarms with an action",
                    g.name, purpose.label
                ),
                group_evidence(g, f),
            );
            return None;
        }
    }
    // A group whose filters or alarms could not be read might have watched.
    if findings.iter().any(|f| matches!(f, Finding::Unreadable)) {
        for (g, f) in groups.iter().zip(&findings) {
            if !matches!(f, Finding::Unreadable) {
                continue;
            }
            let resource = resource(cx, g, purpose);
            let Some(facts) = g.facts else {
                cx.error(
                    g.region,
                    &resource,
                    format!(
                        "could not be evaluated: the inventory holds no CloudWatch facts for {}, where log group {} is",
                        g.region, g.name
                    ),
                    json!({ "log_group": g.name, "region": g.region }),
                );
                continue;
            };
            if cx
                .get_for(&facts.metric_filters, g.region, &resource)
                .is_some()
            {
                cx.get_for(&facts.alarms, g.region, &resource);
            }
        }
        return None;
    }
    // Alarms whose topics could not be told working or dead might notify someone.
    if findings.iter().any(|f| matches!(f, Finding::Unsure { .. })) {
        for (g, f) in groups.iter().zip(&findings) {
            let Finding::Unsure { action, why, .. } = f else {
                continue;
            };
            let resource = resource(cx, g, purpose);
            let evidence = group_evidence(g, f);
            match action {
                Some(action) => cx.error(
                    g.region,
                    &resource,
                    format!(
                        "could not be evaluated: metric filters on {} catch {} and feed alarms, but {action} is needed to know whether their topics reach anyone ({why})",
                        g.name, purpose.label
                    ),
                    evidence,
                ),
                None => cx.manual(
                    g.region,
                    &resource,
                    format!(
                        "metric filters on {} catch {} and feed alarms; {why}",
                        g.name, purpose.label
                    ),
                    evidence,
                ),
            }
        }
        return None;
    }
    let (first, what, uncaught) = groups
        .iter()
        .zip(&findings)
        .find_map(|(g, f)| match f {
            Finding::Missing(what, e) => Some((g, *what, e["uncaught"].clone())),
            _ => None,
        })
        .unwrap_or((&groups[0], "metric filter", Value::Null));
    let evidence: Vec<Value> = groups
        .iter()
        .zip(&findings)
        .map(|(g, f)| group_evidence(g, f))
        .collect();
    let message = match what {
        "metric filter" => {
            let uncaught: Vec<&str> = uncaught
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            format!(
                "no metric filter on {} catches {} (not caught: {})",
                first.name,
                purpose.label,
                uncaught.join("; ")
            )
        }
        "alarm" => format!(
            "the metric filter for {} on {} has no alarm on its metric",
            purpose.label, first.name
        ),
        _ => format!(
            "the alarm on {} notifies nobody (no enabled alarm action, or its topics are gone or have no confirmed subscription)",
            purpose.label
        ),
    };
    Some((first, message, json!({ "log_groups": evidence })))
}

/// What was found on one log group, with the trails that feed it.
fn group_evidence(g: &Group, f: &Finding) -> Value {
    let mut e = match f {
        Finding::Watched(e) | Finding::Missing(_, e) | Finding::Unsure { evidence: e, .. } => {
            e.clone()
        }
        Finding::Unreadable => json!({}),
    };
    e["log_group"] = json!(g.name);
    e["region"] = json!(g.region);
    e["trails"] = json!(g.trails.iter().map(|t| &t.arn).collect::<Vec<_>>());
    e
}

/// Whether every kind of event of the purpose is caught by a filter on the group whose
/// metric an alarm with an enabled action watches; if not, how far it got. The alarms
/// are needed only once a filter is there: no alarm makes up for a missing filter.
fn find(g: &Group, purpose: &Purpose) -> Finding {
    let Some(facts) = g.facts else {
        return Finding::Unreadable;
    };
    let Collected::Ok(filters) = &facts.metric_filters else {
        return Finding::Unreadable;
    };
    let on_group: Vec<(&MetricFilter, Option<filter_pattern::Dnf>)> = filters
        .iter()
        .filter(|f| f.log_group == g.name)
        .map(|f| (f, filter_pattern::parse(&f.pattern)))
        .collect();
    // For each kind of event, the filters that catch it.
    let catching: Vec<Vec<&MetricFilter>> = purpose
        .events
        .iter()
        .map(|forms| {
            on_group
                .iter()
                .filter(|(_, dnf)| {
                    dnf.as_ref().is_some_and(|dnf| {
                        forms
                            .iter()
                            .any(|form| filter_pattern::covers(dnf, form, purpose.allowed))
                    })
                })
                .map(|(f, _)| *f)
                .collect()
        })
        .collect();
    let filter_evidence = |list: &[&MetricFilter]| -> Vec<Value> {
        list.iter()
            .map(|f| json!({ "name": f.name, "pattern": f.pattern, "metrics": f.metrics }))
            .collect()
    };
    if catching.iter().any(Vec::is_empty) {
        let seen: Vec<&MetricFilter> = on_group.iter().map(|(f, _)| *f).collect();
        let uncaught: Vec<String> = purpose
            .events
            .iter()
            .zip(&catching)
            .filter(|(_, c)| c.is_empty())
            .map(|(forms, _)| describe(forms[0]))
            .collect();
        return Finding::Missing(
            "metric filter",
            json!({ "uncaught": uncaught, "metric_filters_on_group": filter_evidence(&seen) }),
        );
    }
    let Collected::Ok(alarms) = &facts.alarms else {
        return Finding::Unreadable;
    };
    let alarms_of = |f: &MetricFilter| {
        alarms
            .iter()
            .filter(|a| {
                f.metrics.iter().any(|(ns, name)| {
                    a.namespace.as_deref() == Some(ns) && a.metric_name.as_deref() == Some(name)
                })
            })
            .collect::<Vec<_>>()
    };
    // What each enabled action of an alarm reaches: a topic must exist and have a
    // confirmed subscriber to tell anyone.
    let resolved = |a: &Alarm| -> Vec<ActionRef<'_>> {
        if !a.actions_enabled {
            return Vec::new();
        }
        a.alarm_actions
            .iter()
            .map(|x| alarm_action(g.inv, x))
            .collect()
    };
    let mut worst = None;
    let mut unsure = None;
    let mut used_filters = Vec::new();
    let mut used_alarms = Vec::new();
    for filters in &catching {
        let alarmed: Vec<_> = filters.iter().flat_map(|f| alarms_of(f)).collect();
        let actions: Vec<ActionRef> = alarmed.iter().flat_map(|a| resolved(a)).collect();
        used_filters.extend(filters.iter().copied());
        used_alarms.extend(alarmed.iter().copied());
        if alarmed.is_empty() {
            worst = Some("alarm");
        } else if !actions.iter().any(ActionRef::works) {
            let doubt = actions.iter().find_map(|r| match r {
                ActionRef::Unknown { why, action } => Some((action.clone(), why.clone())),
                ActionRef::OtherAccount { account } => Some((
                    None,
                    format!("the alarm notifies a topic of account {account}: confirm there that it exists and has a confirmed subscription"),
                )),
                _ => None,
            });
            match doubt {
                Some(d) => unsure = unsure.or(Some(d)),
                None if worst.is_none() => worst = Some("alarm action"),
                None => {}
            }
        }
    }
    used_filters.dedup_by_key(|f| &f.name);
    used_alarms.sort_by_key(|a| &a.name);
    used_alarms.dedup_by_key(|a| &a.name);
    let alarm_evidence: Vec<Value> = used_alarms
        .iter()
        .map(|a| json!({ "name": a.name, "actions_enabled": a.actions_enabled, "alarm_actions": a.alarm_actions, "reaches": resolved(a) }))
        .collect();
    let evidence =
        json!({ "metric_filters": filter_evidence(&used_filters), "alarms": alarm_evidence });
    match (worst, unsure) {
        (None, None) => Finding::Watched(evidence),
        (Some(what), _) => Finding::Missing(what, evidence),
        (None, Some((action, why))) => Finding::Unsure {
            action,
            why,
            evidence,
        },
    }
}

/// `eventName = ConsoleLogin && errorMessage = Failed authentication`, for evidence.
fn describe(form: &[Spec]) -> String {
    form.iter()
        .map(|(field, op, value)| match op {
            Op::NotExists => format!("$.{field} NOT EXISTS"),
            Op::Ne => format!("$.{field} != \"{value}\""),
            _ => format!("$.{field} = \"{value}\""),
        })
        .collect::<Vec<_>>()
        .join(" && ")
}
