pub mod log_file_validation;
pub mod multi_region_trail_logging;
pub mod s3_data_events;
pub mod trail_cloudwatch_logs;
pub mod trail_kms_encryption;
pub(crate) mod trails;

use crate::check::Check;

/// This service's checks, in id order.
pub const CHECKS: &[&Check] = &[
    &multi_region_trail_logging::CHECK,
    &log_file_validation::CHECK,
    &trail_cloudwatch_logs::CHECK,
    &s3_data_events::CHECK,
    &trail_kms_encryption::CHECK,
];
