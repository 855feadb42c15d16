use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-14",
    slug: "no-workloads-in-default-vpc",
    title: "No workloads run in the default VPC",
    severity: Severity::Medium,
    sources: &[Source::Ec2Vpcs, Source::Ec2Instances],
    rationale: "The TOM promises that customers' systems are separated from each other. The default VPC is one flat network with public subnets that every account starts with; workloads placed there share it with whatever else lands there by default, instead of a network laid out for separation.",
    remediation: "Move the instances to a purpose-built VPC (create an AMI, launch it in the new VPC's private subnets, cut over, terminate the old instance), then delete the default VPC: aws ec2 delete-vpc --vpc-id VPC (after removing its subnets, internet gateway and default security group rules).",
    references: &["AWS Well-Architected SEC05-BP01"],
    run,
    module: module_path!(),
};

/// Instance states that still belong to a workload (not terminated or shutting down).
const LIVE_STATES: [&str; 4] = ["pending", "running", "stopping", "stopped"];

fn run(cx: &mut Cx<'_>) {
    let mut default_vpcs = 0;
    for (region, facts) in cx.regions() {
        let Some(vpcs) = cx.get(&facts.vpcs, region) else {
            continue;
        };
        let defaults: Vec<_> = vpcs.iter().filter(|v| v.is_default).collect();
        if defaults.is_empty() {
            continue;
        }
        let Some(instances) = cx.get(&facts.instances, region) else {
            continue;
        };
        for vpc in defaults {
            default_vpcs += 1;
            let inside: Vec<&str> = instances
                .iter()
                .filter(|i| {
                    i.vpc_id.as_deref() == Some(vpc.id.as_str())
                        && LIVE_STATES.contains(&i.state.as_str())
                })
                .map(|i| i.id.as_str())
                .collect();
            let arn = super::ec2_arn(cx.inv, region, "vpc", &vpc.id);
            cx.verdict(
                inside.is_empty(),
                region,
                &arn,
                (
                    "no instances run in the default VPC",
                    &format!("{} instance(s) run in the default VPC", inside.len()),
                ),
                json!({ "vpc_id": vpc.id, "is_default": true, "instances": inside }),
            );
        }
    }
    if default_vpcs == 0 {
        cx.not_applicable(GLOBAL, "no default VPC in the scanned regions");
    }
}
