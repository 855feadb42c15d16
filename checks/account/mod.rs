//! account checks.

pub mod hosted_in_allowed_regions;
pub mod security_contact_set;
pub mod tenant_tag_coverage;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[
    &hosted_in_allowed_regions::CHECK,
    &security_contact_set::CHECK,
    &tenant_tag_coverage::CHECK,
];
