use serde_json::{Value, json};

use super::exposed_ports::{EXPOSED_PORTS, exposed_ports, port_sentence, summary};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::engine::net::{self, Addrs};
use crate::inventory::{NaclEntry, Source};

pub static CHECK: Check = Check {
    id: "EC2-06",
    slug: "nacl-no-admin-ports",
    title: "No network ACL allows administration or database ports from the internet",
    severity: Severity::Medium,
    sources: &[Source::Ec2NetworkAcls],
    rationale: concat!(
        "The TOM promises that systems are reached only through a VPN with a second factor. A network ACL that lets an administration, database or file-sharing port in from the internet leaves only the security groups between the internet and the service; the subnet layer should close them too. Entries are weighed as AWS evaluates them, in rule order, the first that matches an address deciding for it: a deny that comes first closes what a later allow opens, however the deny's ranges are split, and an allow is open when the public sources left to it add up to at least a /8 (IPv4) or a /32 (IPv6), as EC2-03 counts them. Every port judged lies below the ephemeral range (32768-65535), so return traffic can still be allowed. The ports judged, the same as EC2-03's: ",
        exposed_ports!(port_sentence),
        "."
    ),
    remediation: "Add inbound deny entries for these ports from 0.0.0.0/0 and ::/0, numbered below the allow entries, e.g. aws ec2 create-network-acl-entry --network-acl-id ACL --ingress --rule-number 50 --protocol tcp --port-range From=5432,To=5432 --cidr-block 0.0.0.0/0 --rule-action deny; or replace a world-wide allow-all entry with allows for the ports the subnet serves (443) and for return traffic (32768-65535).",
    references: &["CIS AWS 5.1", "Security Hub EC2.21"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut acls = 0;
    for (region, facts) in cx.regions() {
        let Some(list) = cx.get(&facts.network_acls, region) else {
            continue;
        };
        for acl in list {
            acls += 1;
            let rules = net::nacl_ingress(acl);
            // Per allow entry that lets part of the internet in, the listed ports it
            // opens; an entry counts only for addresses no earlier entry decided.
            let mut by_entry: Vec<(&NaclEntry, Vec<String>)> = Vec::new();
            let mut reachable_from = Addrs::none();
            for exposed in EXPOSED_PORTS {
                for traffic in exposed.traffic() {
                    let reach = rules.reach(traffic);
                    if !reach.is_internet() {
                        continue;
                    }
                    reachable_from = reachable_from.union(&reach.allowed);
                    for entry in reach.by {
                        let i = match by_entry.iter().position(|(e, _)| std::ptr::eq(*e, *entry)) {
                            Some(i) => i,
                            None => {
                                by_entry.push((entry, Vec::new()));
                                by_entry.len() - 1
                            }
                        };
                        let label = exposed.label();
                        if !by_entry[i].1.contains(&label) {
                            by_entry[i].1.push(label);
                        }
                    }
                }
            }
            by_entry.sort_by_key(|(e, _)| e.rule_number);
            let open: Vec<Value> = by_entry
                .iter()
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
            let mut evidence = json!({ "network_acl_id": acl.id, "vpc_id": acl.vpc_id, "is_default": acl.is_default, "open_entries": open });
            if by_entry.is_empty() {
                cx.pass(
                    region,
                    &arn,
                    "no inbound entry allows an administration or database port from the internet",
                    evidence,
                );
            } else {
                evidence["reachable_from"] = json!(reachable_from.cidrs());
                let rules: Vec<String> = by_entry
                    .iter()
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
