//! securityhub checks.

pub mod securityhub_enabled;
pub mod securityhub_standards;

use crate::check::{Check, Cx};

pub const CHECKS: &[&Check] = &[&securityhub_enabled::CHECK, &securityhub_standards::CHECK];

/// The hub's ARN, or the one AWS gives it, for a region without a hub.
pub(crate) fn hub_arn(cx: &Cx<'_>, region: &str, arn: Option<&str>) -> String {
    match arn {
        Some(a) if !a.is_empty() => a.to_string(),
        _ => cx.inv.arn("securityhub", region, "hub/default"),
    }
}
