pub mod bucket_default_encryption;

use crate::check::Check;

/// This service's checks, in id order.
pub const CHECKS: &[&Check] = &[&bucket_default_encryption::CHECK];
