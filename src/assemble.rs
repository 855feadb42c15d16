//! Findings in, report out: waivers applied, every score and count computed. Pure, and
//! the one way a report is made, whether one account was scanned, a thousand, an
//! inventory evaluated again or shards merged: a figure is always computed from the
//! findings, never averaged from other figures.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::check::Check;
use crate::framework::Framework;
use crate::inventory::Inventory;
use crate::report::{
    AccountSection, AccountSummary, CheckResult, Finding, FrameworkRef, Report, SCHEMA_VERSION,
    SectionResult, Stats, Tool,
};
use crate::score::{self, Tally};
use crate::waiver::Waivers;

/// What is known about an account besides its findings: the report's per-account
/// summary is this plus figures computed from the findings.
#[derive(Debug, Clone, Default)]
pub struct AccountMeta {
    pub id: String,
    pub name: Option<String>,
    /// Why the account could not be read.
    pub error: Option<String>,
    pub regions: Vec<String>,
    pub stats: Stats,
}

impl AccountMeta {
    pub fn of(inv: &Inventory) -> AccountMeta {
        AccountMeta {
            id: inv.account_id.clone(),
            regions: inv.regions.clone(),
            ..AccountMeta::default()
        }
    }
}

/// A report being put together: the judged accounts, their findings and what the run
/// cost.
pub struct Assembly<'a> {
    framework: &'a Framework,
    checks: &'a [&'static Check],
    accounts: Vec<AccountMeta>,
    findings: Vec<Finding>,
    pub stats: Stats,
}

impl<'a> Assembly<'a> {
    pub fn new(framework: &'a Framework, checks: &'a [&'static Check]) -> Self {
        Assembly {
            framework,
            checks,
            accounts: Vec::new(),
            findings: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Files an account's findings, in the order the accounts come.
    pub fn account(&mut self, meta: AccountMeta, findings: impl IntoIterator<Item = Finding>) {
        self.accounts.push(meta);
        self.findings.extend(findings);
    }

    /// Files findings apart from their accounts' metadata: a merge unites each
    /// account's findings across shards.
    pub fn findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
    }

    /// Waives the findings the waivers in force on `on` cover. Once over all the
    /// accounts, so a waiver that matches nowhere warns once, and one that matches in
    /// several accounts is reported with all its matches.
    pub fn waive(mut self, waivers: &Waivers, on: DateTime<Utc>) -> Self {
        waivers.apply(&mut self.findings, on.date_naive()).warn();
        self
    }

    /// The report as of `now`.
    pub fn report(self, now: DateTime<Utc>) -> Report {
        let Assembly {
            framework,
            checks,
            mut accounts,
            mut findings,
            stats,
        } = self;
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        findings.sort_by(|a, b| {
            (&a.check_id, &a.account, &a.region, &a.resource, a.status).cmp(&(
                &b.check_id,
                &b.account,
                &b.region,
                &b.resource,
                b.status,
            ))
        });
        let all: Vec<&Finding> = findings.iter().collect();
        let overall = Figures::of(framework, &all);
        let mut per_account: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &findings {
            per_account.entry(f.account.as_str()).or_default().push(f);
        }
        let account_summaries = accounts
            .iter()
            .map(|a| {
                let mine = per_account
                    .get(a.id.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                summary(a, Figures::of(framework, mine))
            })
            .collect();
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
                score: overall.tally.check_score(c.id),
                counts: overall.tally.check_counts(c.id),
            })
            .collect();
        let regions: BTreeSet<String> = accounts
            .iter()
            .flat_map(|a| a.regions.iter().cloned())
            .collect();
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
            accounts: accounts.iter().map(|a| a.id.clone()).collect(),
            account_summaries,
            regions: regions.into_iter().collect(),
            score: overall.tally.score(),
            coverage: overall.tally.coverage().unwrap_or(0.0),
            scoring: score::scoring(),
            counts: overall.tally.counts(),
            sections: overall.sections,
            checks: check_results,
            findings,
            stats,
            shard: None,
            evidence: None,
        }
    }
}

fn summary(a: &AccountMeta, fig: Figures) -> AccountSummary {
    AccountSummary {
        id: a.id.clone(),
        name: a.name.clone(),
        error: a.error.clone(),
        regions: a.regions.clone(),
        score: fig.tally.score(),
        coverage: fig.tally.coverage(),
        counts: fig.tally.counts(),
        sections: fig
            .sections
            .iter()
            .filter(|s| s.parent.is_none())
            .map(|s| AccountSection {
                id: s.id.clone(),
                score: s.score,
                counts: s.counts,
            })
            .collect(),
        stats: a.stats.clone(),
    }
}

/// The figures of a set of findings, by the one formula, whether they are the whole
/// organization's or one account's: a check weighs the same however many accounts it
/// judged.
pub struct Figures {
    pub tally: Tally,
    pub sections: Vec<SectionResult>,
}

impl Figures {
    pub fn of(framework: &Framework, findings: &[&Finding]) -> Figures {
        let in_scope = |ids: &[&str]| {
            Tally::new(
                findings
                    .iter()
                    .copied()
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
        Figures {
            tally: Tally::new(findings.iter().copied()),
            sections,
        }
    }
}
