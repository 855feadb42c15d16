//! The check catalogue: one file per check, grouped by service, and this flat registry.
//!
//! Adding a check: write `checks/<service>/<slug>.rs` with a `pub static CHECK`, add a
//! `mod` line in its service's `mod.rs`, one line in [`ALL`] below (sorted by id), the
//! check id under its measures in `frameworks/collab-tom.toml`, and pass/fail fixtures
//! in `mocks/checks/<service>/<slug>/`. The meta-tests hold you to each of these.

pub mod cloudtrail;
pub mod ec2;
pub mod iam;
pub mod s3;

use crate::check::Check;

/// Every check, sorted by id.
pub const ALL: &[&Check] = &[
    &cloudtrail::multi_region_trail_logging::CHECK,
    &cloudtrail::log_file_validation::CHECK,
    &ec2::instances_multi_az::CHECK,
    &ec2::vpc_subnets_multi_az::CHECK,
    &ec2::no_admin_ports_open::CHECK,
    &ec2::client_vpn_mfa_auth::CHECK,
    &ec2::ebs_default_encryption::CHECK,
    &iam::root_no_access_keys::CHECK,
    &iam::root_not_used::CHECK,
    &iam::root_mfa_enabled::CHECK,
    &iam::user_single_active_key::CHECK,
    &iam::user_no_admin::CHECK,
    &iam::console_users_mfa::CHECK,
    &iam::password_min_length::CHECK,
    &iam::password_complexity::CHECK,
    &iam::password_max_age::CHECK,
    &iam::password_reuse_prevention::CHECK,
    &s3::bucket_default_encryption::CHECK,
];

pub fn find(id: &str) -> Option<&'static Check> {
    ALL.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
}
