use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-03",
    slug: "no-admin-ports-open",
    title: "No security group opens SSH or RDP to the internet",
    severity: Severity::High,
    sources: &[Source::Ec2SecurityGroups],
    rationale: "The TOM promises that systems are reached only through a VPN with a second factor. SSH (22) or RDP (3389) open to 0.0.0.0/0 or ::/0 is a way in that skips it.",
    remediation: "Remove the ingress rules that allow 0.0.0.0/0 or ::/0 on ports 22 and 3389; reach instances through the VPN's address range, or through SSM Session Manager with no inbound port at all.",
    references: &[
        "CIS AWS 5.2",
        "CIS AWS 5.3",
        "Security Hub EC2.13",
        "Security Hub EC2.14",
    ],
    run,
    module: module_path!(),
};

const ADMIN_PORTS: [i32; 2] = [22, 3389];

fn run(cx: &mut Cx<'_>) {
    let mut groups = 0;
    for (region, facts) in cx.regions() {
        let Some(sgs) = cx.get(&facts.security_groups, region) else {
            continue;
        };
        for sg in sgs {
            groups += 1;
            let open: Vec<_> = sg
                .ingress
                .iter()
                .filter_map(|rule| {
                    let ports: Vec<i32> = ADMIN_PORTS
                        .into_iter()
                        .filter(|p| rule.admits_tcp_port(*p))
                        .collect();
                    let world = rule.open_to_world();
                    (!ports.is_empty() && !world.is_empty()).then(
                        || json!({ "ports": ports, "sources": world, "protocol": rule.protocol }),
                    )
                })
                .collect();
            let arn = cx
                .inv
                .arn("ec2", region, &format!("security-group/{}", sg.id));
            cx.verdict(
                open.is_empty(),
                region,
                &arn,
                (
                    "no SSH or RDP ingress from the internet",
                    "SSH or RDP is open to the internet",
                ),
                json!({ "group_id": sg.id, "group_name": sg.name, "vpc_id": sg.vpc_id, "open_rules": open }),
            );
        }
    }
    if groups == 0 {
        cx.not_applicable(GLOBAL, "no security groups in the scanned regions");
    }
}
