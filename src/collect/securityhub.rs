//! Security Hub: whether it is on in the region, and its enabled standards.

use super::{action, regional};
use crate::aws::unavailable;
use aws_sdk_securityhub::error::ProvideErrorMetadata;

use crate::inventory::{SecurityHub, Unavailable};

regional! {
    SecurityHub => security_hub: securityhub, security_hub;
}

pub async fn security_hub(
    client: &aws_sdk_securityhub::Client,
) -> Result<Option<SecurityHub>, Unavailable> {
    let hub = match client.describe_hub().send().await {
        Ok(hub) => hub,
        // "not subscribed to AWS Security Hub": the fact that it is off.
        Err(e) if e.code() == Some("InvalidAccessException") => return Ok(None),
        Err(e) => return Err(unavailable(action!(SecurityHub, DescribeHub), e)),
    };
    let standards = client
        .get_enabled_standards()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|list| {
            list.iter()
                .filter_map(|s| s.standards_arn().map(str::to_string))
                .collect()
        })
        .map_err(|e| unavailable(action!(SecurityHub, GetEnabledStandards), e));
    Ok(Some(SecurityHub {
        arn: hub.hub_arn().unwrap_or_default().to_string(),
        standards: standards.into(),
    }))
}
