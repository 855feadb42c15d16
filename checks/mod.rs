//! The check catalogue: one file per check, grouped by service, each service with its
//! registry list; [`ALL`] is their union, sorted by id.
//!
//! Adding a check: write `checks/<service>/<slug>.rs` with a `pub static CHECK`, add its
//! `mod` line and one line to `CHECKS` in `checks/<service>/mod.rs`, the check id under
//! its measures in `frameworks/collab-tom.toml`, and pass/fail fixtures in
//! `mocks/checks/<service>/<slug>/`. The meta-tests hold you to each of these.

pub mod accessanalyzer;
pub mod account;
pub mod autoscaling;
pub mod backup;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod config;
pub mod ec2;
pub mod elb;
pub mod external;
pub mod guardduty;
pub mod iam;
pub mod kms;
pub mod rds;
pub mod references;
pub mod s3;
pub mod securityhub;

use std::sync::LazyLock;

use crate::check::Check;

/// Every check, sorted by id.
pub static ALL: LazyLock<Vec<&'static Check>> = LazyLock::new(|| {
    let services: [&[&Check]; 15] = [
        accessanalyzer::CHECKS,
        account::CHECKS,
        autoscaling::CHECKS,
        backup::CHECKS,
        cloudtrail::CHECKS,
        cloudwatch::CHECKS,
        config::CHECKS,
        ec2::CHECKS,
        elb::CHECKS,
        guardduty::CHECKS,
        iam::CHECKS,
        kms::CHECKS,
        rds::CHECKS,
        s3::CHECKS,
        securityhub::CHECKS,
    ];
    let mut all: Vec<&Check> = services.into_iter().flatten().copied().collect();
    all.sort_by_key(|c| sort_key(c.id));
    all
});

/// `IAM-10` after `IAM-09`: by prefix, then by number.
pub fn sort_key(id: &str) -> (&str, u32) {
    let (prefix, n) = id.split_once('-').unwrap_or((id, ""));
    (prefix, n.parse().unwrap_or(u32::MAX))
}

pub fn find(id: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
}
