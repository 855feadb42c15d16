use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{ConfigRecorder, Source};

pub static CHECK: Check = Check {
    id: "CFG-01",
    slug: "config-recording",
    title: "AWS Config records all resources in every scanned region",
    severity: Severity::Medium,
    sources: &[Source::ConfigRecorders],
    rationale: "The TOM promises regular audits and that changes go through a controlled process; AWS Config keeps the history of every resource's configuration, which audits and incident investigations rely on, and which Security Hub's controls evaluate.",
    remediation: "In each region: aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=arn:aws:iam::ACCOUNT:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig --recording-group allSupported=true,includeGlobalResourceTypes=true (global types in one region only), aws configservice put-delivery-channel with an S3 bucket, then aws configservice start-configuration-recorder --configuration-recorder-name default.",
    references: &["CIS AWS 3.3", "CIS AWS 3.5 (v1.4)", "Security Hub Config.1"],
    run,
    module: module_path!(),
};

/// Why this recorder does not record everything, if it does not.
fn shortfalls(r: &ConfigRecorder) -> Vec<&'static str> {
    let mut why = Vec::new();
    if !r.all_supported {
        why.push("records only selected resource types");
    }
    if !r.recording {
        why.push("is not recording");
    }
    why
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut regions = 0;
    for (region, facts) in cx.regions() {
        let Some(recorders) = cx.get(&facts.config_recorders, region) else {
            continue;
        };
        regions += 1;
        let arn = |name: &str| {
            let name = if name.is_empty() { "default" } else { name };
            inv.arn("config", region, &format!("configuration-recorder/{name}"))
        };
        let judged: Vec<_> = recorders
            .iter()
            .map(|r| json!({ "name": r.name, "all_supported": r.all_supported, "recording": r.recording, "include_global_resource_types": r.include_global_resource_types, "why_not": shortfalls(r) }))
            .collect();
        match recorders.iter().find(|r| shortfalls(r).is_empty()) {
            Some(r) => cx.pass(
                region,
                &arn(&r.name),
                "a configuration recorder records all supported resources",
                json!({ "recorder": r.name, "all_supported": true, "recording": true, "include_global_resource_types": r.include_global_resource_types }),
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
    if regions == 0 {
        cx.not_applicable(GLOBAL, "no regions were scanned");
    }
}
