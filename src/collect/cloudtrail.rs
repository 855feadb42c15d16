use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;

use super::when;
use crate::aws::{Aws, unavailable};
use crate::inventory::{
    AdvancedSelector, CloudTrail, DataResource, EventSelector, Source, Trail, TrailSelectors,
    TrailStatus, Unavailable,
};

pub async fn collect(aws: &Aws, regions: &[String], sources: &BTreeSet<Source>) -> CloudTrail {
    CloudTrail {
        trails: when(sources, Source::CloudTrailTrails, trails(aws, regions)).await,
    }
}

/// Each region lists its own trails and the multi-region trails of others; the same
/// trail is kept once, and its status and selectors are read in its home region (the
/// only place some endpoints answer for it).
async fn trails(aws: &Aws, regions: &[String]) -> Result<Vec<Trail>, Unavailable> {
    let listed = join_all(regions.iter().map(|region| async move {
        aws.cloudtrail(region)
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| unavailable("cloudtrail:DescribeTrails", e))
    }))
    .await;
    let mut by_arn = BTreeMap::new();
    for out in listed {
        for t in out?.trail_list() {
            let arn = t.trail_arn().unwrap_or_default().to_string();
            by_arn.entry(arn).or_insert_with(|| t.clone());
        }
    }
    let trails = join_all(by_arn.into_iter().map(|(arn, t)| async move {
        let home = t.home_region().unwrap_or(aws.home_region()).to_string();
        let client = aws.cloudtrail(&home);
        let (status, selectors) = tokio::join!(status(&client, &arn), selectors(&client, &arn));
        Trail {
            name: t.name().unwrap_or_default().to_string(),
            arn,
            home_region: home,
            multi_region: t.is_multi_region_trail().unwrap_or(false),
            organization_trail: t.is_organization_trail().unwrap_or(false),
            log_file_validation: t.log_file_validation_enabled().unwrap_or(false),
            s3_bucket: t.s3_bucket_name().map(str::to_string),
            kms_key_id: t.kms_key_id().map(str::to_string),
            cloudwatch_logs_log_group_arn: t.cloud_watch_logs_log_group_arn().map(str::to_string),
            status: status.into(),
            selectors: selectors.into(),
        }
    }))
    .await;
    Ok(trails)
}

async fn status(
    client: &aws_sdk_cloudtrail::Client,
    arn: &str,
) -> Result<TrailStatus, Unavailable> {
    let out = client
        .get_trail_status()
        .name(arn)
        .send()
        .await
        .map_err(|e| unavailable("cloudtrail:GetTrailStatus", e))?;
    Ok(TrailStatus {
        is_logging: out.is_logging().unwrap_or(false),
        latest_delivery_error: out.latest_delivery_error().map(str::to_string),
    })
}

async fn selectors(
    client: &aws_sdk_cloudtrail::Client,
    arn: &str,
) -> Result<TrailSelectors, Unavailable> {
    let out = client
        .get_event_selectors()
        .trail_name(arn)
        .send()
        .await
        .map_err(|e| unavailable("cloudtrail:GetEventSelectors", e))?;
    let mut selectors = TrailSelectors {
        basic: out
            .event_selectors()
            .iter()
            .map(|s| EventSelector {
                read_write_type: s
                    .read_write_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_else(|| "All".into()),
                include_management_events: s.include_management_events().unwrap_or(true),
                data_resources: s
                    .data_resources()
                    .iter()
                    .map(|d| DataResource {
                        resource_type: d.r#type().unwrap_or_default().to_string(),
                        values: d.values().to_vec(),
                    })
                    .collect(),
            })
            .collect(),
        advanced: out
            .advanced_event_selectors()
            .iter()
            .map(|s| AdvancedSelector {
                name: s.name().map(str::to_string),
                equals: s
                    .field_selectors()
                    .iter()
                    .map(|f| (f.field().to_string(), f.equals().to_vec()))
                    .collect(),
            })
            .collect(),
    };
    // A trail without explicit selectors logs all read and write management events; AWS
    // reports that default as a selector, some emulators as nothing at all.
    if selectors.basic.is_empty() && selectors.advanced.is_empty() {
        selectors.basic.push(EventSelector {
            read_write_type: "All".into(),
            include_management_events: true,
            data_resources: Vec::new(),
        });
    }
    Ok(selectors)
}
