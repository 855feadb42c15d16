//! What a check is: metadata beside a pure function over the [`Inventory`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::Settings;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use crate::inventory::{Collected, Inventory, Regional, Source};

/// The region of findings about account-wide resources (IAM, the account itself).
pub const GLOBAL: &str = "global";

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Weight in the score: each step doubles, so one critical failure outweighs a
    /// handful of low ones.
    pub fn weight(self) -> f64 {
        match self {
            Severity::Low => 1.0,
            Severity::Medium => 2.0,
            Severity::High => 4.0,
            Severity::Critical => 8.0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl clap::ValueEnum for Severity {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// Could not be evaluated: the evidence names the reason and the IAM action.
    Error,
    NotApplicable,
    /// An organisational measure nobody has attested yet.
    Manual,
    Attested,
    Waived,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Pass,
        Status::Fail,
        Status::Error,
        Status::NotApplicable,
        Status::Manual,
        Status::Attested,
        Status::Waived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::NotApplicable => "not_applicable",
            Status::Manual => "manual",
            Status::Attested => "attested",
            Status::Waived => "waived",
        }
    }
}

/// One check of the catalogue. Everything but `run` is data that the catalogue
/// commands, the README table and the permissions policy are generated from.
#[derive(Debug)]
pub struct Check {
    /// Stable identifier, never reused: `IAM-05`.
    pub id: &'static str,
    /// Short kebab-case name, also the fixture directory: `root-mfa-enabled`.
    pub slug: &'static str,
    /// The desired state, as a statement: "Root account has MFA enabled".
    pub title: &'static str,
    pub severity: Severity,
    pub sources: &'static [Source],
    pub rationale: &'static str,
    pub remediation: &'static str,
    /// CIS AWS Foundations and Security Hub control ids.
    pub references: &'static [&'static str],
    pub run: fn(&mut Cx<'_>),
    /// `module_path!()` of the check's file, which places its fixtures:
    /// `checks/iam/root_mfa_enabled.rs` -> `mocks/checks/iam/root-mfa-enabled/`.
    pub module: &'static str,
}

impl Check {
    /// The service directory the check lives in: `iam`.
    pub fn service(&self) -> &'static str {
        self.module.rsplit("::").nth(1).unwrap_or_default()
    }

    /// The file name of the check, without `.rs`.
    pub fn file_stem(&self) -> &'static str {
        self.module.rsplit("::").next().unwrap_or_default()
    }

    /// Every IAM action this check's sources call, sorted and unique.
    pub fn actions(&self) -> Vec<&'static str> {
        let mut actions: Vec<_> = self
            .sources
            .iter()
            .flat_map(|s| s.requires().iter().chain(std::iter::once(s)))
            .flat_map(|s| s.actions().iter().copied())
            .collect();
        actions.sort_unstable();
        actions.dedup();
        actions
    }
}

/// What a check says about one resource; the scan turns it into a report finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub status: Status,
    pub region: String,
    pub resource: String,
    pub message: String,
    pub evidence: Value,
}

/// The evaluation context a check runs in: the facts, the thresholds, the clock, and
/// the outcomes it has produced so far.
pub struct Cx<'a> {
    pub inv: &'a Inventory,
    pub settings: &'a Settings,
    /// Fixed once per scan, so every check judges ages against the same instant.
    pub now: DateTime<Utc>,
    outcomes: Vec<Outcome>,
}

impl<'a> Cx<'a> {
    pub fn new(inv: &'a Inventory, settings: &'a Settings, now: DateTime<Utc>) -> Self {
        Cx {
            inv,
            settings,
            now,
            outcomes: Vec::new(),
        }
    }

    pub fn into_outcomes(self) -> Vec<Outcome> {
        self.outcomes
    }

    /// The facts of a source, or `None` after recording an `error` outcome that says
    /// why they are missing. This is the one door between checks and unavailable data,
    /// so no check can mistake a denied call for an empty account.
    pub fn get<T>(&mut self, source: &'a Collected<T>, region: &str) -> Option<&'a T> {
        self.get_for(source, region, "")
    }

    /// [`Cx::get`] for a source that belongs to one resource (a bucket's encryption).
    pub fn get_for<T>(
        &mut self,
        source: &'a Collected<T>,
        region: &str,
        resource: &str,
    ) -> Option<&'a T> {
        match source {
            Collected::Ok(v) => Some(v),
            Collected::Unavailable(u) => {
                let message = format!(
                    "could not be evaluated: {} failed with {}: {}",
                    u.action, u.code, u.message
                );
                self.push(
                    Status::Error,
                    region,
                    resource,
                    message,
                    serde_json::json!({ "missing_action": u.action, "code": u.code, "message": u.message }),
                );
                None
            }
            Collected::NotCollected => {
                self.push(
                    Status::Error,
                    region,
                    resource,
                    "could not be evaluated: the inventory does not hold this source".into(),
                    Value::Null,
                );
                None
            }
        }
    }

    /// Every scanned region with its regional facts, in name order. A region the
    /// inventory lists without facts yields empty (`NotCollected`) facts, so checks
    /// report it as unevaluated instead of skipping it.
    pub fn regions(&self) -> impl Iterator<Item = (&'a str, &'a Regional)> + 'a {
        static NONE: LazyLock<Regional> = LazyLock::new(Regional::default);
        let inv = self.inv;
        let names: BTreeSet<&'a str> = inv
            .regions
            .iter()
            .chain(inv.regional.keys())
            .map(String::as_str)
            .collect();
        names
            .into_iter()
            .map(move |r| (r, inv.regional.get(r).unwrap_or(&NONE)))
    }

    /// Every item of one regional source across the scanned regions, with its region.
    /// Records `error` for each region whose source could not be read, and, when there
    /// is nothing anywhere, `not_applicable` with `none` (unless something errored).
    pub fn regional_items<T>(
        &mut self,
        fact: impl Fn(&'a Regional) -> &'a Collected<Vec<T>>,
        none: &str,
    ) -> Vec<(&'a str, &'a T)> {
        let mut items = Vec::new();
        for (region, facts) in self.regions() {
            if let Some(list) = self.get(fact(facts), region) {
                items.extend(list.iter().map(|item| (region, item)));
            }
        }
        if items.is_empty() {
            self.not_applicable(GLOBAL, none);
        }
        items
    }

    pub fn pass(
        &mut self,
        region: &str,
        resource: &str,
        message: impl Into<String>,
        evidence: Value,
    ) {
        self.push(Status::Pass, region, resource, message.into(), evidence);
    }

    pub fn fail(
        &mut self,
        region: &str,
        resource: &str,
        message: impl Into<String>,
        evidence: Value,
    ) {
        self.push(Status::Fail, region, resource, message.into(), evidence);
    }

    /// `pass` when `ok`, else `fail`, with one message for each.
    pub fn verdict(
        &mut self,
        ok: bool,
        region: &str,
        resource: &str,
        messages: (&str, &str),
        evidence: Value,
    ) {
        let (status, message) = if ok {
            (Status::Pass, messages.0)
        } else {
            (Status::Fail, messages.1)
        };
        self.push(status, region, resource, message.to_string(), evidence);
    }

    /// Nothing to judge here (no buckets, no VPN endpoints): said, never silent. Not
    /// said when part of the facts could not be read: "none found" would then be a guess.
    pub fn not_applicable(&mut self, region: &str, message: impl Into<String>) {
        if self.outcomes.iter().any(|o| o.status == Status::Error) {
            return;
        }
        self.push(
            Status::NotApplicable,
            region,
            "",
            message.into(),
            Value::Null,
        );
    }

    /// Needs a person's judgement the configuration has not given (no allowed regions
    /// set): reported `manual` with the facts found, and left out of the score.
    pub fn manual(
        &mut self,
        region: &str,
        resource: &str,
        message: impl Into<String>,
        evidence: Value,
    ) {
        if self.outcomes.iter().any(|o| o.status == Status::Error) {
            return;
        }
        self.push(Status::Manual, region, resource, message.into(), evidence);
    }

    /// Could not evaluate for a reason the inventory itself shows (no root row, ...).
    pub fn error(
        &mut self,
        region: &str,
        resource: &str,
        message: impl Into<String>,
        evidence: Value,
    ) {
        self.push(Status::Error, region, resource, message.into(), evidence);
    }

    fn push(
        &mut self,
        status: Status,
        region: &str,
        resource: &str,
        message: String,
        evidence: Value,
    ) {
        self.outcomes.push(Outcome {
            status,
            region: region.to_string(),
            resource: resource.to_string(),
            message,
            evidence,
        });
    }
}
