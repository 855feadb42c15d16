use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};

pub static CHECK: Check = Check {
    id: "ELB-03",
    slug: "load-balancer-multi-az",
    title: "Load balancers span at least two Availability Zones",
    severity: Severity::Medium,
    sources: super::SOURCES,
    rationale: "The TOM promises that Availability Zones keep customer data available. A load balancer with nodes in a single zone goes down with that zone, however many zones the targets behind it run in.",
    remediation: "aws elbv2 set-subnets --load-balancer-arn LB --subnets SUBNET_A SUBNET_B (one subnet in each of at least two Availability Zones), and register targets in each zone; for a Classic Load Balancer, aws elb attach-load-balancer-to-subnets (or enable-availability-zones-for-load-balancer).",
    references: &["Security Hub ELB.10", "Security Hub ELB.13"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let all = super::load_balancers(cx);
    if all.is_empty() {
        cx.not_applicable(GLOBAL, "no load balancers in the scanned regions");
    }
    for b in all {
        let lb = b.lb;
        let zones = lb.availability_zones.len();
        cx.verdict(
            zones >= 2,
            b.region,
            &b.arn,
            (
                &format!("the load balancer spans {zones} zones"),
                &format!("the load balancer is in {zones} zone(s) only"),
            ),
            json!({ "load_balancer": lb.name, "type": lb.kind, "availability_zones": lb.availability_zones }),
        );
    }
}
