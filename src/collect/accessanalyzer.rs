//! IAM Access Analyzer analyzers of the region.

use super::{action, paged, regional};
use crate::inventory::{AccessAnalyzer, Unavailable};

regional! {
    AccessAnalyzers => access_analyzers: accessanalyzer, access_analyzers;
}

pub async fn access_analyzers(
    client: &aws_sdk_accessanalyzer::Client,
) -> Result<Vec<AccessAnalyzer>, Unavailable> {
    let list = paged(
        action!(AccessAnalyzers, ListAnalyzers),
        client.list_analyzers().into_paginator().items().send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|a| AccessAnalyzer {
            arn: a.arn().to_string(),
            name: a.name().to_string(),
            kind: a.r#type().as_str().to_string(),
            status: a.status().as_str().to_string(),
        })
        .collect())
}
