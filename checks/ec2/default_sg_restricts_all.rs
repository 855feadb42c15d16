use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-13",
    slug: "default-sg-restricts-all",
    title: "Default security groups allow no traffic",
    severity: Severity::Medium,
    sources: &[Source::Ec2SecurityGroups],
    rationale: "The TOM promises that customers' systems are separated from each other. Every VPC's default security group lets its members talk to each other freely, and anything launched without a group lands in it: an empty default group forces every workload into a group chosen for it.",
    remediation: "Remove every rule of each default group: aws ec2 revoke-security-group-ingress --group-id SG --ip-permissions \"$(aws ec2 describe-security-groups --group-ids SG --query 'SecurityGroups[0].IpPermissions')\", and the same with revoke-security-group-egress and IpPermissionsEgress; move the members to purpose-made groups first.",
    references: &["CIS AWS 5.4", "Security Hub EC2.2"],
    run,
    module: module_path!(),
};

/// The inventory holds ingress rules only, so only they are judged.
const SCOPE: &str = "only inbound rules are judged: the inventory does not hold outbound rules";

fn run(cx: &mut Cx<'_>) {
    let mut groups = 0;
    for (region, facts) in cx.regions() {
        let Some(sgs) = cx.get(&facts.security_groups, region) else {
            continue;
        };
        for sg in sgs.iter().filter(|g| g.name == "default") {
            groups += 1;
            let arn = super::ec2_arn(cx.inv, region, "security-group", &sg.id);
            let ingress: Vec<_> = sg
                .ingress
                .iter()
                .map(|r| json!({ "protocol": r.protocol, "from_port": r.from_port, "to_port": r.to_port, "ipv4_ranges": r.ipv4_ranges, "ipv6_ranges": r.ipv6_ranges }))
                .collect();
            cx.verdict(
                sg.ingress.is_empty(),
                region,
                &arn,
                (
                    "the default group has no inbound rules",
                    &format!(
                        "the default group has {} inbound rule(s)",
                        sg.ingress.len()
                    ),
                ),
                json!({ "group_id": sg.id, "vpc_id": sg.vpc_id, "ingress": ingress, "scope": SCOPE }),
            );
        }
    }
    if groups == 0 {
        cx.not_applicable(GLOBAL, "no default security groups in the scanned regions");
    }
}
