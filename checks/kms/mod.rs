//! kms checks.

pub mod key_rotation;
pub mod no_external_key_access;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[&key_rotation::CHECK, &no_external_key_access::CHECK];
