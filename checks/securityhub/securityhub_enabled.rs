use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "SH-01",
    slug: "securityhub-enabled",
    title: "Security Hub is enabled in every scanned region",
    severity: Severity::Medium,
    sources: &[Source::SecurityHub],
    rationale: "The TOM promises regular audits of security practices and incident handling; Security Hub continuously checks the account against security standards and gathers GuardDuty, Inspector and Access Analyzer findings in one place, region by region.",
    remediation: "In each region: aws securityhub enable-security-hub --enable-default-standards (AWS Config must record in the region for its controls to work); with AWS Organizations, delegate a Security Hub administrator and use central configuration for all accounts and regions.",
    references: &["CIS AWS 4.16"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut regions = 0;
    for (region, facts) in cx.regions() {
        let Some(hub) = cx.get(&facts.security_hub, region) else {
            continue;
        };
        regions += 1;
        let arn = super::hub_arn(cx, region, hub.as_ref().map(|h| h.arn.as_str()));
        match hub {
            Some(h) => cx.pass(
                region,
                &arn,
                "Security Hub is enabled",
                json!({ "enabled": true, "standards": h.standards }),
            ),
            None => cx.fail(
                region,
                &arn,
                "Security Hub is not enabled in the region",
                json!({ "enabled": false }),
            ),
        }
    }
    if regions == 0 {
        cx.not_applicable(GLOBAL, "no regions were scanned");
    }
}
