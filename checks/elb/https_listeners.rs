use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Collected, Listener, ListenerAction, ListenerActionKind, LoadBalancerKind};

pub static CHECK: Check = Check {
    id: "ELB-01",
    slug: "https-listeners",
    title: "Load balancer listeners use HTTPS or TLS",
    severity: Severity::High,
    sources: super::SOURCES,
    rationale: "The TOM promises that customer data is encrypted in transit. A plain HTTP listener carries requests, cookies and credentials in the clear unless all it does is redirect the client to HTTPS. Classic Load Balancers are judged too: they cannot redirect, so their HTTP listeners always fail.",
    remediation: "Add an HTTPS (ALB) or TLS (NLB) listener with an ACM certificate, and turn each HTTP listener into a redirect: aws elbv2 modify-listener --listener-arn LISTENER --default-actions 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_301}'. A Classic Load Balancer's HTTP listener must go (aws elb delete-load-balancer-listeners) or the balancer be migrated to an ALB.",
    references: &["Security Hub ELB.1", "Security Hub ELB.2"],
    run,
    module: module_path!(),
};

/// Protocols that pass bytes through without terminating them (network load balancers,
/// and Classic `TCP` listeners).
const PASS_THROUGH: [&str; 3] = ["TCP", "UDP", "TCP_UDP"];

fn run(cx: &mut Cx<'_>) {
    let mut listeners = 0;
    for (b, list) in super::with_listeners(cx) {
        let (region, lb) = (b.region, b.lb);
        if lb.kind == LoadBalancerKind::Gateway {
            continue;
        }
        for l in list {
            listeners += 1;
            let id = b.listener_id(l);
            let evidence = json!({
                "load_balancer": lb.name,
                "type": lb.kind,
                "scheme": lb.scheme,
                "port": l.port,
                "protocol": l.protocol,
                "default_actions": actions_evidence(&l.default_actions),
            });
            match (lb.kind.as_str(), l.protocol.as_str()) {
                ("network" | "classic", p) if PASS_THROUGH.contains(&p) => {
                    // Encryption, if any, is end to end and invisible here: no verdict.
                    cx.not_applicable(
                        region,
                        format!(
                            "listener {id} ({p}:{}) of {} load balancer {} passes traffic through; its encryption is not judged",
                            l.port, lb.kind, lb.name
                        ),
                    );
                }
                (_, "HTTPS" | "TLS" | "SSL") => cx.pass(
                    region,
                    &id,
                    format!("the listener on port {} uses {}", l.port, l.protocol),
                    evidence,
                ),
                ("application", "HTTP") if redirects_to_https(&l.default_actions) => {
                    judge_rules_behind_redirect(cx, region, &id, l, evidence);
                }
                ("classic", "HTTP") => cx.fail(
                    region,
                    &id,
                    format!(
                        "the Classic Load Balancer's listener on port {} serves plain HTTP (a Classic ELB cannot redirect to HTTPS)",
                        l.port
                    ),
                    evidence,
                ),
                (_, "HTTP") => cx.fail(
                    region,
                    &id,
                    format!(
                        "the listener on port {} serves plain HTTP instead of only redirecting to HTTPS",
                        l.port
                    ),
                    evidence,
                ),
                (_, p) => cx.fail(
                    region,
                    &id,
                    format!("the listener on port {} uses {p}, not HTTPS or TLS", l.port),
                    evidence,
                ),
            }
        }
    }
    if listeners == 0 {
        cx.not_applicable(
            GLOBAL,
            "no application, network or Classic load balancer listeners in the scanned regions",
        );
    }
}

/// A default that redirects to HTTPS hides nothing only if no rule serves otherwise: a
/// rule that forwards (or authenticates, then forwards) carries plain HTTP past it.
/// Rules that redirect to HTTPS or answer a fixed response serve no content.
fn judge_rules_behind_redirect(
    cx: &mut Cx<'_>,
    region: &str,
    id: &str,
    l: &Listener,
    mut evidence: Value,
) {
    let rules = match &l.rules {
        Collected::Ok(rules) => rules,
        Collected::Unavailable(u) => {
            let message = format!(
                "could not be evaluated: the HTTP listener on port {} redirects to HTTPS by default, and its rules, which may forward plain HTTP, could not be read: {} failed with {}",
                l.port, u.action, u.code
            );
            return cx.error(region, id, message, evidence);
        }
        Collected::NotCollected => {
            let message = format!(
                "could not be evaluated: the HTTP listener on port {} redirects to HTTPS by default, and its rules (elasticloadbalancing:DescribeRules), which may forward plain HTTP, are not in the inventory",
                l.port
            );
            return cx.error(region, id, message, evidence);
        }
    };
    evidence["rules"] = json!(
        rules
            .iter()
            .map(|r| json!({ "priority": r.priority, "actions": actions_evidence(&r.actions) }))
            .collect::<Vec<_>>()
    );
    let serving: Vec<String> = rules
        .iter()
        .filter(|r| {
            !r.actions.is_empty()
                && !redirects_to_https(&r.actions)
                && !r
                    .actions
                    .iter()
                    .all(|a| a.kind == ListenerActionKind::FixedResponse)
        })
        .map(|r| {
            let kinds: Vec<&str> = r.actions.iter().map(|a| a.kind.as_str()).collect();
            format!("priority {} ({})", r.priority, kinds.join(", "))
        })
        .collect();
    if serving.is_empty() {
        let message = format!(
            "the HTTP listener on port {} only redirects to HTTPS, and none of its {} rule(s) serves otherwise",
            l.port,
            rules.len()
        );
        cx.pass(region, id, message, evidence);
    } else {
        let message = format!(
            "the HTTP listener on port {} redirects to HTTPS by default, but its rule(s) {} serve plain HTTP",
            l.port,
            serving.join("; ")
        );
        cx.fail(region, id, message, evidence);
    }
}

fn actions_evidence(actions: &[ListenerAction]) -> Value {
    json!(
        actions
            .iter()
            .map(|a| json!({ "type": a.kind, "redirect_protocol": a.redirect_protocol }))
            .collect::<Vec<_>>()
    )
}

/// Every one of the actions is a redirect to HTTPS.
fn redirects_to_https(actions: &[ListenerAction]) -> bool {
    !actions.is_empty()
        && actions.iter().all(|a| {
            a.kind == ListenerActionKind::Redirect
                && a.redirect_protocol.as_deref() == Some("HTTPS")
        })
}
