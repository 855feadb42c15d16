//! Shards: `scan --shard K/N` does a deterministic part of the work, and `merge` unites
//! the N reports into the one the unsharded scan would have written.
//!
//! The split (README "Shards"):
//! - several accounts: account `id` belongs to shard `id mod N + 1`. The id, not its
//!   place in a listing, so shards that list the organization moments apart still
//!   agree on every account's owner (an account created in between is scanned once or
//!   not at all, never twice).
//! - one account: shard 1 runs the account-wide checks (those reading any IAM, S3,
//!   CloudTrail, account or footprint source), over every region they need, and the
//!   organisational measures; shards 2..N share the regions (sorted, dealt round-robin)
//!   and run the checks that read regional sources only. A check is judged whole by
//!   one shard, so it reads exactly what it reads unsharded and says the same.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::check::{Check, Status};
use crate::framework::Framework;
use crate::inventory::Scope;
use crate::report::{Finding, Report, Stats};
use crate::scan::{AccountMeta, build_report_for};

/// Which part of the work a report covers: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShardError {
    #[error("--shard {0:?}: expected K/N, e.g. 2/5 (K from 1 to N)")]
    Syntax(String),
    #[error(
        "--shard {0}/{1}: K counts from 1 to N (from JOB_COMPLETION_INDEX, which counts from 0: K=$((JOB_COMPLETION_INDEX+1)))"
    )]
    OutOfRange(u32, u32),
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(s.to_string());
        let (k, n) = s.trim().split_once('/').ok_or_else(syntax)?;
        let k: u32 = k.trim().parse().map_err(|_| syntax())?;
        let n: u32 = n.trim().parse().map_err(|_| syntax())?;
        if n == 0 || k == 0 || k > n {
            return Err(ShardError::OutOfRange(k, n));
        }
        Ok(Shard { index: k, count: n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether this shard scans `account` in a scan of several accounts.
    pub fn owns_account(&self, account: &str) -> bool {
        // Account ids are 12 digits (checked before this); the fallback keeps any other
        // string deterministic too.
        let n = account.parse::<u64>().unwrap_or_else(|_| fnv1a(account));
        n % u64::from(self.count) == u64::from(self.index - 1)
    }

    /// The part of one account's work this shard does.
    pub fn split<'c>(&self, checks: &[&'c Check], regions: &[String]) -> Part<'c> {
        if self.count == 1 {
            return Part::whole(checks, regions);
        }
        if self.index == 1 {
            return Part {
                checks: checks
                    .iter()
                    .copied()
                    .filter(|c| is_account_wide(c))
                    .collect(),
                regions: regions.to_vec(),
                organisational: true,
            };
        }
        let mut sorted = regions.to_vec();
        sorted.sort();
        sorted.dedup();
        let regional_shards = (self.count - 1) as usize;
        let mine = (self.index - 2) as usize;
        let regions: Vec<String> = sorted
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % regional_shards == mine)
            .map(|(_, r)| r)
            .collect();
        // Without a region of its own, a regional check has nothing to judge here (and
        // would report that as an error every other shard contradicts).
        let checks = if regions.is_empty() {
            Vec::new()
        } else {
            checks
                .iter()
                .copied()
                .filter(|c| !is_account_wide(c))
                .collect()
        };
        Part {
            checks,
            regions,
            organisational: false,
        }
    }
}

/// What one shard does in one account.
#[derive(Debug, Clone)]
pub struct Part<'c> {
    pub checks: Vec<&'c Check>,
    pub regions: Vec<String>,
    /// Whether the organisational measures (`ORG-*`) are reported here.
    pub organisational: bool,
}

impl<'c> Part<'c> {
    pub fn whole(checks: &[&'c Check], regions: &[String]) -> Part<'c> {
        Part {
            checks: checks.to_vec(),
            regions: regions.to_vec(),
            organisational: true,
        }
    }
}

/// Regional checks whose verdict weighs the regions together beyond "nothing in any
/// region" (which merge reconciles): CFG-01 passes the global resource types when any
/// region records them, KMS-01 counts the unrotatable keys of all regions in its
/// message. Shard 1 judges them whole. Found by reading the checks: the test
/// `regional_checks_split_by_region_say_what_they_say_whole` proves the others split
/// on the demo inventory, which holds neither recorders nor keys to catch these two.
const CROSS_REGION: &[&str] = &["CFG-01", "KMS-01"];

/// A check that reads anything not collected region by region, or weighs the regions
/// together: judged by shard 1, which collects the account-wide sources (each once).
pub fn is_account_wide(check: &Check) -> bool {
    CROSS_REGION.contains(&check.id)
        || crate::collect::expand(check.sources.iter().copied())
            .iter()
            .any(|s| !matches!(s.spec().scope, Scope::Regional(_)))
}

/// "Nothing to judge in the scanned regions": a shard that holds part of the regions
/// says it of its part only.
fn is_nothing_here(f: &Finding) -> bool {
    f.status == Status::NotApplicable && f.region == crate::check::GLOBAL && f.resource.is_empty()
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge: name the shard reports (`tomscan merge shard-*.json`)")]
    Empty,
    #[error(
        "{0} is not a shard report (it has no `shard`): merge unites the reports of `scan --shard K/N`"
    )]
    NotAShard(String),
    #[error("{a} is shard {sa} and {b} shard {sb}: the shards of one scan share N")]
    Count {
        a: String,
        sa: Shard,
        b: String,
        sb: Shard,
    },
    #[error("{a} and {b} are both shard {shard}: each shard once")]
    Duplicate { a: String, b: String, shard: Shard },
    #[error(
        "shard(s) {missing} of {count} missing: merge all of them, or pass --allow-partial to merge what there is (exit 3)"
    )]
    Missing { missing: String, count: u32 },
    #[error("{a} judges framework {fa:?} and {b} {fb:?}: merge reports of one framework")]
    Framework {
        a: String,
        fa: String,
        b: String,
        fb: String,
    },
    #[error(
        "{path} judges framework {found:?}, but merge was given {given:?}: pass the scan's --framework"
    )]
    FrameworkFile {
        path: String,
        found: String,
        given: String,
    },
    #[error("{a} and {b} ran different checks: the shards of one scan share their selection")]
    Selection { a: String, b: String },
    #[error("{path} names check {id:?}, which this tomscan does not know")]
    UnknownCheck { path: String, id: String },
    #[error(
        "{a} and {b} both report {what}: the shards overlap (were they made with different organizations or region lists?)"
    )]
    Overlap { a: String, b: String, what: String },
}

/// The merged report, and which shards were absent (only with `allow_partial`).
pub struct Merged {
    pub report: Report,
    pub missing: Vec<u32>,
}

/// Unites shard reports (each named by its file, for the messages) into one. Every
/// figure is computed again from the united findings by [`build_report_for`], the
/// scan's own function: a score is never averaged.
pub fn merge(
    reports: Vec<(String, Report)>,
    framework: &Framework,
    allow_partial: bool,
) -> Result<Merged, MergeError> {
    let Some((first_name, first)) = reports.first() else {
        return Err(MergeError::Empty);
    };
    let mut by_index: BTreeMap<u32, &str> = BTreeMap::new();
    let count = first
        .shard
        .ok_or_else(|| MergeError::NotAShard(first_name.clone()))?
        .count;
    for (name, r) in &reports {
        let shard = r.shard.ok_or_else(|| MergeError::NotAShard(name.clone()))?;
        if shard.count != count {
            return Err(MergeError::Count {
                a: first_name.clone(),
                sa: first.shard.expect("checked"),
                b: name.clone(),
                sb: shard,
            });
        }
        if let Some(a) = by_index.insert(shard.index, name) {
            return Err(MergeError::Duplicate {
                a: a.to_string(),
                b: name.clone(),
                shard,
            });
        }
        if r.framework.id != first.framework.id {
            return Err(MergeError::Framework {
                a: first_name.clone(),
                fa: first.framework.id.clone(),
                b: name.clone(),
                fb: r.framework.id.clone(),
            });
        }
        let ids = |r: &Report| r.checks.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        if ids(r) != ids(first) {
            return Err(MergeError::Selection {
                a: first_name.clone(),
                b: name.clone(),
            });
        }
    }
    if first.framework.id != framework.id {
        return Err(MergeError::FrameworkFile {
            path: first_name.clone(),
            found: first.framework.id.clone(),
            given: framework.id.clone(),
        });
    }
    let missing: Vec<u32> = (1..=count).filter(|k| !by_index.contains_key(k)).collect();
    if !missing.is_empty() && !allow_partial {
        let list: Vec<String> = missing.iter().map(u32::to_string).collect();
        return Err(MergeError::Missing {
            missing: list.join(", "),
            count,
        });
    }
    let checks: Vec<&'static Check> = first
        .checks
        .iter()
        .map(|c| {
            crate::checks::find(&c.id).ok_or_else(|| MergeError::UnknownCheck {
                path: first_name.clone(),
                id: c.id.clone(),
            })
        })
        .collect::<Result<_, _>>()?;

    let scanned_at = reports
        .iter()
        .map(|(_, r)| r.scanned_at)
        .min()
        .expect("not empty");
    let mut stats = Stats::default();
    let mut accounts: BTreeMap<String, AccountMeta> = BTreeMap::new();
    // Which shards judged each (check, account), and which of them found nothing to
    // judge: the account has nothing only if every part that looked says so.
    let mut judged: BTreeMap<(&str, &str), BTreeSet<usize>> = BTreeMap::new();
    let mut nothing: BTreeMap<(&str, &str), BTreeSet<usize>> = BTreeMap::new();
    for (i, (_, r)) in reports.iter().enumerate() {
        for f in &r.findings {
            let key = (f.check_id.as_str(), f.account.as_str());
            judged.entry(key).or_default().insert(i);
            if is_nothing_here(f) {
                nothing.entry(key).or_default().insert(i);
            }
        }
    }
    let keep = |i: usize, f: &Finding| -> bool {
        if !is_nothing_here(f) {
            return true;
        }
        let key = (f.check_id.as_str(), f.account.as_str());
        let said = &nothing[&key];
        said == &judged[&key] && said.first() == Some(&i)
    };
    let mut owner: BTreeMap<(String, String, String, String), &str> = BTreeMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    for (i, (name, r)) in reports.iter().enumerate() {
        stats.add(&r.stats);
        // The shards ran side by side: the merged scan took as long as the slowest.
        stats.duration_ms = stats.duration_ms.max(r.stats.duration_ms);
        for s in &r.account_summaries {
            let meta = accounts.entry(s.id.clone()).or_insert_with(|| AccountMeta {
                id: s.id.clone(),
                ..AccountMeta::default()
            });
            meta.name = meta.name.take().or_else(|| s.name.clone());
            meta.error = meta.error.take().or_else(|| s.error.clone());
            meta.regions.extend(s.regions.iter().cloned());
            meta.stats.add(&s.stats);
            meta.stats.duration_ms = meta.stats.duration_ms.max(s.stats.duration_ms);
        }
        let mine: BTreeSet<_> = r
            .findings
            .iter()
            .filter(|f| keep(i, f))
            .map(|f| {
                (
                    f.check_id.clone(),
                    f.account.clone(),
                    f.region.clone(),
                    f.resource.clone(),
                )
            })
            .collect();
        for key in mine {
            if let Some(a) = owner.get(&key) {
                let (check, account, region, resource) = key;
                let resource = if resource.is_empty() {
                    String::new()
                } else {
                    format!(", resource {resource}")
                };
                return Err(MergeError::Overlap {
                    a: a.to_string(),
                    b: name.clone(),
                    what: format!("{check} in account {account}, region {region}{resource}"),
                });
            }
            owner.insert(key, name);
        }
        findings.extend(r.findings.iter().filter(|f| keep(i, f)).cloned());
    }
    let metas: Vec<AccountMeta> = accounts
        .into_values()
        .map(|mut m| {
            m.regions.sort();
            m.regions.dedup();
            m
        })
        .collect();
    let report = build_report_for(metas, &checks, framework, findings, scanned_at, stats);
    Ok(Merged { report, missing })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_parses_and_zero_or_past_n_is_refused() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(" 1 / 1 ".parse(), Ok(Shard { index: 1, count: 1 }));
        assert_eq!("0/3".parse::<Shard>(), Err(ShardError::OutOfRange(0, 3)));
        assert_eq!("4/3".parse::<Shard>(), Err(ShardError::OutOfRange(4, 3)));
        assert_eq!("1/0".parse::<Shard>(), Err(ShardError::OutOfRange(1, 0)));
        for bad in ["", "3", "a/b", "1/2/3", "-1/3"] {
            assert!(
                matches!(bad.parse::<Shard>(), Err(ShardError::Syntax(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn every_account_has_exactly_one_shard() {
        let ids: Vec<String> = (0..200u64)
            .map(|i| format!("{:012}", 123_456_789_012 + i * 7919))
            .collect();
        for n in 1..=7 {
            for id in &ids {
                let owners = (1..=n)
                    .filter(|&k| Shard { index: k, count: n }.owns_account(id))
                    .count();
                assert_eq!(owners, 1, "{id} in {n} shards");
            }
        }
        assert_eq!(
            (1..=3)
                .filter(|&k| Shard { index: k, count: 3 }.owns_account("not-an-id"))
                .count(),
            1
        );
    }

    #[test]
    fn one_account_splits_into_account_wide_checks_and_dealt_regions() {
        let checks: Vec<&Check> = crate::checks::ALL.to_vec();
        let regions: Vec<String> = ["us-east-1", "eu-west-1", "eu-central-1", "ap-south-1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let parts: Vec<Part> = (1..=3)
            .map(|k| Shard { index: k, count: 3 }.split(&checks, &regions))
            .collect();
        // A check is judged by shard 1 alone or, region by region, by every other shard.
        let has = |p: &Part, c: &Check| p.checks.iter().any(|x| x.id == c.id);
        for c in &checks {
            let wide = has(&parts[0], c);
            assert_eq!(wide, is_account_wide(c), "{}", c.id);
            assert!(
                parts[1..].iter().all(|p| has(p, c) != wide),
                "{} is split wrongly",
                c.id
            );
        }
        assert!(parts[0].checks.iter().any(|c| c.id.starts_with("IAM-")));
        assert!(parts[0].organisational && !parts[1].organisational && !parts[2].organisational);
        assert_eq!(
            parts[0].regions.len(),
            4,
            "shard 1 reads what its checks need"
        );
        assert_eq!(parts[1].regions, ["ap-south-1", "eu-west-1"]);
        assert_eq!(parts[2].regions, ["eu-central-1", "us-east-1"]);
    }

    /// Merges the shards of the demo inventory, judged offline, and compares them with
    /// the whole: every regional check must split by region or be listed in
    /// CROSS_REGION. With `extra`, a region the inventory holds no facts for (every
    /// regional check `error` there) joins, so "nothing here" meets an error.
    fn split_and_merge(extra: Option<&str>, count: u32) {
        use crate::attest::Attestations;
        use crate::config::Settings;
        use crate::inventory::Inventory;
        use crate::scan::{Selection, evaluate};
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/mocks/inventories/demo.json");
        let mut inv: Inventory =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if let Some(r) = extra {
            inv.regions.push(r.to_string());
        }
        let framework = Framework::builtin();
        let selection = Selection::default();
        let checks = selection.checks(&framework).unwrap();
        let now = "2026-11-27T12:00:00Z".parse().unwrap();
        let judge = |inv: &Inventory, checks: &[&Check]| {
            evaluate(
                inv,
                checks,
                &framework,
                &selection,
                &Settings::default(),
                &Attestations::default(),
                now,
            )
        };
        let report = |inv: &Inventory, findings, shard| {
            let mut r = build_report_for(
                vec![AccountMeta::of(inv)],
                &checks,
                &framework,
                findings,
                now,
                Stats::default(),
            );
            r.shard = shard;
            r
        };
        let whole = report(&inv, judge(&inv, &checks), None);
        let shards: Vec<(String, Report)> = (1..=count)
            .map(|k| {
                let shard = Shard { index: k, count };
                let part = shard.split(&checks, &inv.regions);
                let mut mine = inv.clone();
                mine.regions = part.regions.clone();
                mine.regional.retain(|r, _| part.regions.contains(r));
                let mut findings = judge(&mine, &part.checks);
                findings.retain(|f| part.organisational || !f.check_id.starts_with("ORG-"));
                (format!("shard {k}"), report(&mine, findings, Some(shard)))
            })
            .collect();
        let merged = merge(shards, &framework, false).unwrap().report;
        let keys = |r: &Report| -> Vec<String> {
            r.findings
                .iter()
                .map(|f| {
                    format!(
                        "{} {} {} {:?} {}",
                        f.check_id, f.region, f.resource, f.status, f.message
                    )
                })
                .collect()
        };
        assert_eq!(keys(&merged), keys(&whole), "{extra:?}, {count} shards");
        assert_eq!(merged.score, whole.score);
        assert_eq!(merged.counts, whole.counts);
    }

    #[test]
    fn regional_checks_split_by_region_say_what_they_say_whole() {
        for count in [2, 3, 4] {
            split_and_merge(None, count);
            split_and_merge(Some("ap-south-1"), count);
        }
    }

    #[test]
    fn a_regional_shard_without_a_region_runs_nothing() {
        let checks: Vec<&Check> = crate::checks::ALL.to_vec();
        let part = Shard { index: 3, count: 3 }.split(&checks, &["eu-west-1".to_string()]);
        assert!(part.checks.is_empty() && part.regions.is_empty());
    }
}
