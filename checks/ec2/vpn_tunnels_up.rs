use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Source, TunnelStatus, VpnState};

pub static CHECK: Check = Check {
    id: "EC2-15",
    slug: "vpn-tunnels-up",
    title: "Site-to-site VPN connections have every tunnel up",
    severity: Severity::Medium,
    sources: &[Source::Ec2VpnConnections],
    rationale: "The TOM promises that systems are reached through an encrypted VPN. Each site-to-site connection has two tunnels so that one can fail over to the other; with a tunnel down, the next maintenance or outage cuts the link, and people start looking for ways around the VPN.",
    remediation: "Configure both tunnels on the customer gateway device (download the configuration with aws ec2 get-vpn-connection-device-sample-configuration), check its IKE/IPsec settings and the tunnel outside IPs, and watch TunnelState in CloudWatch (namespace AWS/VPN) with an alarm.",
    references: &["Security Hub EC2.20"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut connections = 0;
    for (region, facts) in cx.regions() {
        let Some(list) = cx.get(&facts.vpn_connections, region) else {
            continue;
        };
        for vpn in list.iter().filter(|v| v.state == VpnState::Available) {
            connections += 1;
            let down: Vec<_> = vpn
                .tunnels
                .iter()
                .filter(|t| t.status != TunnelStatus::Up)
                .map(|t| json!({ "outside_ip": t.outside_ip, "status": t.status }))
                .collect();
            let arn = super::ec2_arn(cx.inv, region, "vpn-connection", &vpn.id);
            let evidence = json!({ "vpn_connection_id": vpn.id, "state": vpn.state, "tunnels": vpn.tunnels.len(), "down_tunnels": down });
            if vpn.tunnels.is_empty() {
                cx.fail(region, &arn, "the connection reports no tunnels", evidence);
            } else if down.is_empty() {
                cx.pass(
                    region,
                    &arn,
                    format!("all {} tunnel(s) are up", vpn.tunnels.len()),
                    evidence,
                );
            } else {
                let ips: Vec<&str> = down
                    .iter()
                    .filter_map(|t| t["outside_ip"].as_str())
                    .collect();
                cx.fail(
                    region,
                    &arn,
                    format!(
                        "{} of {} tunnel(s) are down: {}",
                        down.len(),
                        vpn.tunnels.len(),
                        ips.join(", ")
                    ),
                    evidence,
                );
            }
        }
    }
    if connections == 0 {
        cx.not_applicable(
            GLOBAL,
            "no available site-to-site VPN connections in the scanned regions",
        );
    }
}
