use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "SH-02",
    slug: "securityhub-standards",
    title: "Security Hub runs at least one security standard",
    severity: Severity::Medium,
    sources: &[Source::SecurityHub],
    rationale: "The TOM promises regular audits of security practices; a hub without an enabled standard runs no controls, so it audits nothing and only relays other services' findings.",
    remediation: "aws securityhub batch-enable-standards --standards-subscription-requests StandardsArn=arn:aws:securityhub:REGION::standards/aws-foundational-security-best-practices/v/1.0.0 (and/or StandardsArn=arn:aws:securityhub:REGION::standards/cis-aws-foundations-benchmark/v/3.0.0), in every region with a hub.",
    references: &["CIS AWS 4.16", "AWS Security Hub standards"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let mut hubs = 0;
    for (region, facts) in cx.regions() {
        let Some(hub) = cx.get(&facts.security_hub, region) else {
            continue;
        };
        // A region without a hub is SH-01's finding.
        let Some(hub) = hub else {
            continue;
        };
        hubs += 1;
        let arn = super::hub_arn(cx, region, Some(&hub.arn));
        let Some(standards) = cx.get_for(&hub.standards, region, &arn) else {
            continue;
        };
        cx.verdict(
            !standards.is_empty(),
            region,
            &arn,
            (
                &format!("{} security standard(s) enabled", standards.len()),
                "Security Hub is enabled but runs no security standard",
            ),
            json!({ "standards": standards }),
        );
    }
    if hubs == 0 {
        cx.not_applicable(GLOBAL, "Security Hub is not enabled in any scanned region");
    }
}
