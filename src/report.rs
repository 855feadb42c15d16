//! The report: the JSON contract users script against, and what every renderer reads.

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::{Severity, Status};
pub use crate::findings::{Finding, Findings};

/// Bumped on any change that could break a consumer of the JSON report.
/// "2": `account_summaries`, one per account scanned (organization scans).
pub const SCHEMA_VERSION: &str = "2";

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub framework: FrameworkRef,
    pub scanned_at: DateTime<Utc>,
    pub accounts: Vec<String>,
    /// One per account of `accounts`, in the same order: its own score and counts, and
    /// why it could not be read when it could not. Computed from `findings` (except the
    /// name, regions, error and stats), so merging reports is a union of findings.
    pub account_summaries: Vec<AccountSummary>,
    pub regions: Vec<String>,
    /// 0-100; `None` when nothing could be judged.
    pub score: Option<f64>,
    /// 0-100: how much of the selection could be evaluated at all.
    pub coverage: f64,
    pub scoring: Scoring,
    pub counts: Counts,
    /// Top-level sections (`parent` null) and their measures, in document order.
    pub sections: Vec<SectionResult>,
    pub checks: Vec<CheckResult>,
    /// Ordered by check, then account, region, resource and status.
    // (`crate::findings::order`; held on disk while the report is made when they are many.)
    #[schemars(with = "Vec<Finding>")]
    pub findings: Findings,
    pub stats: Stats,
    /// Which part of the work this report covers (`scan --shard K/N`); absent from a
    /// whole scan and from the report `tomscan merge` makes of the shards. Added within
    /// schema "2": a reader that ignores it reads a shard as a (partial) report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::shard::Shard>,
    /// The evidence bundle written beside this report (`--evidence DIR`), by the SHA-256
    /// of its manifest: a printed report names the evidence it came from. Absent from
    /// the bundle's own report.json (which the manifest covers) and from runs without
    /// one. Added within schema "2".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceRef>,
}

/// Where a report's evidence is, and how to know it is the same.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EvidenceRef {
    /// The bundle's path as written.
    pub path: String,
    /// SHA-256 of its manifest.json, hex.
    pub manifest_sha256: String,
    /// The signing key's fingerprint (`SHA256:...`); absent: the bundle is unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkRef {
    pub id: String,
    pub title: String,
}

/// The formula, in the report itself, so a reader need not trust the README's version.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Scoring {
    pub formula: String,
    pub weights: BTreeMap<Severity, f64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    pub pass: u32,
    pub fail: u32,
    pub error: u32,
    pub not_applicable: u32,
    pub manual: u32,
    pub attested: u32,
    pub waived: u32,
}

impl Counts {
    pub fn add(&mut self, status: Status) {
        *self.get_mut(status) += 1;
    }

    pub fn get(&self, status: Status) -> u32 {
        match status {
            Status::Pass => self.pass,
            Status::Fail => self.fail,
            Status::Error => self.error,
            Status::NotApplicable => self.not_applicable,
            Status::Manual => self.manual,
            Status::Attested => self.attested,
            Status::Waived => self.waived,
        }
    }

    pub fn merge(&mut self, other: &Counts) {
        for s in Status::ALL {
            *self.get_mut(s) += other.get(s);
        }
    }

    fn get_mut(&mut self, status: Status) -> &mut u32 {
        match status {
            Status::Pass => &mut self.pass,
            Status::Fail => &mut self.fail,
            Status::Error => &mut self.error,
            Status::NotApplicable => &mut self.not_applicable,
            Status::Manual => &mut self.manual,
            Status::Attested => &mut self.attested,
            Status::Waived => &mut self.waived,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct SectionResult {
    pub id: String,
    /// The top-level section a measure belongs to; `None` for a section.
    pub parent: Option<String>,
    pub title: String,
    pub score: Option<f64>,
    pub coverage: Option<f64>,
    pub counts: Counts,
    /// Check ids evidencing it (for a section: its own and its measures').
    pub checks: Vec<String>,
    pub organisational: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub sections: Vec<String>,
    pub score: Option<f64>,
    pub counts: Counts,
}

/// One account of the scan, beside the organization-wide figures.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AccountSummary {
    pub id: String,
    /// The account name from AWS Organizations, when the scan listed the organization.
    pub name: Option<String>,
    /// Why the account could not be read (every selected check is then `error`).
    pub error: Option<String>,
    pub regions: Vec<String>,
    /// 0-100, by the report's formula over this account's findings alone.
    pub score: Option<f64>,
    pub coverage: Option<f64>,
    pub counts: Counts,
    /// Counts per top-level TOM section with findings in this account.
    pub sections: Vec<AccountSection>,
    pub stats: Stats,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AccountSection {
    pub id: String,
    pub score: Option<f64>,
    pub counts: Counts,
}

/// How the scan went: what it cost, so a slow or throttled run shows itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct Stats {
    pub duration_ms: u64,
    /// AWS requests sent, retries included.
    pub requests: u64,
    pub retries: u64,
    /// Answers that were AWS saying "slow down" (Throttling, SlowDown, ...): a scan that
    /// hits an account's API rate limits shows it here before it shows as `error`.
    #[serde(default)]
    pub throttled: u64,
    /// Requests per `service:Operation`.
    pub operations: BTreeMap<String, u64>,
}

impl Stats {
    /// Adds another part's requests (an account's, a shard's); the duration is the
    /// caller's, since parts overlap in time.
    pub fn add(&mut self, other: &Stats) {
        self.requests += other.requests;
        self.retries += other.retries;
        self.throttled += other.throttled;
        for (op, n) in &other.operations {
            *self.operations.entry(op.clone()).or_default() += n;
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("not a tomscan JSON report: {0} (write one with `--format json`)")]
    Parse(serde_json::Error),
    #[error(
        "not a tomscan JSON report: it is no JSON object with a schema_version (write one with `--format json`)"
    )]
    NotAReport,
    #[error("report schema_version {found:?}, this tomscan reads {SCHEMA_VERSION:?}: {hint}")]
    Version { found: String, hint: &'static str },
    #[error("cannot read the report again after its version: {0}")]
    Reread(std::io::Error),
}

impl Report {
    /// Reads a JSON report, refusing schema versions this build does not know: a field
    /// read with another meaning would compare or merge things that differ.
    pub fn from_json(text: &str) -> Result<Report, ReportError> {
        Report::read(std::io::Cursor::new(text))
    }

    /// [`Report::from_json`] over a file, read twice and never held whole: the report's
    /// findings go straight to their (spilling) store, so a report of a million findings
    /// costs what the one that wrote it cost.
    pub fn read<R: Read + Seek>(mut source: R) -> Result<Report, ReportError> {
        // The version alone first (the rest skipped, never built), so a report of another
        // version is refused for its version, not for a field it names differently.
        let Versioned(version) =
            serde_json::from_reader(BufReader::new(&mut source)).map_err(|e| {
                match e.classify() {
                    // Valid JSON, but not an object: nothing here could be a report.
                    serde_json::error::Category::Data => ReportError::NotAReport,
                    _ => ReportError::Parse(e),
                }
            })?;
        let found = match version {
            Some(Value::String(v)) => v,
            Some(other) => other.to_string(),
            None => return Err(ReportError::NotAReport),
        };
        if found != SCHEMA_VERSION {
            let older = found.parse::<u32>().ok() < SCHEMA_VERSION.parse::<u32>().ok();
            let hint = if older {
                "it was written by an older tomscan; evaluate its inventory or scan again"
            } else {
                "it was written by a newer tomscan; upgrade this one"
            };
            return Err(ReportError::Version { found, hint });
        }
        source.rewind().map_err(ReportError::Reread)?;
        serde_json::from_reader(BufReader::new(source)).map_err(ReportError::Parse)
    }
}

/// A JSON object's `schema_version`, every other member skipped unread. Only an object:
/// a derived struct would also take an array (`[1]`) as its fields in order.
struct Versioned(Option<Value>);

impl<'de> Deserialize<'de> for Versioned {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Object;
        impl<'de> serde::de::Visitor<'de> for Object {
            type Value = Versioned;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Versioned, A::Error> {
                let mut version = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "schema_version" {
                        version = Some(map.next_value()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(Versioned(version))
            }
        }
        deserializer.deserialize_map(Object)
    }
}

/// The JSON Schema of [`Report`], published as `schema/report.schema.json`.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Report);
    format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).expect("plain data")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_no_object_is_no_report_whatever_it_holds() {
        for text in [
            "[1]",
            "[\"2\"]",
            "\"2\"",
            "2",
            "null",
            "{}",
            "{\"schema\": \"2\"}",
        ] {
            assert!(
                matches!(Report::from_json(text), Err(ReportError::NotAReport)),
                "{text}"
            );
        }
        assert!(matches!(
            Report::from_json("{\"findings\": [], \"schema_version\": \"1\"}"),
            Err(ReportError::Version { found, .. }) if found == "1"
        ));
        assert!(matches!(
            Report::from_json("{\"schema_version\": \"2\""),
            Err(ReportError::Parse(_))
        ));
    }
}
