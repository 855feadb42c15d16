//! The pure middle of the flow: an inventory in, findings out. A scan, a shard's part of
//! one, `evaluate`, `merge`'s shards and `verify` all judge by [`Rules::judge`], so the
//! same inventory gives the same findings whichever command judged it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::attest::{Attestation, Attestations};
use crate::check::{Check, Cx, GLOBAL, Outcome, Severity, Status};
use crate::config::Settings;
use crate::framework::{Control, Framework};
use crate::inventory::{Inventory, Unavailable};
use crate::report::Finding;

#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("unknown check id {0:?}: `tomscan checks` lists the ids")]
    UnknownCheck(String),
    #[error("unknown section or measure id {0:?} in framework {1:?}")]
    UnknownSection(String, String),
    #[error("no check is selected: the framework maps no check to the selected sections")]
    NothingSelected,
}

/// Which part of the catalogue to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Check ids; empty: every check the framework maps.
    pub checks: Vec<String>,
    /// Section (`4`) or measure (`4.c`) ids; empty: all.
    pub sections: Vec<String>,
}

impl Selection {
    fn covers_control(&self, id: &str) -> bool {
        self.sections.is_empty()
            || self.sections.iter().any(|s| {
                s == id
                    || id
                        .strip_prefix(s.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    /// The checks to run, in catalogue order: mapped by the framework to a selected
    /// control and, when check ids are given, among them.
    pub fn checks(&self, framework: &Framework) -> Result<Vec<&'static Check>, SelectionError> {
        for id in &self.checks {
            crate::checks::find(id).ok_or_else(|| SelectionError::UnknownCheck(id.clone()))?;
        }
        for id in &self.sections {
            if framework.section_of(id).is_none() {
                return Err(SelectionError::UnknownSection(
                    id.clone(),
                    framework.id.clone(),
                ));
            }
        }
        let mapped: BTreeSet<&str> = framework
            .controls()
            .filter(|(_, c)| self.covers_control(&c.id))
            .flat_map(|(_, c)| c.checks.iter().map(String::as_str))
            .collect();
        let selected: Vec<_> = crate::checks::ALL
            .iter()
            .copied()
            .filter(|c| mapped.contains(c.id))
            .filter(|c| {
                self.checks.is_empty() || self.checks.iter().any(|id| id.eq_ignore_ascii_case(c.id))
            })
            .collect();
        if selected.is_empty() && self.checks.is_empty() && !self.sections.is_empty() {
            // Only organisational measures selected: still a valid (manual) report.
            return Ok(selected);
        }
        if selected.is_empty() {
            return Err(SelectionError::NothingSelected);
        }
        Ok(selected)
    }
}

/// What findings are judged by: the same for every account of a run.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub framework: &'a Framework,
    pub selection: &'a Selection,
    pub settings: &'a Settings,
    pub attestations: &'a Attestations,
}

impl Rules<'_> {
    /// Runs `checks` over an inventory and, with `organisational`, adds a finding for
    /// every selected organisational measure (a shard's part holds them or not, so they
    /// are reported once per account). Ages are judged as of `now`. Pure.
    pub fn judge(
        &self,
        inv: &Inventory,
        checks: &[&Check],
        organisational: bool,
        now: DateTime<Utc>,
    ) -> Vec<Finding> {
        let mut findings = self.checks(inv, checks, now);
        if organisational {
            findings.extend(self.organisational(&inv.account_id, now));
        }
        findings
    }

    /// The findings of an account that could not be read: one `error` per selected
    /// check, naming what failed, and the organisational measures as for any other
    /// account (they rest on attestations, not on the account).
    pub fn unreadable(
        &self,
        account: &str,
        why: &Unavailable,
        checks: &[&Check],
        now: DateTime<Utc>,
    ) -> Vec<Finding> {
        let by_check = self.framework.controls_by_check();
        let mut findings: Vec<Finding> = checks
            .iter()
            .map(|check| Finding {
                check_id: check.id.to_string(),
                title: check.title.to_string(),
                sections: sections_of(&by_check, check.id),
                severity: check.severity,
                status: Status::Error,
                account: account.to_string(),
                region: GLOBAL.to_string(),
                resource: String::new(),
                message: format!(
                    "account {account} was not read: {} failed with {}: {}",
                    why.action, why.code, why.message
                ),
                evidence: serde_json::json!({
                    "action": why.action,
                    "code": why.code,
                    "message": why.message,
                }),
                remediation: check.remediation.to_string(),
            })
            .collect();
        findings.extend(self.organisational(account, now));
        findings
    }

    fn checks(&self, inv: &Inventory, checks: &[&Check], now: DateTime<Utc>) -> Vec<Finding> {
        let by_check = self.framework.controls_by_check();
        let mut findings = Vec::new();
        for check in checks {
            let mut cx = Cx::new(inv, self.settings, now);
            (check.run)(&mut cx);
            let mut outcomes = cx.into_outcomes();
            if outcomes.is_empty() {
                // Every selected check appears in every report: silence would read as
                // "nothing wrong" in a report nobody can tell is incomplete.
                outcomes.push(Outcome {
                    status: Status::Error,
                    region: GLOBAL.to_string(),
                    resource: String::new(),
                    message: "could not be evaluated: the check found nothing to judge, not even a region (the inventory covers no region?)".into(),
                    evidence: serde_json::json!({ "regions": inv.regions }),
                });
            }
            let sections = sections_of(&by_check, check.id);
            findings.extend(outcomes.into_iter().map(|o| Finding {
                check_id: check.id.to_string(),
                title: check.title.to_string(),
                sections: sections.clone(),
                severity: check.severity,
                status: o.status,
                account: inv.account_id.clone(),
                region: o.region,
                resource: o.resource,
                message: o.message,
                evidence: o.evidence,
                remediation: check.remediation.to_string(),
            }));
        }
        findings
    }

    /// A finding per selected organisational measure (none when checks are picked by id).
    fn organisational(&self, account: &str, now: DateTime<Utc>) -> Vec<Finding> {
        if !self.selection.checks.is_empty() {
            return Vec::new();
        }
        self.framework
            .controls()
            .filter(|(_, c)| c.organisational && self.selection.covers_control(&c.id))
            .map(|(_, control)| {
                organisational(account, control, self.attestations.get(&control.id), now)
            })
            .collect()
    }
}

fn sections_of(by_check: &std::collections::BTreeMap<&str, Vec<&str>>, check: &str) -> Vec<String> {
    by_check
        .get(check)
        .map(|ids| ids.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default()
}

/// The finding of an organisational measure: `attested` while an attestation is in
/// force, `manual` without one or once it has expired.
fn organisational(
    account: &str,
    control: &Control,
    attestation: Option<&Attestation>,
    now: DateTime<Utc>,
) -> Finding {
    let today = now.date_naive();
    let (status, message, evidence) = match attestation {
        Some(a) if a.expires >= today => (
            Status::Attested,
            format!(
                "attested by {} on {} ({}), valid until {}",
                a.attested_by, a.date, a.reference, a.expires
            ),
            serde_json::to_value(a).unwrap_or_default(),
        ),
        Some(a) => {
            tracing::warn!(measure = %control.id, expired = %a.expires, "attestation expired; reporting the measure as manual");
            (
                Status::Manual,
                format!("the attestation by {} expired on {}: renew it", a.attested_by, a.expires),
                serde_json::json!({ "expired_attestation": a }),
            )
        }
        None => (
            Status::Manual,
            "organisational measure: no AWS evidence; attest it (--attestations) to record who checked it and when"
                .to_string(),
            serde_json::Value::Null,
        ),
    };
    Finding {
        check_id: format!("ORG-{}", control.id),
        title: control.text.clone(),
        sections: vec![control.id.clone()],
        severity: Severity::Medium,
        status,
        account: account.to_string(),
        region: GLOBAL.to_string(),
        resource: String::new(),
        message,
        evidence,
        remediation: "Record an attestation (who, when, reference, expiry) for this measure in the attestation file."
            .into(),
    }
}
