use serde_json::json;

use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "ELB-03",
    slug: "load-balancer-multi-az",
    title: "Load balancers span at least two Availability Zones",
    severity: Severity::Medium,
    sources: &[Source::LoadBalancers],
    rationale: "The TOM promises that Availability Zones keep customer data available. A load balancer with nodes in a single zone goes down with that zone, however many zones the targets behind it run in.",
    remediation: "aws elbv2 set-subnets --load-balancer-arn LB --subnets SUBNET_A SUBNET_B (one subnet in each of at least two Availability Zones), and register targets in each zone.",
    references: &["Security Hub ELB.10", "Security Hub ELB.13"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    for (region, lb) in cx.regional_items(
        |f| &f.load_balancers,
        "no load balancers in the scanned regions",
    ) {
        let zones = lb.availability_zones.len();
        cx.verdict(
            zones >= 2,
            region,
            &lb.arn,
            (
                &format!("the load balancer spans {zones} zones"),
                &format!("the load balancer is in {zones} zone(s) only"),
            ),
            json!({ "load_balancer": lb.name, "type": lb.kind, "availability_zones": lb.availability_zones }),
        );
    }
}
