//! Findings in, report out: waivers applied, every score and count computed. Pure (past
//! a bound the findings wait in a temporary file rather than in memory, with the same
//! result), and the one way a report is made, whether one account was scanned, a
//! thousand, an inventory evaluated again or shards merged: a figure is always computed
//! from the findings, never averaged from other figures.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::check::{Check, Severity};
use crate::findings::{self, Collector};
use crate::framework::Framework;
use crate::inventory::Inventory;
use crate::report::{
    AccountSection, AccountSummary, CheckResult, Counts, Finding, FrameworkRef, Report,
    SCHEMA_VERSION, SectionResult, Stats, Tool,
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
/// cost. Findings are filed as they come and spilled to disk past a bound
/// ([`crate::findings`]), so an organization's findings are never all in memory.
pub struct Assembly<'a> {
    framework: &'a Framework,
    checks: &'a [&'static Check],
    accounts: Vec<AccountMeta>,
    findings: Collector,
    waivers: Option<(&'a Waivers, NaiveDate)>,
    pub stats: Stats,
}

impl<'a> Assembly<'a> {
    pub fn new(framework: &'a Framework, checks: &'a [&'static Check]) -> Self {
        Assembly {
            framework,
            checks,
            accounts: Vec::new(),
            findings: Collector::new(findings::spill_after()),
            waivers: None,
            stats: Stats::default(),
        }
    }

    /// Files an account's findings, in the order the accounts come.
    pub fn account(&mut self, meta: AccountMeta, findings: impl IntoIterator<Item = Finding>) {
        self.accounts.push(meta);
        self.findings(findings);
    }

    /// Files findings apart from their accounts' metadata: a merge unites each
    /// account's findings across shards.
    pub fn findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for f in findings {
            self.findings.push(f);
        }
    }

    /// Waives the findings the waivers in force on `on` cover. Once over all the
    /// accounts, as the report is made, so a waiver that matches nowhere warns once, and
    /// one that matches in several accounts is reported with all its matches.
    pub fn waive(mut self, waivers: &'a Waivers, on: DateTime<Utc>) -> Self {
        self.waivers = Some((waivers, on.date_naive()));
        self
    }

    /// The report as of `now`: one pass over the findings in order waives them and
    /// reduces them to the figures, filing them again as the report's.
    pub fn report(self, now: DateTime<Utc>) -> Report {
        let Assembly {
            framework,
            checks,
            mut accounts,
            findings,
            waivers,
            stats,
        } = self;
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        let mut applying = waivers.map(|(w, on)| w.applying(on));
        let mut names = Names::default();
        let mut overall = Groups::default();
        let mut per_account: BTreeMap<String, Groups> = BTreeMap::new();
        let mut filed = Collector::new(findings::spill_after());
        findings.finish().consume(|mut f| {
            if let Some(applying) = &mut applying {
                applying.apply(&mut f);
            }
            overall.add(&f, &mut names);
            match per_account.get_mut(f.account.as_str()) {
                Some(groups) => groups.add(&f, &mut names),
                None => per_account
                    .entry(f.account.clone())
                    .or_default()
                    .add(&f, &mut names),
            }
            filed.push(f);
        });
        if let Some(applying) = applying {
            applying.finish().warn();
        }
        let overall = Figures::of(framework, &overall);
        let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
        let regions: BTreeSet<String> = accounts
            .iter()
            .flat_map(|a| a.regions.iter().cloned())
            .collect();
        // Each account's metadata moves into its summary (its request counts are a map
        // per account: a thousand accounts' are worth not copying).
        let account_summaries = accounts
            .into_iter()
            .map(|a| {
                let mine = per_account.remove(a.id.as_str()).unwrap_or_default();
                summary(a, Figures::of(framework, &mine))
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
            accounts: ids,
            account_summaries,
            regions: regions.into_iter().collect(),
            score: overall.tally.score(),
            coverage: overall.tally.coverage().unwrap_or(0.0),
            scoring: score::scoring(),
            counts: overall.tally.counts(),
            sections: overall.sections,
            checks: check_results,
            findings: filed.finish(),
            stats,
            shard: None,
            evidence: None,
        }
    }
}

impl<'f> FromIterator<&'f Finding> for Groups {
    fn from_iter<I: IntoIterator<Item = &'f Finding>>(findings: I) -> Groups {
        let mut names = Names::default();
        let mut groups = Groups::default();
        for f in findings {
            groups.add(f, &mut names);
        }
        groups
    }
}

/// Findings reduced to what the figures are made of: per check and per set of sections
/// it evidences, the check's severity and the counts of its findings. One flat map of
/// interned names: an organization keeps one per account while its report is made.
#[derive(Default)]
pub struct Groups(BTreeMap<Group, (Severity, Counts)>);

/// A check, and the sections its findings in a group evidence.
type Group = (Arc<str>, Arc<[String]>);

/// The check ids and section lists of a report's groups, each held once for all of them.
#[derive(Default)]
pub struct Names {
    checks: BTreeSet<Arc<str>>,
    sections: BTreeSet<Arc<[String]>>,
}

impl Names {
    fn of(&mut self, f: &Finding) -> Group {
        let check = match self.checks.get(f.check_id.as_str()) {
            Some(check) => check.clone(),
            None => {
                let check: Arc<str> = f.check_id.as_str().into();
                self.checks.insert(check.clone());
                check
            }
        };
        let sections = match self.sections.get(f.sections.as_slice()) {
            Some(sections) => sections.clone(),
            None => {
                let sections: Arc<[String]> = f.sections.as_slice().into();
                self.sections.insert(sections.clone());
                sections
            }
        };
        (check, sections)
    }
}

impl Groups {
    pub fn add(&mut self, f: &Finding, names: &mut Names) {
        let group = self
            .0
            .entry(names.of(f))
            .or_insert((f.severity, Counts::default()));
        group.1.add(f.status);
    }

    /// The tally of the findings evidencing any of `sections` (all findings: `None`).
    fn tally(&self, sections: Option<&[&str]>) -> Tally {
        let mut tally = Tally::default();
        for ((check, of), (severity, counts)) in &self.0 {
            let kept = sections.is_none_or(|ids| of.iter().any(|s| ids.contains(&s.as_str())));
            if kept {
                tally.file(check, *severity, counts);
            }
        }
        tally
    }

    /// Every section some finding evidences.
    fn sections(&self) -> BTreeSet<&str> {
        self.0
            .keys()
            .flat_map(|(_, of)| of.iter())
            .map(String::as_str)
            .collect()
    }
}

fn summary(a: AccountMeta, fig: Figures) -> AccountSummary {
    AccountSummary {
        id: a.id,
        name: a.name,
        error: a.error,
        regions: a.regions,
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
        stats: a.stats,
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
    pub fn of(framework: &Framework, groups: &Groups) -> Figures {
        let present = groups.sections();
        let mut sections = Vec::new();
        for s in &framework.sections {
            let ids: Vec<&str> = std::iter::once(s.id.as_str())
                .chain(s.measures.iter().map(|m| m.id.as_str()))
                .collect();
            if !ids.iter().any(|id| present.contains(id)) {
                continue;
            }
            let t = groups.tally(Some(&ids));
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
                let t = groups.tally(Some(&[m.id.as_str()]));
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
            tally: groups.tally(None),
            sections,
        }
    }
}
