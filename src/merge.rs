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
    unite_findings(&reports, |f| assembly.findings([f]))?;
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

/// Every shard's findings, each once, filed in the report's order: "nothing here" stays
/// only where every shard that judged the check in the account says so (and then once),
/// and any other finding two shards both report means the shards overlap. Two passes
/// over the shards' findings, neither holding them: the first learns who judged what,
/// the second merges the shards' sorted findings, where an overlap is two neighbours.
fn unite_findings(
    reports: &[(String, Report)],
    mut file: impl FnMut(Finding),
) -> Result<(), MergeError> {
    /// Per check and account: the shards that judged it, and those that found nothing.
    type Judged = BTreeMap<String, BTreeMap<String, (BTreeSet<usize>, BTreeSet<usize>)>>;
    let mut judged: Judged = BTreeMap::new();
    for (i, (_, r)) in reports.iter().enumerate() {
        for f in &r.findings {
            let per_account = match judged.get_mut(f.check_id.as_str()) {
                Some(per_account) => per_account,
                None => judged.entry(f.check_id.clone()).or_default(),
            };
            let (by, nothing) = match per_account.get_mut(f.account.as_str()) {
                Some(sets) => sets,
                None => per_account.entry(f.account.clone()).or_default(),
            };
            by.insert(i);
            if is_nothing_here(&f) {
                nothing.insert(i);
            }
        }
    }
    let keep = |i: usize, f: &Finding| -> bool {
        if !is_nothing_here(f) {
            return true;
        }
        let (by, nothing) = &judged[f.check_id.as_str()][f.account.as_str()];
        nothing == by && nothing.first() == Some(&i)
    };
    // Where a finding is about: two shards' findings about one place are an overlap.
    type Place = (String, String, String, String);
    let place = |f: &Finding| -> Place {
        (
            f.check_id.clone(),
            f.account.clone(),
            f.region.clone(),
            f.resource.clone(),
        )
    };
    let at = |p: &Place, f: &Finding| {
        (&p.0, &p.1, &p.2, &p.3) == (&f.check_id, &f.account, &f.region, &f.resource)
    };
    let mut last: Option<(usize, Place)> = None;
    let sorted = reports.iter().map(|(_, r)| r.findings.iter()).collect();
    for (i, f) in crate::findings::Merge::new(sorted) {
        if !keep(i, &f) {
            continue;
        }
        match &last {
            Some((shard, p)) if at(p, &f) && *shard != i => {
                let (check, account, region, resource) = p;
                let resource = if resource.is_empty() {
                    String::new()
                } else {
                    format!(", resource {resource}")
                };
                return Err(MergeError::Overlap {
                    a: reports[*shard.min(&i)].0.clone(),
                    b: reports[*shard.max(&i)].0.clone(),
                    what: format!("{check} in account {account}, region {region}{resource}"),
                });
            }
            Some((_, p)) if at(p, &f) => {}
            _ => last = Some((i, place(&f))),
        }
        file(f.into_owned());
    }
    Ok(())
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
        // The same shards with their findings spilled to disk, as a large shard's are
        // when it is read back: the merge streams them and unites the same findings.
        let spilled: Vec<(String, Report)> = shards
            .iter()
            .map(|(name, r)| {
                let mut r = r.clone();
                let mut filed = crate::findings::Collector::new(3);
                r.findings.iter().for_each(|f| filed.push(f.into_owned()));
                r.findings = filed.finish();
                assert!(r.findings.len() <= 3 || r.findings.is_spilled());
                (name.clone(), r)
            })
            .collect();
        let merged_spilled = merge(spilled, &framework, false).unwrap().report;
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
        assert_eq!(
            keys(&merged_spilled),
            keys(&whole),
            "spilled: {extra:?}, {count} shards"
        );
        assert_eq!(merged.score, whole.score);
        assert_eq!(merged.counts, whole.counts);
    }

    /// Two shards that both report one place overlap, whether their findings are held
    /// or spilled; findings of one shard about one place (a rule each) do not.
    #[test]
    fn two_shards_reporting_one_place_overlap() {
        use crate::check::Severity;
        let framework = Framework::builtin();
        let selection = crate::evaluate::Selection::default();
        let checks = selection.checks(&framework).unwrap();
        let finding = |resource: &str, message: &str| Finding {
            check_id: checks[0].id.to_string(),
            title: String::new(),
            sections: vec![],
            severity: Severity::High,
            status: Status::Fail,
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            resource: resource.into(),
            message: message.into(),
            evidence: serde_json::Value::Null,
            remediation: String::new(),
        };
        let shard = |k: u32, findings: Vec<Finding>, bound: usize| {
            let mut assembly = Assembly::new(&framework, &checks);
            assembly.account(
                AccountMeta {
                    id: "111122223333".into(),
                    ..AccountMeta::default()
                },
                Vec::new(),
            );
            let mut r = assembly.report("2026-12-07T12:00:00Z".parse().unwrap());
            let mut filed = crate::findings::Collector::new(bound);
            findings.into_iter().for_each(|f| filed.push(f));
            r.findings = filed.finish();
            r.shard = Some(Shard { index: k, count: 2 });
            (format!("shard-{k}.json"), r)
        };
        for bound in [0, usize::MAX] {
            let apart = vec![
                shard(
                    1,
                    vec![finding("a", "rule 1"), finding("a", "rule 2")],
                    bound,
                ),
                shard(2, vec![finding("b", "x")], bound),
            ];
            let merged = merge(apart, &framework, false).unwrap().report;
            assert_eq!(merged.findings.len(), 3, "bound {bound}");
            let overlapping = vec![
                shard(1, vec![finding("a", "x"), finding("c", "x")], bound),
                shard(2, vec![finding("b", "x"), finding("c", "y")], bound),
            ];
            let Err(err) = merge(overlapping, &framework, false) else {
                panic!("bound {bound}: merged overlapping shards");
            };
            assert_eq!(
                err.to_string(),
                format!(
                    "shard-1.json and shard-2.json both report {} in account 111122223333, region eu-west-1, resource c: the shards overlap (were they made with different organizations or region lists?)",
                    checks[0].id
                ),
                "bound {bound}"
            );
        }
    }

    #[test]
    fn regional_checks_split_by_region_say_what_they_say_whole() {
        for count in [2, 3, 4] {
            split_and_merge(None, count);
            split_and_merge(Some("ap-south-1"), count);
        }
    }
}
