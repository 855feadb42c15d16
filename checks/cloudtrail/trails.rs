//! What the trail checks share, and the checks built on a trail (CW-01, CW-03, CW-04,
//! S3-09): the trails as the regions listed them, and which trail records every
//! management event in every region — the trail CT-01 accepts.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::check::{Cx, GLOBAL};
use crate::inventory::{Collected, Trail, TrailSelectors, Unavailable};

/// The trails the readable regions listed, and the regions that could not list theirs.
pub(crate) struct Listed<'a> {
    pub trails: &'a [Trail],
    pub unlisted: &'a BTreeMap<String, Unavailable>,
}

impl<'a> Listed<'a> {
    /// `None` after an `error` when no region could list its trails.
    pub fn read(cx: &mut Cx<'a>) -> Option<Self> {
        let ct = &cx.inv.cloudtrail;
        let trails = cx.get(&ct.trails, GLOBAL)?;
        Some(Listed {
            trails,
            unlisted: &ct.unlisted_regions,
        })
    }

    /// An `error` for each region that could not list its trails, saying what a trail
    /// there could change. Returns whether there was any.
    pub fn report_unlisted(&self, cx: &mut Cx<'_>, at_stake: &str, evidence: &Value) -> bool {
        let inv = cx.inv;
        for (region, u) in self.unlisted {
            cx.error(
                region,
                &inv.arn("cloudtrail", region, "trail/*"),
                format!(
                    "could not be evaluated for {region}: {} failed with {}: {}; {at_stake}",
                    u.action, u.code, u.message
                ),
                json!({
                    "missing_action": u.action, "code": u.code, "message": u.message,
                    "region": region, "known_trails": evidence,
                }),
            );
        }
        !self.unlisted.is_empty()
    }
}

/// What could not be read about a trail, as evidence.
pub(crate) fn missing<T>(c: &Collected<T>) -> Value {
    match c {
        Collected::Unavailable(u) => {
            json!({ "missing_action": u.action, "code": u.code, "message": u.message })
        }
        _ => {
            json!({ "missing_action": "not collected", "message": "the inventory does not hold this source" })
        }
    }
}

/// `ACTION failed with CODE: MESSAGE`, from [`missing`]'s evidence.
pub(crate) fn describe_missing(m: &Value) -> String {
    match m["code"].as_str() {
        Some(code) => format!(
            "{} failed with {code}: {}",
            m["missing_action"].as_str().unwrap_or_default(),
            m["message"].as_str().unwrap_or_default()
        ),
        None => "the inventory does not hold this source".to_string(),
    }
}

/// An organization trail of another account (the management account), seen from a
/// member account: its event selectors are the management account's to read.
pub(crate) fn foreign_organization_trail(trail: &Trail, account: &str) -> bool {
    trail.organization_trail && !account.is_empty() && trail.owner().is_some_and(|o| o != account)
}

/// Whether `trail` records every read and write management event in every region.
pub(crate) enum Verdict {
    /// It does; the evidence says how that is known.
    Qualifies(Value),
    DoesNot(Vec<String>),
    /// A fact that could decide it could not be read.
    Unknown(Value),
}

pub(crate) fn judge(trail: &Trail, account: &str) -> Verdict {
    // A single-region trail can never qualify: no need for facts we could not read.
    if !trail.multi_region {
        return Verdict::DoesNot(vec!["not multi-region".into()]);
    }
    let mut reasons = Vec::new();
    let mut unknown = None;
    match &trail.status {
        Collected::Ok(s) => {
            if !s.is_logging {
                reasons.push("logging is stopped".to_string());
            }
            // Logging on, but the files never reach the bucket (gone, its policy
            // changed, its key unusable): nothing is recorded where anyone can read it.
            if let Some(e) = s.latest_delivery_error.as_deref().filter(|e| !e.is_empty()) {
                reasons.push(format!(
                    "its log files are not delivered to the bucket (LatestDeliveryError {e})"
                ));
            }
        }
        other => unknown = Some(missing(other)),
    }
    let mut basis = json!({ "trail": trail.name, "multi_region": true, "is_logging": true });
    match &trail.selectors {
        Collected::Ok(sel) => {
            let m = management_events(sel);
            reasons.extend(m.shortfalls(sel));
            basis["management_events"] = json!("All");
            basis["selectors"] = json!(sel);
        }
        Collected::Unavailable(u) if foreign_organization_trail(trail, account) => {
            basis["organization_trail"] = json!(true);
            basis["owner_account"] = json!(trail.owner());
            basis["management_events"] = json!(format!(
                "not readable here: the event selectors of this organization trail belong to the management account {} (GetEventSelectors from this account: {}); judged from IsOrganizationTrail, IsMultiRegionTrail and GetTrailStatus",
                trail.owner().unwrap_or_default(),
                u.code
            ));
        }
        other => unknown = unknown.or(Some(missing(other))),
    }
    match (reasons.is_empty(), unknown) {
        (false, _) => Verdict::DoesNot(reasons),
        (true, Some(m)) => Verdict::Unknown(m),
        (true, None) => Verdict::Qualifies(basis),
    }
}

/// The trails sorted by [`judge`].
pub(crate) struct Judged<'a> {
    pub qualifying: Vec<(&'a Trail, Value)>,
    pub rejected: Vec<(&'a Trail, Vec<String>)>,
    pub unknown: Vec<(&'a Trail, Value)>,
}

impl<'a> Judged<'a> {
    pub fn new(trails: &'a [Trail], account: &str) -> Self {
        let mut j = Judged {
            qualifying: Vec::new(),
            rejected: Vec::new(),
            unknown: Vec::new(),
        };
        for t in trails {
            match judge(t, account) {
                Verdict::Qualifies(basis) => j.qualifying.push((t, basis)),
                Verdict::DoesNot(why) => j.rejected.push((t, why)),
                Verdict::Unknown(m) => j.unknown.push((t, m)),
            }
        }
        j
    }

    /// Why each rejected trail does not qualify.
    pub fn rejected_evidence(&self) -> Value {
        json!(
            self.rejected
                .iter()
                .map(|(t, why)| json!({ "trail": t.arn, "why_not": why }))
                .collect::<Vec<_>>()
        )
    }

    /// When no trail proved the point: an `error` for each trail whose facts could not
    /// be read and each region that could not list its trails, since any of them might
    /// have. Returns whether there was any, in which case the caller must not fail.
    pub fn report_unknown(&self, cx: &mut Cx<'_>, listed: &Listed<'_>, at_stake: &str) -> bool {
        let known = self.rejected_evidence();
        for (trail, m) in &self.unknown {
            cx.error(
                &trail.home_region,
                &trail.arn,
                format!(
                    "could not be evaluated for trail {}: {}",
                    trail.name,
                    describe_missing(m)
                ),
                json!({ "unreadable": m, "other_trails": known }),
            );
        }
        let unlisted = listed.report_unlisted(
            cx,
            &format!("a multi-region trail homed there could {at_stake}"),
            &known,
        );
        unlisted || !self.unknown.is_empty()
    }
}

/// How a trail's selectors cover management events: read, write, and what keeps a
/// selector that selects management events from covering all of them.
pub(crate) struct Management {
    pub read: bool,
    pub write: bool,
    pub gaps: Vec<String>,
}

impl Management {
    pub fn all(&self) -> bool {
        self.read && self.write
    }

    /// Why these selectors do not record every management event (empty: they do).
    pub fn shortfalls(&self, sel: &TrailSelectors) -> Vec<String> {
        if self.all() {
            return Vec::new();
        }
        if sel.basic.is_empty() && sel.advanced.is_empty() {
            return vec![
                "GetEventSelectors returned no selector: the trail records no event".into(),
            ];
        }
        let mut why = match (self.read, self.write) {
            (false, false) if !self.gaps.is_empty() => Vec::new(),
            (false, false) => vec!["records no management events".to_string()],
            (true, _) => vec!["does not record write management events".to_string()],
            (_, true) => vec!["does not record read management events".to_string()],
        };
        why.extend(self.gaps.iter().cloned());
        why
    }
}

/// Read and write management events, by basic or advanced selectors, possibly split
/// across a read and a write selector. A selector that leaves out an event source
/// (`ExcludeManagementEventSources`, or any condition on `eventSource`) or narrows by a
/// field other than `readOnly` covers only part of them, and does not count.
pub(crate) fn management_events(sel: &TrailSelectors) -> Management {
    let mut m = Management {
        read: false,
        write: false,
        gaps: Vec::new(),
    };
    for s in sel.basic.iter().filter(|s| s.include_management_events) {
        if !s.exclude_management_event_sources.is_empty() {
            m.gaps.push(format!(
                "leaves out the management events of {} (ExcludeManagementEventSources)",
                s.exclude_management_event_sources.join(", ")
            ));
            continue;
        }
        let (r, w) = read_write(&s.read_write_type);
        m.read |= r;
        m.write |= w;
    }
    for s in &sel.advanced {
        let mut categories = s.field("eventCategory").peekable();
        if categories.peek().is_none() || !categories.all(|f| f.matches("Management")) {
            continue;
        }
        let narrowing: Vec<String> = s
            .fields
            .iter()
            .filter(|f| !matches!(f.field.as_str(), "eventCategory" | "readOnly"))
            .map(describe_condition)
            .collect();
        if !narrowing.is_empty() {
            m.gaps.push(format!(
                "advanced selector {} narrows management events: {}",
                s.name.as_deref().unwrap_or("(unnamed)"),
                narrowing.join(", ")
            ));
            continue;
        }
        m.read |= s.field("readOnly").all(|f| f.matches("true"));
        m.write |= s.field("readOnly").all(|f| f.matches("false"));
    }
    m
}

/// `ReadOnly`, `WriteOnly`, or anything else (`All`) as (read, write).
pub(crate) fn read_write(kind: &str) -> (bool, bool) {
    match kind {
        "ReadOnly" => (true, false),
        "WriteOnly" => (false, true),
        _ => (true, true),
    }
}

/// `eventSource NotEquals [rdsdata.amazonaws.com]`, for evidence.
pub(crate) fn describe_condition(f: &crate::inventory::FieldSelector) -> String {
    let ops = [
        ("Equals", &f.equals),
        ("NotEquals", &f.not_equals),
        ("StartsWith", &f.starts_with),
        ("NotStartsWith", &f.not_starts_with),
        ("EndsWith", &f.ends_with),
        ("NotEndsWith", &f.not_ends_with),
    ];
    let parts: Vec<String> = ops
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(op, v)| format!("{} {op} [{}]", f.field, v.join(", ")))
        .collect();
    parts.join(" and ")
}
