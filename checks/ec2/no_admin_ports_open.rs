use serde_json::{Value, json};

use super::exposed_ports::{EXPOSED_PORTS, ExposedPort, exposed_ports, port_sentence, summary};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::engine::net::{self, Addrs, RuleSet, SgRule, Unresolved};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-03",
    slug: "no-admin-ports-open",
    title: "No security group opens an administration or database port to the internet",
    severity: Severity::High,
    sources: &[Source::Ec2SecurityGroups, Source::Ec2ManagedPrefixLists],
    rationale: concat!(
        "The TOM promises that systems are reached only through a VPN with a second factor. An administration, database or file-sharing port open to the internet is a way in that skips it, and internet-wide scanners find it within minutes. What counts is what the group's rules admit together, however they are written: 0.0.0.0/0 or ::/0, ranges that add up to them (0.0.0.0/1 and 128.0.0.0/1), or any set of public sources of at least a /8 (IPv4) or a /32 (IPv6), such as 2000::/3 or a cloud provider's whole range; directly, through a managed prefix list, with protocol -1 or a port range that contains the port. Rules that admit other security groups or private and special-purpose ranges are not the internet. The ports judged: ",
        exposed_ports!(port_sentence),
        "."
    ),
    remediation: "Remove the ingress rules that let the internet in on these ports (the evidence lists them, with the public ranges they admit together): aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions ...; reach the services through the VPN's address range, a bastion's security group, SSM Session Manager, or a private endpoint.",
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

fn run(cx: &mut Cx<'_>) {
    let mut groups = 0;
    for (region, facts) in cx.regions() {
        let Some(sgs) = cx.get(&facts.security_groups, region) else {
            continue;
        };
        for sg in sgs {
            groups += 1;
            let rules = net::security_group_ingress(sg, &facts.prefix_lists);
            let verdict = judge(&rules);
            let arn = super::ec2_arn(cx.inv, region, "security-group", &sg.id);
            let mut evidence = json!({
                "group_id": sg.id,
                "group_name": sg.name,
                "vpc_id": sg.vpc_id,
                "open_rules": verdict.open_rules(),
            });
            let unresolved: Vec<&Unresolved> = rules
                .rules
                .iter()
                .flat_map(|r| &r.label.unresolved)
                .collect();
            if !unresolved.is_empty() {
                evidence["unresolved_sources"] =
                    json!(unresolved.iter().map(|u| &u.source).collect::<Vec<_>>());
            }
            if !verdict.open.is_empty() {
                evidence["reachable_from"] = json!(verdict.reachable_from.cidrs());
                let labels: Vec<String> = verdict.open.iter().map(|p| p.label()).collect();
                cx.fail(
                    region,
                    &arn,
                    format!("open to the internet: {}", summary(&labels)),
                    evidence,
                );
            } else if let Some(u) = verdict.unknown.first() {
                // A rule admitting these ports from a source nobody could resolve may
                // admit the internet: never a pass.
                evidence["missing_action"] = json!(u.why.action);
                evidence["code"] = json!(u.why.code);
                cx.error(
                    region,
                    &arn,
                    format!(
                        "could not be evaluated: {} in an ingress rule could not be resolved: {} failed with {}: {}",
                        u.source, u.why.action, u.why.code, u.why.message
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

/// What the group's rules, together, let the internet reach.
struct Verdict<'r, 'a> {
    /// The listed ports the internet reaches.
    open: Vec<&'static ExposedPort>,
    /// For each rule that lets part of the internet in on an open port, those ports.
    by_rule: Vec<(&'r SgRule<'a>, Vec<&'static ExposedPort>)>,
    /// Every address (public or not) admitted on one of the open ports.
    reachable_from: Addrs,
    /// Sources that could not be resolved in rules matching a port that is not
    /// (otherwise) open.
    unknown: Vec<&'r Unresolved>,
}

impl Verdict<'_, '_> {
    fn open_rules(&self) -> Vec<Value> {
        self.by_rule
            .iter()
            .map(|(r, ports)| {
                json!({
                    "protocol": r.rule.protocol,
                    "from_port": r.rule.from_port,
                    "to_port": r.rule.to_port,
                    "sources": r.public_sources,
                    "exposed": ports.iter().map(|p| p.label()).collect::<Vec<_>>(),
                })
            })
            .collect()
    }
}

fn judge<'r, 'a>(rules: &'r RuleSet<SgRule<'a>>) -> Verdict<'r, 'a> {
    let mut verdict = Verdict {
        open: Vec::new(),
        by_rule: Vec::new(),
        reachable_from: Addrs::none(),
        unknown: Vec::new(),
    };
    for exposed in EXPOSED_PORTS {
        let mut open = false;
        for traffic in exposed.traffic() {
            let reach = rules.reach(traffic);
            if reach.is_internet() {
                open = true;
                verdict.reachable_from = verdict.reachable_from.union(&reach.allowed);
                for label in reach.by {
                    let i = match verdict
                        .by_rule
                        .iter()
                        .position(|(r, _)| std::ptr::eq(*r, label))
                    {
                        Some(i) => i,
                        None => {
                            verdict.by_rule.push((label, Vec::new()));
                            verdict.by_rule.len() - 1
                        }
                    };
                    let ports = &mut verdict.by_rule[i].1;
                    if !ports.contains(&exposed) {
                        ports.push(exposed);
                    }
                }
            } else {
                for rule in rules.rules.iter().filter(|r| r.matcher.matches(traffic)) {
                    verdict.unknown.extend(&rule.label.unresolved);
                }
            }
        }
        if open {
            verdict.open.push(exposed);
        }
    }
    verdict
}
