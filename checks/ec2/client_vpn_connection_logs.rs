use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{ClientVpnStatus, Source};

pub static CHECK: Check = Check {
    id: "EC2-08",
    slug: "client-vpn-connection-logs",
    title: "Client VPN endpoints log connections",
    severity: Severity::Medium,
    sources: &[Source::Ec2ClientVpnEndpoints],
    rationale: "The TOM promises that access and attempted access are logged. The VPN is the way in to the systems; its connection log records who connected when, from where, and which attempts were refused.",
    remediation: "aws ec2 modify-client-vpn-endpoint --client-vpn-endpoint-id ENDPOINT --connection-log-options Enabled=true,CloudwatchLogGroup=client-vpn,CloudwatchLogStream=connections",
    references: &["AWS Client VPN: connection logging"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut endpoints = 0;
    for (region, facts) in cx.regions() {
        let Some(list) = cx.get(&facts.client_vpn_endpoints, region) else {
            continue;
        };
        for ep in list.iter().filter(|e| e.status != ClientVpnStatus::Deleted) {
            endpoints += 1;
            let arn = super::ec2_arn(cx.inv, region, "client-vpn-endpoint", &ep.id);
            cx.verdict(
                ep.connection_logs_enabled,
                region,
                &arn,
                (
                    "connection logging is on",
                    "connection logging is off",
                ),
                json!({ "endpoint_id": ep.id, "status": ep.status, "connection_logs_enabled": ep.connection_logs_enabled }),
            );
        }
    }
    if endpoints == 0 {
        cx.not_applicable(GLOBAL, "no Client VPN endpoints in the scanned regions");
    }
}
