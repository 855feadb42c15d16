//! cloudwatch checks.

pub mod alarms_have_actions;
pub mod cis_metric_filter_alarms;

use crate::check::Check;

pub const CHECKS: &[&Check] = &[
    &cis_metric_filter_alarms::CHECK,
    &alarms_have_actions::CHECK,
];
