use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "AA-01",
    slug: "access-analyzer-enabled",
    title: "IAM Access Analyzer is active in every scanned region",
    severity: Severity::Medium,
    sources: &[Source::AccessAnalyzers],
    rationale: "The TOM promises access strictly limited to what each person needs; an external access analyzer finds the buckets, keys, roles, snapshots and queues that a policy shares outside the account or organisation, but only in the regions where it runs.",
    remediation: "In each region: aws accessanalyzer create-analyzer --analyzer-name external-access --type ACCOUNT (or --type ORGANIZATION from the organisation's management or delegated administrator account). Unused-access analyzers do not count: they find no external sharing.",
    references: &["CIS AWS 1.20", "Security Hub IAM.28"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut regions = 0;
    for (region, facts) in cx.regions() {
        let Some(analyzers) = cx.get(&facts.access_analyzers, region) else {
            continue;
        };
        regions += 1;
        let listed: Vec<_> = analyzers
            .iter()
            .map(|a| json!({ "name": a.name, "kind": a.kind, "status": a.status }))
            .collect();
        let active = analyzers.iter().find(|a| a.finds_external_access());
        match active {
            Some(a) => {
                let arn = if a.arn.is_empty() {
                    inv.arn("access-analyzer", region, &format!("analyzer/{}", a.name))
                } else {
                    a.arn.clone()
                };
                cx.pass(
                    region,
                    &arn,
                    format!("{} analyzer {} is active", a.kind, a.name),
                    json!({ "analyzer": a.name, "kind": a.kind, "status": a.status }),
                );
            }
            None => cx.fail(
                region,
                &inv.arn("access-analyzer", region, "analyzer"),
                if analyzers.is_empty() {
                    "the region has no IAM Access Analyzer"
                } else {
                    "no external-access analyzer of the region is active"
                },
                json!({ "analyzers": listed }),
            ),
        }
    }
    if regions == 0 {
        cx.not_applicable(GLOBAL, "no regions were scanned");
    }
}
