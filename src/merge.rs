//! `merge`: unites the reports of `scan --shard K/N` into the one the unsharded scan
//! would have written. The shards are checked to be parts of one scan, their findings
//! united (each once), and every figure computed again by [`Assembly`]: a score is
//! never averaged.

use std::collections::{BTreeMap, BTreeSet};

use crate::assemble::{AccountMeta, Assembly};
use crate::check::{Check, Status};
use crate::framework::Framework;
use crate::report::{Finding, Report};
use crate::shard::Shard;

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

/// Unites shard reports (each named by its file, for the messages) into one.
pub fn merge(
    reports: Vec<(String, Report)>,
    framework: &Framework,
    allow_partial: bool,
) -> Result<Merged, MergeError> {
    let (checks, missing) = parts_of_one_scan(&reports, framework, allow_partial)?;
    let mut assembly = Assembly::new(framework, &checks);
    let mut accounts: BTreeMap<String, AccountMeta> = BTreeMap::new();
    for (_, r) in &reports {
        assembly.stats.add(&r.stats);
        // The shards ran side by side: the merged scan took as long as the slowest.
        assembly.stats.duration_ms = assembly.stats.duration_ms.max(r.stats.duration_ms);
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
    }
    for mut meta in accounts.into_values() {
        meta.regions.sort();
        meta.regions.dedup();
        assembly.account(meta, Vec::new());
    }
    assembly.findings(united_findings(&reports)?);
    let scanned_at = reports
        .iter()
        .map(|(_, r)| r.scanned_at)
        .min()
        .expect("not empty");
    Ok(Merged {
        report: assembly.report(scanned_at),
        missing,
    })
}

/// Checks that the reports are distinct shards of one scan (one N, one framework, one
/// selection) and returns its checks and the shards absent (an error unless
/// `allow_partial`).
fn parts_of_one_scan(
    reports: &[(String, Report)],
    framework: &Framework,
    allow_partial: bool,
) -> Result<(Vec<&'static Check>, Vec<u32>), MergeError> {
    let Some((first_name, first)) = reports.first() else {
        return Err(MergeError::Empty);
    };
    let mut by_index: BTreeMap<u32, &str> = BTreeMap::new();
    let count = first
        .shard
        .ok_or_else(|| MergeError::NotAShard(first_name.clone()))?
        .count;
    for (name, r) in reports {
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
    let checks = first
        .checks
        .iter()
        .map(|c| {
            crate::checks::find(&c.id).ok_or_else(|| MergeError::UnknownCheck {
                path: first_name.clone(),
                id: c.id.clone(),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok((checks, missing))
}

/// "Nothing to judge in the scanned regions": a shard that holds part of the regions
/// says it of its part only.
fn is_nothing_here(f: &Finding) -> bool {
    f.status == Status::NotApplicable && f.region == crate::check::GLOBAL && f.resource.is_empty()
}

/// Every shard's findings, each once: "nothing here" stays only where every shard that
/// judged the check in the account says so (and then once), and any other finding two
/// shards both report means the shards overlap.
fn united_findings(reports: &[(String, Report)]) -> Result<Vec<Finding>, MergeError> {
    // Which shards judged each (check, account), and which of them found nothing to
    // judge: the account has nothing only if every part that looked says so.
    let held: Vec<Vec<_>> = reports
        .iter()
        .map(|(_, r)| r.findings.iter().collect())
        .collect();
    let of = |i: usize| held[i].iter().map(AsRef::as_ref);
    let mut judged: BTreeMap<(&str, &str), BTreeSet<usize>> = BTreeMap::new();
    let mut nothing: BTreeMap<(&str, &str), BTreeSet<usize>> = BTreeMap::new();
    for i in 0..reports.len() {
        for f in of(i) {
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
    let mut owner: BTreeMap<(&str, &str, &str, &str), &str> = BTreeMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    for (i, (name, _)) in reports.iter().enumerate() {
        let mine: BTreeSet<_> = of(i)
            .filter(|f| keep(i, f))
            .map(|f| {
                (
                    f.check_id.as_str(),
                    f.account.as_str(),
                    f.region.as_str(),
                    f.resource.as_str(),
                )
            })
            .collect();
        for key in mine {
            if let Some(a) = owner.insert(key, name) {
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
        }
        findings.extend(of(i).filter(|f| keep(i, f)).cloned());
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Merges the shards of the demo inventory, judged offline, and compares them with
    /// the whole: every regional check must split by region or be listed in
    /// CROSS_REGION. With `extra`, a region the inventory holds no facts for (every
    /// regional check `error` there) joins, so "nothing here" meets an error.
    fn split_and_merge(extra: Option<&str>, count: u32) {
        use crate::attest::Attestations;
        use crate::config::Settings;
        use crate::evaluate::{Rules, Selection};
        use crate::inventory::Inventory;
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
        let settings = Settings::default();
        let attestations = Attestations::default();
        let rules = Rules {
            framework: &framework,
            selection: &selection,
            settings: &settings,
            attestations: &attestations,
        };
        let report = |inv: &Inventory, findings, shard| {
            let mut assembly = Assembly::new(&framework, &checks);
            assembly.account(AccountMeta::of(inv), findings);
            let mut r = assembly.report(now);
            r.shard = shard;
            r
        };
        let whole = report(&inv, rules.judge(&inv, &checks, true, now), None);
        let shards: Vec<(String, Report)> = (1..=count)
            .map(|k| {
                let shard = Shard { index: k, count };
                let part = shard.split(&checks, &inv.regions);
                let mut mine = inv.clone();
                mine.regions = part.regions.clone();
                mine.regional.retain(|r, _| part.regions.contains(r));
                let findings = rules.judge(&mine, &part.checks, part.organisational, now);
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
}
