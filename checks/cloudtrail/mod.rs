pub mod log_file_validation;
pub mod multi_region_trail_logging;

use crate::check::Check;

/// This service's checks, in id order.
pub const CHECKS: &[&Check] = &[
    &multi_region_trail_logging::CHECK,
    &log_file_validation::CHECK,
];
