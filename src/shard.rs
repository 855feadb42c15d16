//! Shards: `scan --shard K/N` does a deterministic part of the work, and
//! [`crate::merge`] unites the N reports into the one the unsharded scan would have
//! written.
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

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::check::Check;
use crate::inventory::Scope;

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

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
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

    #[test]
    fn a_regional_shard_without_a_region_runs_nothing() {
        let checks: Vec<&Check> = crate::checks::ALL.to_vec();
        let part = Shard { index: 3, count: 3 }.split(&checks, &["eu-west-1".to_string()]);
        assert!(part.checks.is_empty() && part.regions.is_empty());
    }
}
