//! IAM Access Analyzer checks.

pub mod access_analyzer_enabled;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[&access_analyzer_enabled::CHECK];
