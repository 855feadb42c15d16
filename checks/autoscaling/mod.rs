//! autoscaling checks.

pub mod multi_az;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[&multi_az::CHECK];
