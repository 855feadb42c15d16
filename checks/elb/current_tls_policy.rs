use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "ELB-02",
    slug: "current-tls-policy",
    title: "TLS listeners use a policy that allows only TLS 1.2 or newer",
    severity: Severity::High,
    sources: &[Source::LoadBalancers],
    rationale: "The TOM promises that customer data is encrypted in transit with current methods. TLS 1.0 and 1.1 are deprecated (RFC 8996) and their cipher suites are weak; a security policy that still offers them lets a client, or an attacker in the middle, negotiate down to them.",
    remediation: "aws elbv2 modify-listener --listener-arn LISTENER --ssl-policy ELBSecurityPolicy-TLS13-1-2-2021-06 (or another TLS13-1-2 / TLS-1-2 / FS-1-2 policy).",
    references: &["Security Hub ELB.17", "CIS AWS 6.a TLS (tomscan)"],
    run,
    module: module_path!(),
};

/// Name fragments of the predefined ELB policies whose minimum version is TLS 1.2 or
/// 1.3. `TLS13` alone is not enough: `ELBSecurityPolicy-TLS13-1-0-2021-06` adds TLS 1.3
/// but still allows TLS 1.0.
const CURRENT: [&str; 4] = ["TLS13-1-2", "TLS13-1-3", "TLS-1-2", "FS-1-2"];

fn run(cx: &mut Cx<'_>) {
    let mut listeners = 0;
    for (region, lb, list) in super::with_listeners(cx) {
        for l in list
            .iter()
            .filter(|l| matches!(l.protocol.as_str(), "HTTPS" | "TLS"))
        {
            listeners += 1;
            let policy = l.ssl_policy.as_deref().unwrap_or_default();
            let current = CURRENT.iter().any(|c| policy.contains(c));
            cx.verdict(
                current,
                region,
                &l.arn,
                (
                    &format!("the listener uses {policy}, TLS 1.2 or newer"),
                    &format!("the listener's policy {policy:?} allows TLS older than 1.2"),
                ),
                json!({ "load_balancer": lb.name, "port": l.port, "protocol": l.protocol, "ssl_policy": l.ssl_policy }),
            );
        }
    }
    if listeners == 0 {
        cx.not_applicable(GLOBAL, "no HTTPS or TLS listeners in the scanned regions");
    }
}
