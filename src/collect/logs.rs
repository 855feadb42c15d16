//! CloudWatch Logs metric filters (what the CIS alarms watch).

use super::{action, paged, regional};
use crate::inventory::{MetricFilter, Unavailable};

regional! {
    LogMetricFilters => metric_filters: logs, metric_filters;
}

pub async fn metric_filters(
    client: &aws_sdk_cloudwatchlogs::Client,
) -> Result<Vec<MetricFilter>, Unavailable> {
    let list = paged(
        action!(LogMetricFilters, DescribeMetricFilters),
        client
            .describe_metric_filters()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|f| MetricFilter {
            name: f.filter_name().unwrap_or_default().to_string(),
            log_group: f.log_group_name().unwrap_or_default().to_string(),
            pattern: f.filter_pattern().unwrap_or_default().to_string(),
            metrics: f
                .metric_transformations()
                .iter()
                .map(|m| {
                    (
                        m.metric_namespace().to_string(),
                        m.metric_name().to_string(),
                    )
                })
                .collect(),
        })
        .collect())
}
