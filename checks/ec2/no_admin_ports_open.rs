use serde_json::{Value, json};

use super::exposed_ports::{
    EXPOSED_PORTS, ExposedPort, exposed_ports, is_world, port_sentence, summary,
};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Collected, IpRule, PrefixList, Source, Unavailable};

pub static CHECK: Check = Check {
    id: "EC2-03",
    slug: "no-admin-ports-open",
    title: "No security group opens an administration or database port to the internet",
    severity: Severity::High,
    sources: &[Source::Ec2SecurityGroups, Source::Ec2ManagedPrefixLists],
    rationale: concat!(
        "The TOM promises that systems are reached only through a VPN with a second factor. An administration, database or file-sharing port open to 0.0.0.0/0 or ::/0 (directly, or through a managed prefix list that holds either) is a way in that skips it, and internet-wide scanners find it within minutes. Rules that admit other security groups or private ranges are not the internet. The ports judged: ",
        exposed_ports!(port_sentence),
        "."
    ),
    remediation: "Remove the ingress rules that allow 0.0.0.0/0 or ::/0 (or a prefix list holding them) on these ports: aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions ...; reach the services through the VPN's address range, a bastion's security group, SSM Session Manager, or a private endpoint.",
    references: &[
        "CIS AWS 5.2",
        "CIS AWS 5.3",
        "Security Hub EC2.13",
        "Security Hub EC2.14",
        "Security Hub EC2.19",
    ],
    run,
    module: module_path!(),
};

/// What one rule's source is, when it is the internet or cannot be told.
enum Reach {
    World(String),
    Unknown {
        prefix_list: String,
        why: Unavailable,
    },
}

fn run(cx: &mut Cx<'_>) {
    let mut groups = 0;
    for (region, facts) in cx.regions() {
        let Some(sgs) = cx.get(&facts.security_groups, region) else {
            continue;
        };
        for sg in sgs {
            groups += 1;
            let mut open: Vec<Value> = Vec::new();
            let mut unknown: Vec<(String, Unavailable)> = Vec::new();
            for rule in &sg.ingress {
                let ports: Vec<&ExposedPort> = EXPOSED_PORTS
                    .iter()
                    .filter(|p| p.admitted_by(&rule.protocol, rule.from_port, rule.to_port))
                    .collect();
                if ports.is_empty() {
                    continue;
                }
                let mut world = Vec::new();
                for reach in sources(rule, &facts.prefix_lists) {
                    match reach {
                        Reach::World(source) => world.push(source),
                        Reach::Unknown { prefix_list, why } => unknown.push((prefix_list, why)),
                    }
                }
                if !world.is_empty() {
                    open.push(json!({
                        "protocol": rule.protocol,
                        "from_port": rule.from_port,
                        "to_port": rule.to_port,
                        "sources": world,
                        "exposed": ports.iter().map(|p| p.label()).collect::<Vec<_>>(),
                    }));
                }
            }
            let arn = super::ec2_arn(cx.inv, region, "security-group", &sg.id);
            let mut evidence = json!({ "group_id": sg.id, "group_name": sg.name, "vpc_id": sg.vpc_id, "open_rules": open });
            if !open.is_empty() {
                let exposed: Vec<&str> = open
                    .iter()
                    .flat_map(|o| o["exposed"].as_array().into_iter().flatten())
                    .filter_map(Value::as_str)
                    .collect();
                if !unknown.is_empty() {
                    evidence["unresolved_prefix_lists"] =
                        json!(unknown.iter().map(|(pl, _)| pl).collect::<Vec<_>>());
                }
                cx.fail(
                    region,
                    &arn,
                    format!("open to the internet: {}", summary(&exposed)),
                    evidence,
                );
            } else if let Some((prefix_list, why)) = unknown.first() {
                // A rule admitting these ports from a list nobody could read may admit
                // the internet: never a pass.
                evidence["unresolved_prefix_lists"] =
                    json!(unknown.iter().map(|(pl, _)| pl).collect::<Vec<_>>());
                evidence["missing_action"] = json!(why.action);
                evidence["code"] = json!(why.code);
                cx.error(
                    region,
                    &arn,
                    format!(
                        "could not be evaluated: prefix list {prefix_list} in an ingress rule could not be resolved: {} failed with {}: {}",
                        why.action, why.code, why.message
                    ),
                    evidence,
                );
            } else {
                cx.pass(
                    region,
                    &arn,
                    "no administration or database port is open to the internet",
                    evidence,
                );
            }
        }
    }
    if groups == 0 {
        cx.not_applicable(GLOBAL, "no security groups in the scanned regions");
    }
}

/// The rule's sources that are the internet, and the prefix lists that cannot be told.
/// Referenced security groups admit their members only, never the internet.
fn sources(rule: &IpRule, lists: &Collected<Vec<PrefixList>>) -> Vec<Reach> {
    let mut out: Vec<Reach> = rule
        .ipv4_ranges
        .iter()
        .chain(&rule.ipv6_ranges)
        .filter(|c| is_world(c))
        .map(|c| Reach::World(c.clone()))
        .collect();
    for id in &rule.prefix_list_ids {
        let unknown = |code: &str, message: String| Reach::Unknown {
            prefix_list: id.clone(),
            why: Unavailable {
                action: "ec2:DescribeManagedPrefixLists".into(),
                code: code.into(),
                message,
            },
        };
        let list = match lists {
            Collected::Ok(all) => all.iter().find(|l| &l.id == id),
            Collected::Unavailable(u) => {
                out.push(Reach::Unknown {
                    prefix_list: id.clone(),
                    why: u.clone(),
                });
                continue;
            }
            Collected::NotCollected => {
                out.push(unknown(
                    "NotCollected",
                    "the inventory does not hold the managed prefix lists".into(),
                ));
                continue;
            }
        };
        let Some(list) = list else {
            out.push(unknown(
                "NotFound",
                format!("{id} is not among the prefix lists the account can see"),
            ));
            continue;
        };
        match &list.entries {
            Collected::Ok(entries) => out.extend(
                entries
                    .iter()
                    .filter(|c| is_world(c))
                    .map(|c| Reach::World(format!("{c} (prefix list {id} {})", list.name))),
            ),
            // AWS-managed lists hold an AWS service's ranges, not the internet.
            Collected::NotCollected if list.owner_id == "AWS" => {}
            Collected::NotCollected => out.push(unknown(
                "NotCollected",
                format!("the entries of {id} were not read"),
            )),
            Collected::Unavailable(u) => out.push(Reach::Unknown {
                prefix_list: id.clone(),
                why: u.clone(),
            }),
        }
    }
    out
}
