//! backup checks.

pub mod backup_coverage;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[&backup_coverage::CHECK];
