//! guardduty checks.

pub mod guardduty_enabled;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[&guardduty_enabled::CHECK];
