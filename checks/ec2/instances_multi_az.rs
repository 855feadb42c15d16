use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-01",
    slug: "instances-multi-az",
    title: "Running instances of each VPC span at least two Availability Zones",
    severity: Severity::High,
    sources: &[Source::Ec2Instances],
    rationale: "The TOM promises that Availability Zones keep customer data available; a workload whose instances all sit in one zone goes down with that zone.",
    remediation: "Run the workload in an Auto Scaling group (or behind a load balancer) whose subnets are in at least two Availability Zones, with instances in each.",
    references: &[
        "Security Hub AutoScaling.2",
        "AWS Well-Architected REL10-BP01",
    ],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut vpcs = 0;
    for (region, facts) in cx.regions() {
        let Some(instances) = cx.get(&facts.instances, region) else {
            continue;
        };
        for (vpc, (ids, zones)) in super::running_by_vpc(instances) {
            vpcs += 1;
            let arn = cx.inv.arn("ec2", region, &format!("vpc/{vpc}"));
            cx.verdict(
                zones.len() >= 2,
                region,
                &arn,
                (
                    &format!("running instances span {} zones", zones.len()),
                    &format!("all {} running instance(s) are in one zone", ids.len()),
                ),
                json!({ "vpc_id": vpc, "availability_zones": zones, "running_instances": ids }),
            );
        }
    }
    if vpcs == 0 {
        cx.not_applicable(GLOBAL, "no running instances in the scanned regions");
    }
}
