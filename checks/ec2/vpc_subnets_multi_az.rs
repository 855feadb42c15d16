use std::collections::BTreeSet;

use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-02",
    slug: "vpc-subnets-multi-az",
    title: "Every VPC that holds workloads has subnets in at least two Availability Zones",
    severity: Severity::Medium,
    sources: &[Source::Ec2Instances, Source::Ec2Subnets],
    rationale: "Without subnets in a second zone a workload has nowhere to fail over to, whatever its Auto Scaling group says.",
    remediation: "Create a subnet in a second (better: third) Availability Zone of the VPC, with the same routing as the existing ones, and add it to the workload's Auto Scaling groups and load balancers.",
    references: &["AWS Well-Architected REL10-BP01"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut vpcs = 0;
    for (region, facts) in cx.regions() {
        let Some(instances) = cx.get(&facts.instances, region) else {
            continue;
        };
        let busy = super::running_by_vpc(instances);
        if busy.is_empty() {
            continue;
        }
        let Some(subnets) = cx.get(&facts.subnets, region) else {
            continue;
        };
        for vpc in busy.keys() {
            vpcs += 1;
            let zones: BTreeSet<&str> = subnets
                .iter()
                .filter(|s| s.vpc_id == *vpc)
                .map(|s| s.availability_zone.as_str())
                .collect();
            let arn = cx.inv.arn("ec2", region, &format!("vpc/{vpc}"));
            cx.verdict(
                zones.len() >= 2,
                region,
                &arn,
                (
                    &format!("the VPC has subnets in {} zones", zones.len()),
                    &format!("the VPC has subnets in {} zone(s) only", zones.len()),
                ),
                json!({ "vpc_id": vpc, "subnet_zones": zones }),
            );
        }
    }
    if vpcs == 0 {
        cx.not_applicable(
            GLOBAL,
            "no VPC in the scanned regions holds running instances",
        );
    }
}
