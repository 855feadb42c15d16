use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{IpRule, Source};

pub static CHECK: Check = Check {
    id: "EC2-13",
    slug: "default-sg-restricts-all",
    title: "Default security groups allow no traffic",
    severity: Severity::Medium,
    sources: &[Source::Ec2SecurityGroups],
    rationale: "The TOM promises that customers' systems are separated from each other. Every VPC's default security group lets its members talk to each other freely, and anything launched without a group lands in it, where the allow-all outbound rule AWS creates lets it reach anywhere. A default group without a single rule, inbound or outbound (CIS 5.4), forces every workload into a group chosen for it.",
    remediation: "Remove every rule of each default group: aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions \"$(aws ec2 describe-security-groups --group-ids SG --query 'SecurityGroups[0].IpPermissions')\", and the same with revoke-security-group-egress and IpPermissionsEgress; move the members to purpose-made groups first.",
    references: &["CIS AWS 5.4", "Security Hub EC2.2"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut groups = 0;
    for (region, facts) in cx.regions() {
        let Some(sgs) = cx.get(&facts.security_groups, region) else {
            continue;
        };
        for sg in sgs.iter().filter(|g| g.name == "default") {
            groups += 1;
            let arn = super::ec2_arn(cx.inv, region, "security-group", &sg.id);
            let ingress: Vec<Value> = sg.ingress.iter().map(rule).collect();
            // Inbound rules alone fail the group; with none, the outbound ones decide, and
            // an inventory without them cannot pass it.
            let egress = if sg.ingress.is_empty() {
                match cx.get_for(&sg.egress, region, &arn) {
                    Some(list) => Some(list),
                    None => continue,
                }
            } else {
                sg.egress.ok()
            };
            let outbound = egress.map_or(0, Vec::len);
            let evidence = json!({
                "group_id": sg.id,
                "vpc_id": sg.vpc_id,
                "ingress": ingress,
                "egress": egress.map(|list| list.iter().map(rule).collect::<Vec<_>>()),
            });
            if sg.ingress.is_empty() && outbound == 0 {
                cx.pass(
                    region,
                    &arn,
                    "the default group has no inbound and no outbound rules",
                    evidence,
                );
            } else {
                let counted = match egress {
                    Some(_) => format!(
                        "{} inbound and {outbound} outbound rule(s)",
                        sg.ingress.len()
                    ),
                    None => format!("{} inbound rule(s)", sg.ingress.len()),
                };
                cx.fail(
                    region,
                    &arn,
                    format!("the default group has {counted}; it should have none either way"),
                    evidence,
                );
            }
        }
    }
    if groups == 0 {
        cx.not_applicable(GLOBAL, "no default security groups in the scanned regions");
    }
}

fn rule(r: &IpRule) -> Value {
    json!({
        "protocol": r.protocol,
        "from_port": r.from_port,
        "to_port": r.to_port,
        "ipv4_ranges": r.ipv4_ranges,
        "ipv6_ranges": r.ipv6_ranges,
        "prefix_list_ids": r.prefix_list_ids,
        "referenced_groups": r.referenced_groups,
    })
}
