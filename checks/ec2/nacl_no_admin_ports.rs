use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{NaclEntry, Source};

pub static CHECK: Check = Check {
    id: "EC2-06",
    slug: "nacl-no-admin-ports",
    title: "No network ACL allows SSH or RDP from the internet",
    severity: Severity::Medium,
    sources: &[Source::Ec2NetworkAcls],
    rationale: "The TOM promises that systems are reached only through a VPN with a second factor. A network ACL that lets SSH (22) or RDP (3389) in from 0.0.0.0/0 or ::/0 leaves only the security groups between the internet and the admin ports; the subnet layer should close them too.",
    remediation: "Add an inbound deny entry for TCP 22 and 3389 from 0.0.0.0/0 (and ::/0) numbered below the allow entries, e.g. aws ec2 create-network-acl-entry --network-acl-id ACL --ingress --rule-number 50 --protocol tcp --port-range From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny, or narrow the allow entries to the VPN's address range.",
    references: &["CIS AWS 5.1", "Security Hub EC2.21"],
    run,
    module: module_path!(),
};

const ADMIN_PORTS: [i32; 2] = [22, 3389];

/// The catch-all deny entry every network ACL ends with.
const DEFAULT_RULE: i32 = 32767;

fn run(cx: &mut Cx<'_>) {
    let mut acls = 0;
    for (region, facts) in cx.regions() {
        let Some(list) = cx.get(&facts.network_acls, region) else {
            continue;
        };
        for acl in list {
            acls += 1;
            let mut ingress: Vec<&NaclEntry> = acl
                .entries
                .iter()
                .filter(|e| !e.egress && e.rule_number < DEFAULT_RULE)
                .collect();
            ingress.sort_by_key(|e| e.rule_number);
            let mut open: Vec<Value> = Vec::new();
            for port in ADMIN_PORTS {
                // IPv4 and IPv6 traffic are matched by different entries: each family is
                // open when its first world-wide entry that covers the port allows it.
                for world in [ipv4_world as fn(&NaclEntry) -> bool, ipv6_world] {
                    let first = ingress
                        .iter()
                        .find(|e| world(e) && admits_tcp_port(e, port));
                    if let Some(e) = first.filter(|e| e.action.eq_ignore_ascii_case("allow")) {
                        open.push(json!({
                            "port": port,
                            "rule_number": e.rule_number,
                            "protocol": e.protocol,
                            "cidr": e.cidr,
                            "ipv6_cidr": e.ipv6_cidr,
                            "from_port": e.from_port,
                            "to_port": e.to_port,
                        }));
                    }
                }
            }
            let arn = super::ec2_arn(cx.inv, region, "network-acl", &acl.id);
            let evidence = json!({ "network_acl_id": acl.id, "vpc_id": acl.vpc_id, "is_default": acl.is_default, "open_entries": open });
            if open.is_empty() {
                cx.pass(
                    region,
                    &arn,
                    "no inbound entry allows SSH or RDP from the internet",
                    evidence,
                );
            } else {
                let rules: Vec<String> = open
                    .iter()
                    .map(|o| format!("port {} by rule {}", o["port"], o["rule_number"]))
                    .collect();
                cx.fail(
                    region,
                    &arn,
                    format!("the internet is allowed in on {}", rules.join(", ")),
                    evidence,
                );
            }
        }
    }
    if acls == 0 {
        cx.not_applicable(GLOBAL, "no network ACLs in the scanned regions");
    }
}

fn ipv4_world(e: &NaclEntry) -> bool {
    e.cidr.as_deref() == Some("0.0.0.0/0")
}

fn ipv6_world(e: &NaclEntry) -> bool {
    e.ipv6_cidr.as_deref() == Some("::/0")
}

/// Whether the entry matches TCP traffic to `port`.
fn admits_tcp_port(e: &NaclEntry, port: i32) -> bool {
    match e.protocol.to_ascii_lowercase().as_str() {
        "-1" | "all" => true,
        "6" | "tcp" => {
            e.from_port.is_none_or(|from| from <= port) && e.to_port.is_none_or(|to| port <= to)
        }
        _ => false,
    }
}
