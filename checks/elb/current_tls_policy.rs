use serde_json::json;

use super::tls_policies::{self, Tls};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Collected;

pub static CHECK: Check = Check {
    id: "ELB-02",
    slug: "current-tls-policy",
    title: "TLS listeners offer TLS 1.3 and nothing older than TLS 1.2",
    severity: Severity::High,
    sources: super::SOURCES,
    rationale: "The TOM promises that customer data is encrypted in transit with the most current version of the protocol. That is TLS 1.3 (RFC 8446): a listener whose policy stops at TLS 1.2 cannot offer it. TLS 1.0 and 1.1 are deprecated (RFC 8996) and their cipher suites are weak; a policy that still allows them lets a client, or an attacker in the middle, negotiate down to them. TLS 1.2 may stay for older clients. Classic Load Balancers cannot offer TLS 1.3 at all.",
    remediation: "aws elbv2 modify-listener --listener-arn LISTENER --ssl-policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06 (or another ELBSecurityPolicy-TLS13-1-2-* / TLS13-1-3-* policy). A Classic Load Balancer must be migrated to an Application or Network Load Balancer to offer TLS 1.3.",
    references: &[
        "Security Hub ELB.17",
        "Security Hub ELB.8",
        "RFC 8446",
        "RFC 8996",
    ],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut listeners = 0;
    for (b, list) in super::with_listeners(cx) {
        let (region, lb) = (b.region, b.lb);
        for l in list
            .iter()
            .filter(|l| matches!(l.protocol.as_str(), "HTTPS" | "TLS" | "SSL"))
        {
            listeners += 1;
            let id = b.listener_id(l);
            let policy = l.ssl_policy.as_deref().unwrap_or_default();
            let mut evidence = json!({
                "load_balancer": lb.name,
                "type": lb.kind,
                "port": l.port,
                "protocol": l.protocol,
                "ssl_policy": l.ssl_policy,
            });
            if b.is_classic() {
                // Nothing to look up: a Classic ELB cannot negotiate TLS 1.3 whatever its
                // policy, which is shown as read.
                let allowed = match &l.ssl_protocols {
                    Collected::Ok(list) => list.join(", "),
                    Collected::Unavailable(u) => {
                        format!("not read: {} failed with {}", u.action, u.code)
                    }
                    Collected::NotCollected => "not read".to_string(),
                };
                evidence["allowed_protocols"] = match &l.ssl_protocols {
                    Collected::Ok(list) => json!(list),
                    _ => json!(allowed),
                };
                evidence["tls13"] = json!(false);
                cx.fail(
                    region,
                    &id,
                    format!(
                        "the Classic Load Balancer's {} listener on port {} cannot offer TLS 1.3 (policy {}, protocols {allowed}); migrate it to an Application or Network Load Balancer",
                        l.protocol,
                        l.port,
                        if policy.is_empty() { "unknown" } else { policy },
                    ),
                    evidence,
                );
                continue;
            }
            let Some(allowed) = tls_policies::protocols(policy) else {
                cx.error(
                    region,
                    &id,
                    format!(
                        "could not be evaluated: the listener's policy {policy:?} is not one tomscan knows, so which protocols it allows cannot be said"
                    ),
                    evidence,
                );
                continue;
            };
            let names: Vec<&str> = allowed.iter().map(|t| t.name()).collect();
            let deprecated: Vec<&str> = allowed
                .iter()
                .filter(|t| **t < Tls::V1_2)
                .map(|t| t.name())
                .collect();
            let tls13 = allowed.contains(&Tls::V1_3);
            evidence["allowed_protocols"] = json!(names);
            evidence["tls13"] = json!(tls13);
            evidence["deprecated_protocols"] = json!(deprecated);
            let message = match (tls13, deprecated.is_empty()) {
                (true, true) => {
                    cx.pass(
                        region,
                        &id,
                        format!(
                            "the listener's policy {policy} offers TLS 1.3 and nothing older than TLS 1.2 ({})",
                            names.join(", ")
                        ),
                        evidence,
                    );
                    continue;
                }
                (true, false) => format!(
                    "the listener's policy {policy} offers TLS 1.3 but still allows deprecated {}",
                    deprecated.join(", ")
                ),
                (false, true) => format!(
                    "the listener's policy {policy} stops at TLS 1.2: TLS 1.3, the current version, is not offered"
                ),
                (false, false) => format!(
                    "the listener's policy {policy} does not offer TLS 1.3 and allows deprecated {}",
                    deprecated.join(", ")
                ),
            };
            cx.fail(region, &id, message, evidence);
        }
    }
    if listeners == 0 {
        cx.not_applicable(
            GLOBAL,
            "no HTTPS, TLS or SSL listeners in the scanned regions",
        );
    }
}
