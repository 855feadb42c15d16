//! config checks.

pub mod config_recording;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[&config_recording::CHECK];
