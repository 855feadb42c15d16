use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "ASG-01",
    slug: "multi-az",
    title: "Auto Scaling groups span at least two Availability Zones",
    severity: Severity::Medium,
    sources: &[Source::AutoScalingGroups],
    rationale: "The TOM promises that Availability Zones keep customer data available. An Auto Scaling group confined to one zone replaces failed instances only inside it, so the workload goes down with that zone.",
    remediation: "aws autoscaling update-auto-scaling-group --auto-scaling-group-name GROUP --vpc-zone-identifier \"SUBNET_A,SUBNET_B\" (subnets in at least two Availability Zones).",
    references: &["Security Hub AutoScaling.2"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (region, group) in cx.regional_items(
        |f| &f.auto_scaling_groups,
        "no Auto Scaling groups in the scanned regions",
    ) {
        let zones = group.availability_zones.len();
        cx.verdict(
            zones >= 2,
            region,
            &group.arn,
            (
                &format!("the group spans {zones} zones"),
                &format!("the group is in {zones} zone(s) only"),
            ),
            json!({ "group": group.name, "availability_zones": group.availability_zones, "desired_capacity": group.desired_capacity }),
        );
    }
}
