//! cloudwatch checks.

pub mod alarms_have_actions;
pub mod cis_metric_filter_alarms;
pub mod cloudtrail_config_change_alarm;
pub mod console_auth_failure_alarm;
pub(crate) mod filter_pattern;
pub(crate) mod watch;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[
    &cis_metric_filter_alarms::CHECK,
    &alarms_have_actions::CHECK,
    &cloudtrail_config_change_alarm::CHECK,
    &console_auth_failure_alarm::CHECK,
];
