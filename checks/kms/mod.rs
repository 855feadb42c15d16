//! kms checks.

pub mod key_rotation;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[&key_rotation::CHECK];
