use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-04",
    slug: "client-vpn-mfa-auth",
    title: "Client VPN endpoints authenticate users through a directory or federation",
    severity: Severity::High,
    sources: &[Source::Ec2ClientVpnEndpoints],
    rationale: "The TOM promises a VPN with a second factor. Mutual certificate authentication alone is one factor held by a device; Active Directory or SAML federation is where MFA can be enforced per user.",
    remediation: "Recreate or modify the endpoint to use federated (SAML, with MFA required at the identity provider) or Active Directory authentication with MFA, in addition to or instead of certificates.",
    references: &["AWS Client VPN: client authentication"],
    run,
    module: module_path!(),
};

const USER_AUTH: [&str; 2] = [
    "federated-authentication",
    "directory-service-authentication",
];

fn run(cx: &mut Cx<'_>) {
    let mut endpoints = 0;
    for (region, facts) in cx.regions() {
        let Some(list) = cx.get(&facts.client_vpn_endpoints, region) else {
            continue;
        };
        for ep in list.iter().filter(|e| e.status != "deleted") {
            endpoints += 1;
            let user_auth = ep
                .authentication
                .iter()
                .any(|a| USER_AUTH.contains(&a.as_str()));
            let arn = cx
                .inv
                .arn("ec2", region, &format!("client-vpn-endpoint/{}", ep.id));
            cx.verdict(
                user_auth,
                region,
                &arn,
                (
                    "users authenticate through a directory or federation",
                    "users authenticate with certificates alone, without a second factor",
                ),
                json!({ "endpoint_id": ep.id, "authentication": ep.authentication }),
            );
        }
    }
    if endpoints == 0 {
        cx.not_applicable(GLOBAL, "no Client VPN endpoints in the scanned regions");
    }
}
