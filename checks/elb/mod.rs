//! elb checks.

pub mod current_tls_policy;
pub mod https_listeners;
pub mod load_balancer_multi_az;

use crate::check::{Check, Cx};
use crate::inventory::{Listener, LoadBalancer};

pub const CHECKS: &[&Check] = &[
    &https_listeners::CHECK,
    &current_tls_policy::CHECK,
    &load_balancer_multi_az::CHECK,
];

/// Every load balancer of every scanned region with its listeners. A region whose load
/// balancers, or a load balancer whose listeners, could not be read is recorded as an
/// `error` and left out.
pub(crate) fn with_listeners<'a>(
    cx: &mut Cx<'a>,
) -> Vec<(&'a str, &'a LoadBalancer, &'a [Listener])> {
    let mut all = Vec::new();
    for (region, facts) in cx.regions() {
        let Some(lbs) = cx.get(&facts.load_balancers, region) else {
            continue;
        };
        for lb in lbs {
            if let Some(listeners) = cx.get_for(&lb.listeners, region, &lb.arn) {
                all.push((region, lb, listeners.as_slice()));
            }
        }
    }
    all
}
