//! What changed between two scans: failures that appeared, failures that went away, other
//! status changes, and the score and coverage of every section before and after.
//! Findings are matched by check, account, region and resource; messages are not part of
//! the key, since they carry ages that change every day.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::check::{Severity, Status};
use crate::report::{Finding, FrameworkRef, Report};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(
        "the reports judge different frameworks ({old:?} and {new:?}): compare scans made with the same --framework"
    )]
    Framework { old: String, new: String },
}

#[derive(Debug, Serialize)]
pub struct Diff {
    pub framework: FrameworkRef,
    pub old: Side,
    pub new: Side,
    /// `fail` now, and not before (a new resource, or one that was passing, waived, ...).
    pub new_failures: Vec<Change>,
    /// `fail` before, and now passing, not applicable or gone.
    pub resolved: Vec<Change>,
    /// Every other status change (a pass that became error, a fail now waived, ...).
    pub changed: Vec<Change>,
    /// The whole report, then each section and measure in either report.
    pub sections: Vec<SectionDelta>,
}

#[derive(Debug, Serialize)]
pub struct Side {
    pub scanned_at: DateTime<Utc>,
    pub accounts: Vec<String>,
    pub score: Option<f64>,
    pub coverage: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub check_id: String,
    pub title: String,
    pub sections: Vec<String>,
    pub severity: Severity,
    pub account: String,
    pub region: String,
    pub resource: String,
    /// `None`: the finding is not in that report (a new or a deleted resource).
    pub from: Option<Status>,
    pub to: Option<Status>,
    /// The newer report's message, or the older one's for a finding that is gone.
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct SectionDelta {
    /// `None` for the whole report.
    pub id: Option<String>,
    pub title: String,
    pub old_score: Option<f64>,
    pub new_score: Option<f64>,
    pub old_coverage: Option<f64>,
    pub new_coverage: Option<f64>,
}

impl SectionDelta {
    /// Whether a reader should see this row: a score or coverage moved by 0.05 or more
    /// (what the one-decimal tables can show), or appeared or disappeared.
    pub fn moved(&self) -> bool {
        let differs = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() >= 0.05,
            (a, b) => a.is_some() != b.is_some(),
        };
        differs(self.old_score, self.new_score) || differs(self.old_coverage, self.new_coverage)
    }
}

type Key<'a> = (&'a str, &'a str, &'a str, &'a str);

fn key(f: &Finding) -> Key<'_> {
    (&f.check_id, &f.account, &f.region, &f.resource)
}

pub fn diff(old: &Report, new: &Report) -> Result<Diff, DiffError> {
    if old.framework.id != new.framework.id {
        return Err(DiffError::Framework {
            old: old.framework.id.clone(),
            new: new.framework.id.clone(),
        });
    }
    // Both reports list their findings in one order (by check, account, region,
    // resource), so one pass over the two, merged, meets each key's findings side by
    // side, and holds no more than one key's at a time.
    let (mut new_failures, mut resolved, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    let merged = crate::findings::Merge::new(vec![old.findings.iter(), new.findings.iter()]);
    let mut merged = merged.peekable();
    while let Some(first) = merged.next() {
        let mut group = vec![first];
        while let Some(next) = merged.next_if(|(_, f)| key(f) == key(&group[0].1)) {
            group.push(next);
        }
        let (mut before, mut after): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
        for (side, f) in group {
            if side == 0 {
                before.push(f);
            } else {
                after.push(f);
            }
        }
        // Several findings can share a key (one per rule of a resource, say): pair them
        // in status order, so an unchanged pair is never reported as a change.
        before.sort_by_key(|f| f.status);
        after.sort_by_key(|f| f.status);
        // Equal statuses cancel out first; what remains changed.
        before.retain(|b| match after.iter().position(|a| a.status == b.status) {
            Some(i) => {
                after.remove(i);
                false
            }
            None => true,
        });
        let n = before.len().max(after.len());
        for i in 0..n {
            let (b, a) = (before.get(i), after.get(i));
            let shown = a.or(b).expect("one side exists below the longer length");
            let change = Change {
                check_id: shown.check_id.clone(),
                title: shown.title.clone(),
                sections: shown.sections.clone(),
                severity: shown.severity,
                account: shown.account.clone(),
                region: shown.region.clone(),
                resource: shown.resource.clone(),
                from: b.map(|f| f.status),
                to: a.map(|f| f.status),
                message: shown.message.clone(),
            };
            match (change.from, change.to) {
                (_, Some(Status::Fail)) => new_failures.push(change),
                (Some(Status::Fail), None | Some(Status::Pass | Status::NotApplicable)) => {
                    resolved.push(change)
                }
                // A resource that appeared or went away without failing is not a change
                // of posture: the section scores show its weight.
                (None, _) | (_, None) => {}
                _ => changed.push(change),
            }
        }
    }
    // The worst first: what a person reads at the top of a nightly diff.
    for list in [&mut new_failures, &mut resolved, &mut changed] {
        list.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.check_id.cmp(&b.check_id))
                .then_with(|| a.resource.cmp(&b.resource))
        });
    }
    Ok(Diff {
        framework: new.framework.clone(),
        old: side(old),
        new: side(new),
        new_failures,
        resolved,
        changed,
        sections: sections(old, new),
    })
}

fn side(r: &Report) -> Side {
    Side {
        scanned_at: r.scanned_at,
        accounts: r.accounts.clone(),
        score: r.score,
        coverage: r.coverage,
    }
}

fn sections(old: &Report, new: &Report) -> Vec<SectionDelta> {
    let mut out = vec![SectionDelta {
        id: None,
        title: "Overall".into(),
        old_score: old.score,
        new_score: new.score,
        old_coverage: Some(old.coverage),
        new_coverage: Some(new.coverage),
    }];
    // In the newer report's order, then those only the older one has.
    let mut ids: Vec<&str> = new.sections.iter().map(|s| s.id.as_str()).collect();
    for s in &old.sections {
        if !ids.contains(&s.id.as_str()) {
            ids.push(&s.id);
        }
    }
    for id in ids {
        let (o, n) = (
            old.sections.iter().find(|s| s.id == id),
            new.sections.iter().find(|s| s.id == id),
        );
        let title = n.or(o).map(|s| s.title.clone()).unwrap_or_default();
        out.push(SectionDelta {
            id: Some(id.to_string()),
            title,
            old_score: o.and_then(|s| s.score),
            new_score: n.and_then(|s| s.score),
            old_coverage: o.and_then(|s| s.coverage),
            new_coverage: n.and_then(|s| s.coverage),
        });
    }
    out
}

impl Diff {
    /// Whether a failure at or above `min` appeared (`--fail-on-new`).
    pub fn has_new_failure(&self, min: Severity) -> bool {
        self.new_failures.iter().any(|c| c.severity >= min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(check: &str, resource: &str, status: Status, severity: Severity) -> Finding {
        Finding {
            check_id: check.into(),
            title: format!("{check} title"),
            sections: vec!["4.c".into()],
            severity,
            status,
            account: "123456789012".into(),
            region: "eu-west-1".into(),
            resource: resource.into(),
            message: format!("{resource} is {}", status.as_str()),
            evidence: serde_json::Value::Null,
            remediation: String::new(),
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        let json = serde_json::json!({
            "schema_version": crate::report::SCHEMA_VERSION,
            "tool": { "name": "tomscan", "version": "0" },
            "framework": { "id": "tom", "title": "TOM" },
            "scanned_at": "2026-11-27T00:00:00Z",
            "accounts": ["123456789012"], "account_summaries": [], "regions": ["eu-west-1"],
            "score": null, "coverage": 0.0,
            "scoring": { "formula": "", "weights": {} },
            "counts": crate::report::Counts::default(),
            "sections": [], "checks": [], "findings": findings,
            "stats": crate::report::Stats::default(),
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn changes_are_classified_by_what_they_mean() {
        use Severity::*;
        use Status::*;
        let old = report(vec![
            finding("IAM-06", "alice", Fail, High),
            finding("IAM-06", "bob", Pass, High),
            finding("IAM-06", "carol", Fail, High),
            finding("S3-01", "logs", Pass, Medium),
            finding("S3-01", "gone", Fail, Medium),
            finding("S3-01", "same", Fail, Medium),
            finding("S3-01", "quiet", Pass, Medium),
        ]);
        let new = report(vec![
            finding("IAM-06", "alice", Pass, High),
            finding("IAM-06", "bob", Fail, High),
            finding("IAM-06", "carol", Waived, High),
            finding("S3-01", "logs", Error, Medium),
            finding("S3-01", "fresh", Fail, Low),
            finding("S3-01", "same", Fail, Medium),
            finding("S3-01", "new-and-fine", Pass, Medium),
        ]);
        let d = diff(&old, &new).unwrap();
        let names = |l: &[Change]| -> Vec<(String, Option<Status>, Option<Status>)> {
            l.iter()
                .map(|c| (c.resource.clone(), c.from, c.to))
                .collect()
        };
        assert_eq!(
            names(&d.new_failures),
            [
                ("bob".into(), Some(Pass), Some(Fail)),
                ("fresh".into(), None, Some(Fail))
            ]
        );
        assert_eq!(
            names(&d.resolved),
            [
                ("alice".into(), Some(Fail), Some(Pass)),
                ("gone".into(), Some(Fail), None)
            ]
        );
        assert_eq!(
            names(&d.changed),
            [
                ("carol".into(), Some(Fail), Some(Waived)),
                ("logs".into(), Some(Pass), Some(Error))
            ]
        );
        assert!(d.has_new_failure(High));
        assert!(!d.has_new_failure(Critical));
    }

    #[test]
    fn findings_sharing_a_key_pair_by_status() {
        use Severity::*;
        use Status::*;
        let old = report(vec![
            finding("EC2-03", "sg-1", Fail, High),
            finding("EC2-03", "sg-1", Pass, High),
        ]);
        let new = report(vec![
            finding("EC2-03", "sg-1", Pass, High),
            finding("EC2-03", "sg-1", Fail, High),
        ]);
        let d = diff(&old, &new).unwrap();
        assert!(d.new_failures.is_empty() && d.resolved.is_empty() && d.changed.is_empty());
    }

    #[test]
    fn different_frameworks_are_refused() {
        let old = report(vec![]);
        let mut new = report(vec![]);
        new.framework.id = "iso27001".into();
        let err = diff(&old, &new).unwrap_err().to_string();
        assert!(err.contains("\"tom\" and \"iso27001\""), "{err}");
    }
}
