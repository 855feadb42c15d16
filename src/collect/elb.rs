//! Load balancers: ELBv2 (application, network, gateway) with their listeners, and
//! Classic Load Balancers, from their own API (`elasticloadbalancing` 2012-06-01): the
//! ELBv2 API does not list them, so without this collector an HTTP listener on a
//! Classic ELB would never be seen.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancing::types::{LoadBalancerDescription, PolicyDescription};
use futures_util::future::join_all;

use super::{action, paged, regional, word};
use crate::aws::unavailable;
use crate::inventory::{
    Collected, Listener, ListenerAction, ListenerRule, LoadBalancer, LoadBalancerKind, Unavailable,
};

/// The policy type of a listener's cipher and protocol settings.
const SSL_NEGOTIATION: &str = "SSLNegotiationPolicyType";
/// The attribute naming the predefined policy a negotiation policy was made from.
const REFERENCE: &str = "Reference-Security-Policy";

regional! {
    LoadBalancers => load_balancers: elbv2, load_balancers;
    ClassicLoadBalancers => classic_load_balancers: elb, classic_load_balancers;
}

pub async fn classic_load_balancers(
    client: &aws_sdk_elasticloadbalancing::Client,
) -> Result<Vec<LoadBalancer>, Unavailable> {
    let list = paged(
        action!(ClassicLoadBalancers, DescribeLoadBalancers),
        client
            .describe_load_balancers()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(join_all(list.iter().map(|lb| load_balancer(client, lb))).await)
}

async fn load_balancer(
    client: &aws_sdk_elasticloadbalancing::Client,
    lb: &LoadBalancerDescription,
) -> LoadBalancer {
    let name = lb.load_balancer_name().unwrap_or_default().to_string();
    let encrypted = |protocol: &str| matches!(protocol, "HTTPS" | "SSL");
    // Policies are read only for load balancers that terminate TLS, once per balancer.
    let policies = if lb.listener_descriptions().iter().any(|d| {
        d.listener()
            .is_some_and(|l| encrypted(&l.protocol().to_ascii_uppercase()))
    }) {
        Some(negotiation_policies(client, &name).await)
    } else {
        None
    };
    let listeners = lb
        .listener_descriptions()
        .iter()
        .filter_map(|d| {
            let l = d.listener()?;
            let protocol = l.protocol().to_ascii_uppercase();
            let mut listener = Listener {
                port: l.load_balancer_port(),
                ..Default::default()
            };
            if encrypted(&protocol) {
                let (policy, protocols) = match &policies {
                    Some(Ok(by_name)) => d
                        .policy_names()
                        .iter()
                        .find_map(|n| by_name.get(n))
                        .map(|(policy, protocols)| {
                            (Some(policy.clone()), Collected::Ok(protocols.clone()))
                        })
                        .unwrap_or_else(|| {
                            (
                                None,
                                Collected::Unavailable(Unavailable {
                                    action: action!(ClassicLoadBalancers, DescribeLoadBalancerPolicies)
                                        .into(),
                                    code: "NoNegotiationPolicy".into(),
                                    message: format!(
                                        "none of the listener's policies {:?} is an SSL negotiation policy of the load balancer",
                                        d.policy_names()
                                    ),
                                }),
                            )
                        }),
                    Some(Err(e)) => (None, Collected::Unavailable(e.clone())),
                    None => (None, Collected::NotCollected),
                };
                listener.ssl_policy = policy;
                listener.ssl_protocols = protocols;
            }
            listener.protocol = protocol;
            Some(listener)
        })
        .collect();
    LoadBalancer {
        arn: String::new(),
        name,
        kind: LoadBalancerKind::Classic,
        scheme: lb.scheme().unwrap_or_default().to_string(),
        vpc_id: lb.vpc_id().map(str::to_string),
        availability_zones: lb.availability_zones().to_vec(),
        listeners: Collected::Ok(listeners),
    }
}

/// The load balancer's SSL negotiation policies by name: the predefined policy each
/// refers to (or its own name when custom) and the protocols it enables.
async fn negotiation_policies(
    client: &aws_sdk_elasticloadbalancing::Client,
    name: &str,
) -> Result<BTreeMap<String, (String, Vec<String>)>, Unavailable> {
    let out = client
        .describe_load_balancer_policies()
        .load_balancer_name(name)
        .send()
        .await
        .map_err(|e| {
            unavailable(
                action!(ClassicLoadBalancers, DescribeLoadBalancerPolicies),
                e,
            )
        })?;
    Ok(out
        .policy_descriptions()
        .iter()
        .filter(|p| p.policy_type_name() == Some(SSL_NEGOTIATION))
        .filter_map(|p| {
            let name = p.policy_name()?.to_string();
            let (reference, protocols) = negotiation(p);
            Some((name.clone(), (reference.unwrap_or(name), protocols)))
        })
        .collect())
}

/// `Protocol-TLSv1.2 = true` and its kin: the protocols a policy enables, oldest last.
fn negotiation(p: &PolicyDescription) -> (Option<String>, Vec<String>) {
    let mut reference = None;
    let mut protocols = Vec::new();
    for a in p.policy_attribute_descriptions() {
        match (a.attribute_name(), a.attribute_value()) {
            (Some(REFERENCE), Some(v)) => reference = Some(v.to_string()),
            (Some(n), Some(v)) if v.eq_ignore_ascii_case("true") => {
                if let Some(protocol) = n.strip_prefix("Protocol-") {
                    protocols.push(protocol.to_string());
                }
            }
            _ => {}
        }
    }
    protocols.sort_by(|a, b| b.cmp(a));
    (reference, protocols)
}

// ------------------------------------------------------------------ ELBv2

pub async fn load_balancers(
    client: &aws_sdk_elasticloadbalancingv2::Client,
) -> Result<Vec<LoadBalancer>, Unavailable> {
    let list = paged(
        action!(LoadBalancers, DescribeLoadBalancers),
        client
            .describe_load_balancers()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(join_all(list.iter().map(|lb| async move {
        let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
        let kind: LoadBalancerKind = word(lb.r#type().map(|t| t.as_str()));
        let listeners = listeners(client, &arn, &kind).await.into();
        LoadBalancer {
            name: lb.load_balancer_name().unwrap_or_default().to_string(),
            kind,
            scheme: lb
                .scheme()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            vpc_id: lb.vpc_id().map(str::to_string),
            availability_zones: lb
                .availability_zones()
                .iter()
                .filter_map(|z| z.zone_name().map(str::to_string))
                .collect(),
            arn,
            listeners,
        }
    }))
    .await)
}

async fn listeners(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    arn: &str,
    kind: &LoadBalancerKind,
) -> Result<Vec<Listener>, Unavailable> {
    let list = paged(
        action!(LoadBalancers, DescribeListeners),
        client
            .describe_listeners()
            .load_balancer_arn(arn)
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    let list = list
        .iter()
        .map(|l| Listener {
            arn: l.listener_arn().unwrap_or_default().to_string(),
            port: l.port().unwrap_or(0),
            protocol: l
                .protocol()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            ssl_policy: l.ssl_policy().map(str::to_string),
            default_actions: l.default_actions().iter().map(listener_action).collect(),
            rules: Collected::NotCollected,
            ssl_protocols: Collected::NotCollected,
        })
        .collect::<Vec<_>>();
    // Only an application load balancer's HTTP listener can hide a forward behind a
    // default that redirects to HTTPS; the others' rules change nothing judged.
    Ok(join_all(list.into_iter().map(|mut l| async move {
        if *kind == LoadBalancerKind::Application && l.protocol == "HTTP" {
            l.rules = rules(client, &l.arn).await.into();
        }
        l
    }))
    .await)
}

/// The listener's rules besides the default one (which is its default actions).
async fn rules(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    listener: &str,
) -> Result<Vec<ListenerRule>, Unavailable> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = client
            .describe_rules()
            .listener_arn(listener)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| unavailable(action!(LoadBalancers, DescribeRules), e))?;
        out.extend(
            page.rules()
                .iter()
                .filter(|r| r.is_default() != Some(true))
                .map(|r| ListenerRule {
                    arn: r.rule_arn().unwrap_or_default().to_string(),
                    priority: r.priority().unwrap_or_default().to_string(),
                    actions: r.actions().iter().map(listener_action).collect(),
                }),
        );
        match page.next_marker() {
            Some(m) if !m.is_empty() => marker = Some(m.to_string()),
            _ => return Ok(out),
        }
    }
}

fn listener_action(a: &aws_sdk_elasticloadbalancingv2::types::Action) -> ListenerAction {
    ListenerAction {
        kind: word(a.r#type().map(|t| t.as_str())),
        redirect_protocol: a
            .redirect_config()
            .and_then(|r| r.protocol())
            .map(str::to_string),
    }
}
