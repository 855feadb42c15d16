use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;

use super::action;
use crate::aws::{Aws, unavailable};
use crate::inventory::{
    AdvancedSelector, CloudTrail, Collected, DataResource, EventSelector, FieldSelector, Source,
    Trail, TrailSelectors, TrailStatus, Unavailable,
};

pub async fn collect(aws: &Aws, regions: &[String], sources: &BTreeSet<Source>) -> CloudTrail {
    if !sources.contains(&Source::CloudTrailTrails) {
        return CloudTrail::default();
    }
    // One collection, in one turn: a listing per region, then each trail's settings.
    aws.in_turn(|| trails(|region| aws.cloudtrail(region), regions, aws.home_region()))
        .await
}

/// Each region lists its own trails and the multi-region trails of others; the same
/// trail is kept once, and its status and selectors are read in its home region (the
/// only place some endpoints answer for it). A region that cannot list its trails is
/// recorded as such: the others' trails stay known.
pub async fn trails<F>(client: F, regions: &[String], home_region: &str) -> CloudTrail
where
    F: Fn(&str) -> aws_sdk_cloudtrail::Client,
{
    let listed = join_all(regions.iter().map(|region| {
        let client = client(region);
        async move {
            let out = client
                .describe_trails()
                .include_shadow_trails(true)
                .send()
                .await
                .map_err(|e| unavailable(action!(CloudTrailTrails, DescribeTrails), e));
            (region.clone(), out)
        }
    }))
    .await;
    let mut by_arn = BTreeMap::new();
    let mut unlisted = BTreeMap::new();
    let mut answered = false;
    for (region, out) in listed {
        match out {
            Ok(out) => {
                answered = true;
                for t in out.trail_list() {
                    let arn = t.trail_arn().unwrap_or_default().to_string();
                    by_arn.entry(arn).or_insert_with(|| t.clone());
                }
            }
            Err(u) => {
                unlisted.insert(region, u);
            }
        }
    }
    if !answered {
        // No region answered: nothing is known, not even "no trails".
        let trails = match unlisted.values().next() {
            Some(u) => Collected::Unavailable(u.clone()),
            None => Collected::Ok(Vec::new()),
        };
        return CloudTrail {
            trails,
            unlisted_regions: unlisted,
        };
    }
    let trails = join_all(by_arn.into_iter().map(|(arn, t)| {
        let home = t.home_region().unwrap_or(home_region).to_string();
        let client = client(&home);
        async move {
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
                cloudwatch_logs_log_group_arn: t
                    .cloud_watch_logs_log_group_arn()
                    .map(str::to_string),
                status: status.into(),
                selectors: selectors.into(),
            }
        }
    }))
    .await;
    CloudTrail {
        trails: Collected::Ok(trails),
        unlisted_regions: unlisted,
    }
}

/// By ARN, which also answers for an organization trail seen from a member account.
async fn status(
    client: &aws_sdk_cloudtrail::Client,
    arn: &str,
) -> Result<TrailStatus, Unavailable> {
    let out = client
        .get_trail_status()
        .name(arn)
        .send()
        .await
        .map_err(|e| unavailable(action!(CloudTrailTrails, GetTrailStatus), e))?;
    Ok(TrailStatus {
        is_logging: out.is_logging().unwrap_or(false),
        latest_delivery_error: out.latest_delivery_error().map(str::to_string),
        latest_cloudwatch_logs_delivery_time: out
            .latest_cloud_watch_logs_delivery_time()
            .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())),
        latest_cloudwatch_logs_delivery_error: out
            .latest_cloud_watch_logs_delivery_error()
            .map(str::to_string),
    })
}

/// The selectors as AWS states them. An empty answer stays empty: AWS always reports a
/// trail's selectors, its default one included, so nothing means nothing is logged.
async fn selectors(
    client: &aws_sdk_cloudtrail::Client,
    arn: &str,
) -> Result<TrailSelectors, Unavailable> {
    let out = client
        .get_event_selectors()
        .trail_name(arn)
        .send()
        .await
        .map_err(|e| unavailable(action!(CloudTrailTrails, GetEventSelectors), e))?;
    Ok(TrailSelectors {
        basic: out
            .event_selectors()
            .iter()
            .map(|s| EventSelector {
                read_write_type: s
                    .read_write_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_else(|| "All".into()),
                include_management_events: s.include_management_events().unwrap_or(true),
                exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
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
                fields: s
                    .field_selectors()
                    .iter()
                    .map(|f| FieldSelector {
                        field: f.field().to_string(),
                        equals: f.equals().to_vec(),
                        not_equals: f.not_equals().to_vec(),
                        starts_with: f.starts_with().to_vec(),
                        not_starts_with: f.not_starts_with().to_vec(),
                        ends_with: f.ends_with().to_vec(),
                        not_ends_with: f.not_ends_with().to_vec(),
                    })
                    .collect(),
            })
            .collect(),
    })
}
