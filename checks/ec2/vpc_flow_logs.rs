use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "EC2-07",
    slug: "vpc-flow-logs",
    title: "Every VPC has flow logs",
    severity: Severity::Medium,
    sources: &[Source::Ec2Vpcs, Source::Ec2FlowLogs],
    rationale: "The TOM promises that access and attempted access are logged. VPC flow logs record which addresses reached which systems on which ports, accepted or rejected: the network half of that record, and the evidence needed to reconstruct an intrusion.",
    remediation: "aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID --traffic-type ALL --log-destination-type cloud-watch-logs --log-group-name vpc-flow-logs --deliver-logs-permission-arn ROLE_ARN (or --log-destination-type s3 --log-destination arn:aws:s3:::BUCKET).",
    references: &["CIS AWS 3.9", "Security Hub EC2.6"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut vpcs = 0;
    for (region, facts) in cx.regions() {
        let Some(list) = cx.get(&facts.vpcs, region) else {
            continue;
        };
        if list.is_empty() {
            continue;
        }
        let Some(flow_logs) = cx.get(&facts.flow_logs, region) else {
            continue;
        };
        for vpc in list {
            vpcs += 1;
            let (active, inactive): (Vec<_>, Vec<_>) = flow_logs
                .iter()
                .filter(|f| f.resource_id == vpc.id)
                .map(|f| json!({ "id": f.id, "status": f.status, "traffic_type": f.traffic_type }))
                .partition(|f| matches!(f["status"].as_str(), Some("" | "ACTIVE")));
            let arn = super::ec2_arn(cx.inv, region, "vpc", &vpc.id);
            cx.verdict(
                !active.is_empty(),
                region,
                &arn,
                (
                    "the VPC has an active flow log",
                    if inactive.is_empty() {
                        "the VPC has no flow log"
                    } else {
                        "the VPC's flow logs are not active"
                    },
                ),
                json!({ "vpc_id": vpc.id, "is_default": vpc.is_default, "active_flow_logs": active, "inactive_flow_logs": inactive }),
            );
        }
    }
    if vpcs == 0 {
        cx.not_applicable(GLOBAL, "no VPCs in the scanned regions");
    }
}
