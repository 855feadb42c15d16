//! Auto Scaling groups (measure 8: spread over Availability Zones).

use super::{action, paged, regional};
use crate::inventory::{AutoScalingGroup, Unavailable};

regional! {
    AutoScalingGroups => auto_scaling_groups: autoscaling, auto_scaling_groups;
}

pub async fn auto_scaling_groups(
    client: &aws_sdk_autoscaling::Client,
) -> Result<Vec<AutoScalingGroup>, Unavailable> {
    let list = paged(
        action!(AutoScalingGroups, DescribeAutoScalingGroups),
        client
            .describe_auto_scaling_groups()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|g| AutoScalingGroup {
            name: g.auto_scaling_group_name().unwrap_or_default().to_string(),
            arn: g.auto_scaling_group_arn().unwrap_or_default().to_string(),
            availability_zones: g.availability_zones().to_vec(),
            desired_capacity: g.desired_capacity().unwrap_or(0),
            instances: g
                .instances()
                .iter()
                .filter_map(|i| i.instance_id().map(str::to_string))
                .collect(),
            tags: g
                .tags()
                .iter()
                .filter_map(|t| {
                    Some((
                        t.key()?.to_string(),
                        t.value().unwrap_or_default().to_string(),
                    ))
                })
                .collect(),
        })
        .collect())
}
