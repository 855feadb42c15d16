//! elb checks.

pub mod current_tls_policy;
pub mod https_listeners;
pub mod load_balancer_multi_az;
pub mod tls_policies;

use crate::check::{Check, Cx};
use crate::inventory::{Inventory, Listener, LoadBalancer, LoadBalancerKind, Source};

pub const CHECKS: &[&Check] = &[
    &https_listeners::CHECK,
    &current_tls_policy::CHECK,
    &load_balancer_multi_az::CHECK,
];

/// The sources of every ELB check: both APIs, as a Classic ELB is invisible to ELBv2's.
pub(crate) const SOURCES: &[Source] = &[Source::LoadBalancers, Source::ClassicLoadBalancers];

/// A load balancer of either API, with the ARN it is reported under.
pub(crate) struct Balancer<'a> {
    pub region: &'a str,
    pub lb: &'a LoadBalancer,
    pub arn: String,
}

impl Balancer<'_> {
    /// The name a listener is reported under: its ARN, or for a Classic listener (which
    /// has none) the load balancer's ARN and the port, unique per load balancer.
    pub fn listener_id(&self, l: &Listener) -> String {
        if l.arn.is_empty() {
            format!("{}/listener/{}", self.arn, l.port)
        } else {
            l.arn.clone()
        }
    }

    pub fn is_classic(&self) -> bool {
        self.lb.kind == LoadBalancerKind::Classic
    }
}

/// The load balancer's ARN; a Classic one's API never says it, so it is built the way
/// IAM names it: `arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/NAME`.
fn arn_of(inv: &Inventory, region: &str, lb: &LoadBalancer) -> String {
    if lb.arn.is_empty() {
        inv.arn(
            "elasticloadbalancing",
            region,
            &format!("loadbalancer/{}", lb.name),
        )
    } else {
        lb.arn.clone()
    }
}

/// Every load balancer of both APIs in every scanned region. A region whose list could
/// not be read is recorded as an `error` and left out.
pub(crate) fn load_balancers<'a>(cx: &mut Cx<'a>) -> Vec<Balancer<'a>> {
    let mut all = Vec::new();
    for (region, facts) in cx.regions() {
        for list in [&facts.load_balancers, &facts.classic_load_balancers] {
            let Some(lbs) = cx.get(list, region) else {
                continue;
            };
            all.extend(lbs.iter().map(|lb| Balancer {
                region,
                lb,
                arn: arn_of(cx.inv, region, lb),
            }));
        }
    }
    all
}

/// Every load balancer with its listeners. A load balancer whose listeners could not be
/// read is recorded as an `error` and left out.
pub(crate) fn with_listeners<'a>(cx: &mut Cx<'a>) -> Vec<(Balancer<'a>, &'a [Listener])> {
    load_balancers(cx)
        .into_iter()
        .filter_map(|b| {
            let listeners = cx.get_for(&b.lb.listeners, b.region, &b.arn)?;
            Some((b, listeners.as_slice()))
        })
        .collect()
}
