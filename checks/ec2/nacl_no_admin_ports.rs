use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::exposed_ports::{EXPOSED_PORTS, exposed_ports, port_sentence, summary};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{NaclEntry, Source};

pub static CHECK: Check = Check {
    id: "EC2-06",
    slug: "nacl-no-admin-ports",
    title: "No network ACL allows administration or database ports from the internet",
    severity: Severity::Medium,
    sources: &[Source::Ec2NetworkAcls],
    rationale: concat!(
        "The TOM promises that systems are reached only through a VPN with a second factor. A network ACL that lets an administration, database or file-sharing port in from 0.0.0.0/0 or ::/0 leaves only the security groups between the internet and the service; the subnet layer should close them too. Every port judged lies below the ephemeral range (32768-65535), so return traffic can still be allowed. The ports judged, the same as EC2-03's: ",
        exposed_ports!(port_sentence),
        "."
    ),
    remediation: "Add inbound deny entries for these ports from 0.0.0.0/0 and ::/0, numbered below the allow entries, e.g. aws ec2 create-network-acl-entry --network-acl-id ACL --ingress --rule-number 50 --protocol tcp --port-range From=5432,To=5432 --cidr-block 0.0.0.0/0 --rule-action deny; or replace a world-wide allow-all entry with allows for the ports the subnet serves (443) and for return traffic (32768-65535).",
    references: &["CIS AWS 5.1", "Security Hub EC2.21"],
    run,
    module: module_path!(),
};

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
            // Each port of each listed service, per address family: open when the first
            // world-wide entry that matches it allows it (entries are evaluated in order).
            let mut by_entry: BTreeMap<(i32, bool), (&NaclEntry, Vec<String>)> = BTreeMap::new();
            for exposed in EXPOSED_PORTS {
                for port in exposed.from..=exposed.to {
                    for (v6, world) in [
                        (false, ipv4_world as fn(&NaclEntry) -> bool),
                        (true, ipv6_world),
                    ] {
                        let first = ingress.iter().find(|e| {
                            world(e)
                                && exposed.admitted_by(&e.protocol, e.from_port, e.to_port)
                                && covers(e, port)
                        });
                        if let Some(e) = first.filter(|e| e.action.eq_ignore_ascii_case("allow")) {
                            let labels = &mut by_entry
                                .entry((e.rule_number, v6))
                                .or_insert((e, Vec::new()))
                                .1;
                            let label = exposed.label();
                            if !labels.contains(&label) {
                                labels.push(label);
                            }
                        }
                    }
                }
            }
            let open: Vec<Value> = by_entry
                .values()
                .map(|(e, exposed)| {
                    json!({
                        "rule_number": e.rule_number,
                        "protocol": e.protocol,
                        "cidr": e.cidr,
                        "ipv6_cidr": e.ipv6_cidr,
                        "from_port": e.from_port,
                        "to_port": e.to_port,
                        "exposed": exposed,
                    })
                })
                .collect();
            let arn = super::ec2_arn(cx.inv, region, "network-acl", &acl.id);
            let evidence = json!({ "network_acl_id": acl.id, "vpc_id": acl.vpc_id, "is_default": acl.is_default, "open_entries": open });
            if open.is_empty() {
                cx.pass(
                    region,
                    &arn,
                    "no inbound entry allows an administration or database port from the internet",
                    evidence,
                );
            } else {
                let rules: Vec<String> = by_entry
                    .values()
                    .map(|(e, exposed)| format!("{} by rule {}", summary(exposed), e.rule_number))
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

/// Whether the entry's port range holds `port` (an entry for every protocol has none).
fn covers(e: &NaclEntry, port: i32) -> bool {
    e.from_port.is_none_or(|from| from <= port) && e.to_port.is_none_or(|to| port <= to)
}
