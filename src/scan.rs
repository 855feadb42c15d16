//! Orchestration: scope -> collect -> evaluate -> score -> report.

use std::collections::BTreeSet;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::attest::{Attestation, Attestations};
use crate::aws::{Aws, AwsOptions};
use crate::check::{Check, Cx, Outcome, Severity, Status};
use crate::collect::{self, Target};
use crate::config::Settings;
use crate::framework::Framework;
use crate::inventory::{Inventory, Unavailable};
use crate::report::{
    CheckResult, Finding, FrameworkRef, Report, SCHEMA_VERSION, SectionResult, Stats, Tool,
};
use crate::score::{self, Tally};
use crate::waiver::Waivers;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(
        "cannot identify the account: {action} failed with {code}: {message}\n\
         Check the credentials (AWS_PROFILE / --profile, AWS_ACCESS_KEY_ID, `aws sso login`) and the endpoint."
    )]
    Identity {
        action: String,
        code: String,
        message: String,
    },
    #[error(
        "cannot list the enabled regions: {action} failed with {code}: {message}\nName the regions with --region."
    )]
    Regions {
        action: String,
        code: String,
        message: String,
    },
    #[error(
        "the account lists no enabled region (ec2:DescribeRegions answered an empty list): name the regions with --region"
    )]
    NoRegions,
    #[error("unknown check id {0:?}: `tomscan checks` lists the ids")]
    UnknownCheck(String),
    #[error("unknown section or measure id {0:?} in framework {1:?}")]
    UnknownSection(String, String),
    #[error("no check is selected: the framework maps no check to the selected sections")]
    NothingSelected,
}

impl ScanError {
    fn identity(u: Unavailable) -> Self {
        ScanError::Identity {
            action: u.action,
            code: u.code,
            message: u.message,
        }
    }

    fn regions(u: Unavailable) -> Self {
        ScanError::Regions {
            action: u.action,
            code: u.code,
            message: u.message,
        }
    }
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
    pub fn checks(&self, framework: &Framework) -> Result<Vec<&'static Check>, ScanError> {
        for id in &self.checks {
            crate::checks::find(id).ok_or_else(|| ScanError::UnknownCheck(id.clone()))?;
        }
        for id in &self.sections {
            if framework.section_of(id).is_none() {
                return Err(ScanError::UnknownSection(id.clone(), framework.id.clone()));
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
            return Err(ScanError::NothingSelected);
        }
        Ok(selected)
    }
}

pub struct ScanOptions {
    pub aws: AwsOptions,
    /// Regions to scan; empty: every region the account has enabled.
    pub regions: Vec<String>,
    pub framework: Framework,
    pub selection: Selection,
    pub settings: Settings,
    pub attestations: Attestations,
    pub waivers: Waivers,
    /// The whole scan's bound (`--timeout`): what is unfinished then is `error`.
    pub timeout: Option<std::time::Duration>,
}

pub struct ScanOutput {
    pub inventory: Inventory,
    pub report: Report,
}

/// Scans the account behind the credentials: the whole flow.
pub async fn scan(opts: &ScanOptions) -> Result<ScanOutput, ScanError> {
    let started = Instant::now();
    let deadline = opts.timeout.map(crate::deadline::Deadline::after);
    let checks = opts.selection.checks(&opts.framework)?;
    let aws = Aws::load(&opts.aws).await.with_deadline(deadline);
    let who = until(deadline, "sts:GetCallerIdentity", collect::identity(&aws))
        .await
        .map_err(ScanError::identity)?;
    tracing::info!(account = %who.account_id, principal = %who.arn, "scanning");
    let regions = if opts.regions.is_empty() {
        until(
            deadline,
            "ec2:DescribeRegions",
            collect::enabled_regions(&aws),
        )
        .await
        .map_err(ScanError::regions)?
    } else {
        opts.regions.clone()
    };
    if regions.is_empty() {
        return Err(ScanError::NoRegions);
    }
    let sources = collect::expand(checks.iter().flat_map(|c| c.sources.iter().copied()));
    let target = Target {
        account_id: &who.account_id,
        partition: &who.partition,
        regions: &regions,
    };
    let inventory = collect::collect(&aws, &target, &sources).await;
    let now = Utc::now();
    let mut findings = evaluate(
        &inventory,
        &checks,
        &opts.framework,
        &opts.selection,
        &opts.settings,
        &opts.attestations,
        now,
    );
    opts.waivers.apply(&mut findings, now.date_naive()).warn();
    let m = aws.metrics();
    let stats = Stats {
        duration_ms: started.elapsed().as_millis() as u64,
        requests: m.requests(),
        retries: m.retries(),
        operations: m.per_operation(),
    };
    let report = build_report(
        &[&inventory],
        &checks,
        &opts.framework,
        findings,
        now,
        stats,
    );
    Ok(ScanOutput { inventory, report })
}

/// A call the scan cannot go on without, bounded by the scan deadline.
async fn until<T>(
    deadline: Option<crate::deadline::Deadline>,
    action: &str,
    call: impl Future<Output = Result<T, Unavailable>>,
) -> Result<T, Unavailable> {
    match deadline {
        Some(d) => tokio::time::timeout_at(d.at, call)
            .await
            .unwrap_or_else(|_| Err(d.reached(action, action))),
        None => call.await,
    }
}

/// Runs the checks over an inventory, and adds a `manual` finding for every selected
/// organisational measure. Pure: the same inventory always gives the same findings.
pub fn evaluate(
    inv: &Inventory,
    checks: &[&Check],
    framework: &Framework,
    selection: &Selection,
    settings: &Settings,
    attestations: &Attestations,
    now: DateTime<Utc>,
) -> Vec<Finding> {
    let by_check = framework.controls_by_check();
    let mut findings = Vec::new();
    for check in checks {
        let mut cx = Cx::new(inv, settings, now);
        (check.run)(&mut cx);
        let mut outcomes = cx.into_outcomes();
        if outcomes.is_empty() {
            // Every selected check appears in every report: silence would read as "nothing
            // wrong" in a report nobody can tell is incomplete.
            outcomes.push(Outcome {
                status: Status::Error,
                region: crate::check::GLOBAL.to_string(),
                resource: String::new(),
                message: "could not be evaluated: the check found nothing to judge, not even a region (the inventory covers no region?)".into(),
                evidence: serde_json::json!({ "regions": inv.regions }),
            });
        }
        let sections: Vec<String> = by_check
            .get(check.id)
            .map(|ids| ids.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default();
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
    if selection.checks.is_empty() {
        for (_, control) in framework
            .controls()
            .filter(|(_, c)| c.organisational && selection.covers_control(&c.id))
        {
            findings.push(organisational(
                inv,
                control,
                attestations.get(&control.id),
                now,
            ));
        }
    }
    findings
}

/// The finding of an organisational measure: `attested` while an attestation is in
/// force, `manual` without one or once it has expired.
fn organisational(
    inv: &Inventory,
    control: &crate::framework::Control,
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
        account: inv.account_id.clone(),
        region: crate::check::GLOBAL.to_string(),
        resource: String::new(),
        message,
        evidence,
        remediation: "Record an attestation (who, when, reference, expiry) for this measure in the attestation file."
            .into(),
    }
}

/// Scores the findings and assembles the report.
pub fn build_report(
    inventories: &[&Inventory],
    checks: &[&Check],
    framework: &Framework,
    mut findings: Vec<Finding>,
    now: DateTime<Utc>,
    stats: Stats,
) -> Report {
    findings.sort_by(|a, b| {
        (&a.check_id, &a.account, &a.region, &a.resource, a.status).cmp(&(
            &b.check_id,
            &b.account,
            &b.region,
            &b.resource,
            b.status,
        ))
    });
    let overall = Tally::new(&findings);
    let in_scope = |ids: &[&str]| {
        Tally::new(
            findings
                .iter()
                .filter(|f| f.sections.iter().any(|s| ids.contains(&s.as_str()))),
        )
    };
    let present: BTreeSet<&str> = findings
        .iter()
        .flat_map(|f| f.sections.iter().map(String::as_str))
        .collect();
    let mut sections = Vec::new();
    for s in &framework.sections {
        let ids: Vec<&str> = std::iter::once(s.id.as_str())
            .chain(s.measures.iter().map(|m| m.id.as_str()))
            .collect();
        if !ids.iter().any(|id| present.contains(id)) {
            continue;
        }
        let t = in_scope(&ids);
        let mut checks: Vec<String> = s
            .control
            .checks
            .iter()
            .chain(s.measures.iter().flat_map(|m| m.checks.iter()))
            .cloned()
            .collect();
        checks.sort();
        checks.dedup();
        sections.push(SectionResult {
            id: s.id.clone(),
            parent: None,
            title: s.title.clone(),
            score: t.score(),
            coverage: t.coverage(),
            counts: t.counts(),
            checks,
            organisational: s.control.organisational && s.measures.is_empty(),
        });
        for m in s
            .measures
            .iter()
            .filter(|m| present.contains(m.id.as_str()))
        {
            let t = in_scope(&[m.id.as_str()]);
            sections.push(SectionResult {
                id: m.id.clone(),
                parent: Some(s.id.clone()),
                title: m.text.clone(),
                score: t.score(),
                coverage: t.coverage(),
                counts: t.counts(),
                checks: m.checks.clone(),
                organisational: m.organisational,
            });
        }
    }
    let by_check = framework.controls_by_check();
    let check_results = checks
        .iter()
        .map(|c| CheckResult {
            id: c.id.to_string(),
            title: c.title.to_string(),
            severity: c.severity,
            sections: by_check
                .get(c.id)
                .map(|v| v.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default(),
            score: overall.check_score(c.id),
            counts: overall.check_counts(c.id),
        })
        .collect();
    let mut regions: Vec<String> = inventories
        .iter()
        .flat_map(|i| i.regions.iter().cloned())
        .collect();
    regions.sort();
    regions.dedup();
    Report {
        schema_version: SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "tomscan".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        framework: FrameworkRef {
            id: framework.id.clone(),
            title: framework.title.clone(),
        },
        scanned_at: now,
        accounts: inventories.iter().map(|i| i.account_id.clone()).collect(),
        regions,
        score: overall.score(),
        coverage: overall.coverage().unwrap_or(0.0),
        scoring: score::scoring(),
        counts: overall.counts(),
        sections,
        checks: check_results,
        findings,
        stats,
    }
}
