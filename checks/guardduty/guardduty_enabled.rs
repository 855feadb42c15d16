use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{DetectorStatus, Source};

pub static CHECK: Check = Check {
    id: "GD-01",
    slug: "guardduty-enabled",
    title: "GuardDuty is enabled in every scanned region",
    severity: Severity::High,
    sources: &[Source::GuardDutyDetectors],
    rationale: "The TOM promises that incidents are detected and handled; GuardDuty watches CloudTrail, VPC flow and DNS logs for compromised credentials, crypto-mining and data exfiltration, but only in the regions where it is enabled, and intruders like the regions nobody watches.",
    remediation: "In each region: aws guardduty create-detector --enable --finding-publishing-frequency FIFTEEN_MINUTES (or aws guardduty update-detector --detector-id ID --enable for a disabled one); with AWS Organizations, delegate a GuardDuty administrator and auto-enable it for all accounts and regions.",
    references: &["Security Hub GuardDuty.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut regions = 0;
    for (region, facts) in cx.regions() {
        let Some(detectors) = cx.get(&facts.guardduty_detectors, region) else {
            continue;
        };
        regions += 1;
        let evidence = json!({ "detectors": detectors.iter().map(|d| json!({ "id": d.id, "status": d.status })).collect::<Vec<_>>() });
        let detector_arn = |id: &str| {
            if id.is_empty() {
                inv.arn("guardduty", region, "detector")
            } else {
                inv.arn("guardduty", region, &format!("detector/{id}"))
            }
        };
        match detectors
            .iter()
            .find(|d| d.status == DetectorStatus::Enabled)
        {
            Some(d) => cx.pass(
                region,
                &detector_arn(&d.id),
                "GuardDuty is enabled",
                evidence,
            ),
            None => {
                let id = detectors.first().map_or("", |d| d.id.as_str());
                cx.fail(
                    region,
                    &detector_arn(id),
                    if detectors.is_empty() {
                        "GuardDuty has no detector in the region"
                    } else {
                        "the region's GuardDuty detector is disabled"
                    },
                    evidence,
                );
            }
        }
    }
    if regions == 0 {
        cx.not_applicable(GLOBAL, "no regions were scanned");
    }
}
