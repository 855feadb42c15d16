//! Scores and coverage, per check, per TOM section and measure, and overall.
//!
//! score = 100 x sum(w_c x pass_c / (pass_c + fail_c)) / sum(w_c), over the checks c in
//! scope with at least one pass or fail, where w_c is the check's severity weight (low 1,
//! medium 2, high 4, critical 8). A check weighs the same whether it judged one resource or
//! a thousand, so a large fleet of one kind cannot drown the rest.
//!
//! coverage = 100 x sum(w_u x judged_u) / sum(w_u) over the units u in scope: checks with
//! any finding other than not_applicable (judged = (pass + fail + waived) / (those + error))
//! and organisational measures (weight 2; judged 1 when attested, 0 when manual).
//!
//! `error`, `manual` and `not_applicable` never enter the score; `waived` findings are
//! counted as judged but left out of the score.

use std::collections::BTreeMap;

use crate::check::Severity;
use crate::report::{Counts, Scoring};

pub const FORMULA: &str = "score = 100 * sum(w * pass / (pass + fail)) / sum(w) over checks with a pass or fail, \
w = severity weight (low 1, medium 2, high 4, critical 8); coverage = weighted share of checks and \
organisational measures that could be evaluated (error and manual lower it); error, manual and \
not_applicable never enter the score";

/// Weight of an organisational measure in coverage.
const ORGANISATIONAL_WEIGHT: f64 = 2.0;

pub fn scoring() -> Scoring {
    Scoring {
        formula: FORMULA.to_string(),
        weights: [
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .into_iter()
        .map(|s| (s, s.weight()))
        .collect(),
    }
}

/// Counts of a set of findings, grouped per check.
#[derive(Default)]
pub struct Tally {
    per_check: BTreeMap<String, (Severity, Counts, bool)>,
}

impl Tally {
    /// The tally of findings one by one, for the tests: reports tally their findings'
    /// groups (`assemble::Groups`).
    #[cfg(test)]
    pub fn new<'a>(findings: impl IntoIterator<Item = &'a crate::report::Finding>) -> Tally {
        let mut tally = Tally::default();
        for f in findings {
            let mut counts = Counts::default();
            counts.add(f.status);
            tally.file(&f.check_id, f.severity, &counts);
        }
        tally
    }

    /// Adds the counts of some of a check's findings.
    pub fn file(&mut self, check: &str, severity: Severity, counts: &Counts) {
        let entry = match self.per_check.get_mut(check) {
            Some(entry) => entry,
            None => self.per_check.entry(check.to_string()).or_insert((
                severity,
                Counts::default(),
                false,
            )),
        };
        entry.1.merge(counts);
        // Only organisational measures are ever manual or attested.
        entry.2 |= counts.manual + counts.attested > 0;
    }

    pub fn counts(&self) -> Counts {
        let mut total = Counts::default();
        for (_, c, _) in self.per_check.values() {
            total.merge(c);
        }
        total
    }

    pub fn score(&self) -> Option<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        for (sev, c, org) in self.per_check.values() {
            let judged = c.pass + c.fail;
            if *org || judged == 0 {
                continue;
            }
            num += sev.weight() * f64::from(c.pass) / f64::from(judged);
            den += sev.weight();
        }
        (den > 0.0).then(|| round1(100.0 * num / den))
    }

    pub fn coverage(&self) -> Option<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        for (sev, c, org) in self.per_check.values() {
            if *org {
                num += ORGANISATIONAL_WEIGHT * f64::from(c.attested.min(1));
                den += ORGANISATIONAL_WEIGHT;
                continue;
            }
            let judged = c.pass + c.fail + c.waived;
            let all = judged + c.error;
            if all == 0 {
                continue;
            }
            num += sev.weight() * f64::from(judged) / f64::from(all);
            den += sev.weight();
        }
        (den > 0.0).then(|| round1(100.0 * num / den))
    }

    /// Per-check score.
    pub fn check_score(&self, id: &str) -> Option<f64> {
        let (_, c, _) = self.per_check.get(id)?;
        let judged = c.pass + c.fail;
        (judged > 0).then(|| round1(100.0 * f64::from(c.pass) / f64::from(judged)))
    }

    pub fn check_counts(&self, id: &str) -> Counts {
        self.per_check.get(id).map(|e| e.1).unwrap_or_default()
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::report::Finding;

    fn finding(check: &str, severity: Severity, status: Status) -> Finding {
        Finding {
            check_id: check.into(),
            title: String::new(),
            sections: vec![],
            severity,
            status,
            account: String::new(),
            region: String::new(),
            resource: String::new(),
            message: String::new(),
            evidence: serde_json::Value::Null,
            remediation: String::new(),
        }
    }

    #[test]
    fn checks_weigh_by_severity_not_by_resource_count() {
        let mut f = vec![
            finding("A", Severity::Critical, Status::Pass),
            finding("A", Severity::Critical, Status::Fail),
            finding("B", Severity::Low, Status::Error),
        ];
        // 100 passing low-severity resources move the score as much as one would.
        f.extend((0..100).map(|_| finding("C", Severity::Low, Status::Pass)));
        let t = Tally::new(&f);
        // (8 x 0.5 + 1 x 1.0) / (8 + 1)
        assert_eq!(t.score(), Some(55.6));
        // A and C fully judged, B not at all: (8 + 1) / (8 + 1 + 1)
        assert_eq!(t.coverage(), Some(90.0));
        assert_eq!(t.counts().pass, 101);
    }

    #[test]
    fn manual_measures_lower_coverage_but_not_the_score() {
        let f = vec![
            finding("A", Severity::High, Status::Pass),
            finding("ORG-1.a", Severity::Medium, Status::Manual),
            finding("ORG-1.b", Severity::Medium, Status::Attested),
        ];
        let t = Tally::new(&f);
        assert_eq!(t.score(), Some(100.0));
        // (4 + 0 + 2) / (4 + 2 + 2)
        assert_eq!(t.coverage(), Some(75.0));
    }

    #[test]
    fn nothing_judged_has_no_score() {
        let t = Tally::new(&[finding("A", Severity::High, Status::Error)]);
        assert_eq!(t.score(), None);
        assert_eq!(t.coverage(), Some(0.0));
    }
}
