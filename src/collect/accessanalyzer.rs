//! IAM Access Analyzer analyzers of the region, and the active findings of the
//! external-access ones: AWS's second opinion on who outside can reach what.

use aws_sdk_accessanalyzer::types::Criterion;
use futures_util::future::join_all;

use super::{action, paged, regional, word};
use crate::inventory::{AccessAnalyzer, AnalyzerFinding, Collected, Unavailable};

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
    Ok(join_all(list.iter().map(|a| async move {
        let mut analyzer = AccessAnalyzer {
            arn: a.arn().to_string(),
            name: a.name().to_string(),
            kind: word(Some(a.r#type().as_str())),
            status: word(Some(a.status().as_str())),
            findings: Collected::NotCollected,
        };
        if analyzer.finds_external_access() {
            analyzer.findings = findings(client, &analyzer.arn).await.into();
        }
        analyzer
    }))
    .await)
}

async fn findings(
    client: &aws_sdk_accessanalyzer::Client,
    analyzer: &str,
) -> Result<Vec<AnalyzerFinding>, Unavailable> {
    let list = paged(
        action!(AccessAnalyzers, ListFindings),
        client
            .list_findings()
            .analyzer_arn(analyzer)
            .filter("status", Criterion::builder().eq("ACTIVE").build())
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|f| AnalyzerFinding {
            id: f.id().to_string(),
            resource: f.resource().unwrap_or_default().to_string(),
            resource_type: f.resource_type().as_str().to_string(),
            principal: f
                .principal()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            is_public: f.is_public().unwrap_or(false),
            actions: f.action().to_vec(),
        })
        .collect())
}
