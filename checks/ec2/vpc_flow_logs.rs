use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{DeliveryStatus, FlowLog, FlowLogStatus, Source, TrafficType};

pub static CHECK: Check = Check {
    id: "EC2-07",
    slug: "vpc-flow-logs",
    title: "Every VPC has an active flow log of rejected traffic",
    severity: Severity::Medium,
    sources: &[Source::Ec2Vpcs, Source::Ec2FlowLogs],
    rationale: "The TOM promises that access and attempted access are logged. VPC flow logs record which addresses reached which systems on which ports, accepted or rejected: the network half of that record, and the evidence needed to reconstruct an intrusion. The rejected packets are the attempts, so a flow log counts only when it is ACTIVE, its delivery has not FAILED, and it records ALL or REJECT traffic.",
    remediation: "aws ec2 create-flow-logs --resource-type VPC --resource-ids VPC_ID --traffic-type ALL --log-destination-type cloud-watch-logs --log-group-name vpc-flow-logs --deliver-logs-permission-arn ROLE_ARN (or --log-destination-type s3 --log-destination arn:aws:s3:::BUCKET).",
    references: &["CIS AWS 3.9", "Security Hub EC2.6"],
    run,
    module: module_path!(),
};

/// Why a flow log does not record attempted access (`None`: it does). Only `ACTIVE` is
/// known to record, and only a delivery that has not `FAILED` reaches its destination;
/// the rejected packets are the attempts, so `ACCEPT` alone is not enough.
fn shortfall(f: &FlowLog) -> Option<String> {
    if f.status != FlowLogStatus::Active {
        return Some(match f.status.as_str() {
            "" => "its status is unknown (empty), not ACTIVE".to_string(),
            other => format!("its status is {other}, not ACTIVE"),
        });
    }
    if f.deliver_logs_status == Some(DeliveryStatus::Failed) {
        return Some(format!(
            "its delivery FAILED ({}): the records never reach the destination",
            f.deliver_logs_error.as_deref().unwrap_or("no reason given")
        ));
    }
    match &f.traffic_type {
        TrafficType::All | TrafficType::Reject => None,
        TrafficType::Accept => {
            Some("it records only ACCEPTed traffic, not the rejected attempts".into())
        }
        TrafficType::Other(other) => Some(format!(
            "it records traffic type {other:?}, not ALL or REJECT"
        )),
    }
}

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
            let (recording, other): (Vec<_>, Vec<_>) = flow_logs
                .iter()
                .filter(|f| f.resource_id == vpc.id)
                .map(|f| {
                    let why_not = shortfall(f);
                    let mut e = json!({ "id": f.id, "status": f.status, "traffic_type": f.traffic_type, "why_not": why_not });
                    if let Some(delivery) = &f.deliver_logs_status {
                        e["deliver_logs_status"] = json!(delivery);
                        e["deliver_logs_error"] = json!(f.deliver_logs_error);
                    }
                    e
                })
                .partition(|f| f["why_not"].is_null());
            let message = match other.first() {
                _ if !recording.is_empty() => {
                    "the VPC has an active flow log that records rejected traffic".to_string()
                }
                None => "the VPC has no flow log".to_string(),
                Some(f) => format!(
                    "no flow log of the VPC records rejected traffic while active: {}",
                    f["why_not"].as_str().unwrap_or_default()
                ),
            };
            let arn = super::ec2_arn(cx.inv, region, "vpc", &vpc.id);
            let evidence = json!({ "vpc_id": vpc.id, "is_default": vpc.is_default, "recording_flow_logs": recording, "other_flow_logs": other });
            if recording.is_empty() {
                cx.fail(region, &arn, message, evidence);
            } else {
                cx.pass(region, &arn, message, evidence);
            }
        }
    }
    if vpcs == 0 {
        cx.not_applicable(GLOBAL, "no VPCs in the scanned regions");
    }
}
