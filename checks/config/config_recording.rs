use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{ConfigRecorder, Source};

pub static CHECK: Check = Check {
    id: "CFG-01",
    slug: "config-recording",
    title: "AWS Config records all resources in every scanned region, and IAM in one",
    severity: Severity::Medium,
    sources: &[Source::ConfigRecorders],
    rationale: "The TOM promises regular audits and that changes go through a controlled process; AWS Config keeps the history of every resource's configuration, which audits and incident investigations rely on, and which Security Hub's controls evaluate. A recorder whose last attempt failed records nothing, and the global resource types (IAM) are recorded only where a recorder includes them, which one region must.",
    remediation: "In each region: aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=arn:aws:iam::ACCOUNT:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig --recording-group allSupported=true,includeGlobalResourceTypes=true (global types in one region only), aws configservice put-delivery-channel with an S3 bucket, then aws configservice start-configuration-recorder --configuration-recorder-name default.",
    references: &["CIS AWS 3.3", "CIS AWS 3.5 (v1.4)", "Security Hub Config.1"],
    run,
    module: module_path!(),
};

/// Why this recorder does not record everything, if it does not.
fn shortfalls(r: &ConfigRecorder) -> Vec<String> {
    let mut why = Vec::new();
    if !r.all_supported {
        why.push("records only selected resource types".to_string());
    }
    if !r.recording {
        why.push("is not recording".to_string());
    }
    if failed(r) {
        why.push(format!(
            "failed its last attempt ({}: {}), so records nothing",
            r.last_error_code.as_deref().unwrap_or("no error code"),
            r.last_error_message.as_deref().unwrap_or("no message")
        ));
    }
    why
}

/// A recorder whose last status is `FAILURE` records nothing until the cause is fixed,
/// whatever its `recording` flag says.
fn failed(r: &ConfigRecorder) -> bool {
    r.last_status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("failure"))
}

/// Whether the recorder records the global resource types (IAM users, groups, roles,
/// policies), which need recording in one region only.
fn records_global(r: &ConfigRecorder) -> bool {
    r.recording
        && !failed(r)
        && ((r.all_supported && r.include_global_resource_types)
            || r.resource_types.iter().any(|t| t.starts_with("AWS::IAM::")))
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut regions = Vec::new();
    let mut global_in = Vec::new();
    let mut unread = Vec::new();
    let mut working = 0;
    for (region, facts) in cx.regions() {
        let Some(recorders) = cx.get(&facts.config_recorders, region) else {
            unread.push(region);
            continue;
        };
        regions.push(region);
        if recorders.iter().any(|r| shortfalls(r).is_empty()) {
            working += 1;
        }
        if recorders.iter().any(records_global) {
            global_in.push(region);
        }
        let arn = |name: &str| {
            let name = if name.is_empty() { "default" } else { name };
            inv.arn("config", region, &format!("configuration-recorder/{name}"))
        };
        let judged: Vec<_> = recorders
            .iter()
            .map(|r| json!({ "name": r.name, "all_supported": r.all_supported, "recording": r.recording, "last_status": r.last_status, "last_error_code": r.last_error_code, "last_error_message": r.last_error_message, "include_global_resource_types": r.include_global_resource_types, "resource_types": r.resource_types, "why_not": shortfalls(r) }))
            .collect();
        match recorders.iter().find(|r| shortfalls(r).is_empty()) {
            Some(r) => cx.pass(
                region,
                &arn(&r.name),
                "a configuration recorder records all supported resources",
                json!({ "recorder": r.name, "all_supported": true, "recording": true, "last_status": r.last_status, "include_global_resource_types": r.include_global_resource_types }),
            ),
            None => {
                let first = recorders.first();
                let message = match first {
                    None => "the region has no AWS Config configuration recorder".to_string(),
                    Some(r) => format!("the configuration recorder {}", shortfalls(r).join(" and ")),
                };
                cx.fail(
                    region,
                    &arn(first.map_or("", |r| r.name.as_str())),
                    message,
                    json!({ "recorders": judged }),
                );
            }
        }
    }
    if regions.is_empty() {
        cx.not_applicable(GLOBAL, "no regions were scanned");
        return;
    }
    // IAM is global: one region recording it is enough, none leaves every change to
    // users, roles and policies without a configuration history. Where no recorder works
    // at all, the regions' failures already say so.
    if working == 0 && global_in.is_empty() {
        return;
    }
    let account = inv.account_arn();
    let evidence = json!({ "regions_read": regions, "regions_unread": unread, "recording_global_types_in": global_in });
    if global_in.is_empty() && !unread.is_empty() {
        cx.error(
            GLOBAL,
            &account,
            format!(
                "could not be evaluated: no readable region records the global resource types (IAM), and the recorders of {} could not be read",
                unread.join(", ")
            ),
            evidence,
        );
    } else if global_in.is_empty() {
        cx.fail(
            GLOBAL,
            &account,
            format!(
                "no working recorder in the scanned regions ({}) records the global resource types (IAM users, groups, roles, policies); a recorder in a region the scan was not pointed at would not show here",
                regions.join(", ")
            ),
            evidence,
        );
    } else {
        cx.pass(
            GLOBAL,
            &account,
            format!(
                "the global resource types (IAM) are recorded in {}",
                global_in.join(", ")
            ),
            evidence,
        );
    }
}
