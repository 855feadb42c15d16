//! CloudWatch alarms and whom they notify.

use super::{action, regional};
use crate::aws::unavailable;
use crate::inventory::{Alarm, Unavailable};

regional! {
    CloudWatchAlarms => alarms: cloudwatch, alarms;
}

pub async fn alarms(client: &aws_sdk_cloudwatch::Client) -> Result<Vec<Alarm>, Unavailable> {
    let pages = client
        .describe_alarms()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable(action!(CloudWatchAlarms, DescribeAlarms), e))?;
    Ok(pages
        .iter()
        .flat_map(|p| p.metric_alarms())
        .map(|a| Alarm {
            name: a.alarm_name().unwrap_or_default().to_string(),
            arn: a.alarm_arn().unwrap_or_default().to_string(),
            namespace: a.namespace().map(str::to_string),
            metric_name: a.metric_name().map(str::to_string),
            actions_enabled: a.actions_enabled().unwrap_or(false),
            alarm_actions: a.alarm_actions().to_vec(),
        })
        .collect())
}
