use serde_json::json;

use super::trails::{Judged, Listed};
use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CT-01",
    slug: "multi-region-trail-logging",
    title: "A multi-region trail is logging all management events",
    severity: Severity::Critical,
    sources: &[Source::CloudTrailTrails],
    rationale: "The TOM promises that all access or attempted access is logged. Only a multi-region trail that is on and records read and write management events sees every API call, in every region, including the ones an intruder makes in a region nobody uses. A selector that leaves out KMS or the RDS Data API (ExcludeManagementEventSources, or an eventSource condition) drops key use and database calls from that record, so it does not count. In a member account, the organization trail counts when it is multi-region and logging; its selectors are the management account's to verify.",
    remediation: "aws cloudtrail create-trail --name org-trail --s3-bucket-name LOG_BUCKET --is-multi-region-trail --enable-log-file-validation, then aws cloudtrail start-logging --name org-trail; keep one event selector of all management events (ReadWriteType All, no ExcludeManagementEventSources; or an advanced selector on eventCategory Management with no eventSource condition).",
    references: &["CIS AWS 3.1", "Security Hub CloudTrail.1"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(listed) = Listed::read(cx) else {
        return;
    };
    let judged = Judged::new(listed.trails, &inv.account_id);
    // A multi-region trail covers every region, those that could not list it included.
    if let Some((trail, basis)) = judged.qualifying.first() {
        let mut evidence = basis.clone();
        if !listed.unlisted.is_empty() {
            evidence["regions_not_listed"] = json!(listed.unlisted.keys().collect::<Vec<_>>());
        }
        let how = if basis["organization_trail"] == true {
            " (the organization trail: its event selectors are the management account's)"
        } else {
            ""
        };
        cx.pass(
            &trail.home_region,
            &trail.arn,
            format!("multi-region trail is logging read and write management events{how}"),
            evidence,
        );
        return;
    }
    // No trail proved itself. One we could not read might have: say so, never pass.
    if judged.report_unknown(cx, &listed, "log all management events") {
        return;
    }
    let trails = listed.trails;
    cx.fail(
        GLOBAL,
        &inv.account_arn(),
        if trails.is_empty() {
            "the account has no CloudTrail trail".to_string()
        } else {
            format!(
                "none of the {} trail(s) is a logging multi-region trail of all management events ({})",
                trails.len(),
                judged
                    .rejected
                    .iter()
                    .map(|(t, why)| format!("{}: {}", t.name, why.join("; ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        },
        json!({ "trails": judged.rejected_evidence() }),
    );
}
