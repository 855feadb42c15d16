//! IAM Access Analyzer: analyzers and their findings.

use super::*;

#[tokio::test]
async fn access_analyzers_are_collected_and_an_unused_access_analyzer_does_not_count() {
    use aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput;
    use aws_sdk_accessanalyzer::operation::list_findings::ListFindingsOutput;
    use aws_sdk_accessanalyzer::types::{
        AnalyzerStatus, AnalyzerSummary, FindingStatus, FindingSummary, ResourceType, Type,
    };
    let summary = |name: &str, kind: Type, status: AnalyzerStatus| {
        AnalyzerSummary::builder()
            .arn(format!(
                "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/{name}"
            ))
            .name(name)
            .r#type(kind)
            .status(status)
            .created_at(aws_smithy_types::DateTime::from_secs(0))
            .build()
            .unwrap()
    };
    let list = mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(move || {
        ListAnalyzersOutput::builder()
            .analyzers(summary(
                "unused",
                Type::AccountUnusedAccess,
                AnalyzerStatus::Active,
            ))
            .analyzers(summary("account", Type::Account, AnalyzerStatus::Active))
            .build()
            .unwrap()
    });
    // Only the external-access analyzer's active findings are asked for.
    let findings = mock!(aws_sdk_accessanalyzer::Client::list_findings)
        .match_requests(|r| {
            r.analyzer_arn().is_some_and(|a| a.ends_with("/account"))
                && r.filter().and_then(|f| f.get("status")).map(|c| c.eq())
                    == Some(&["ACTIVE".to_string()][..])
        })
        .then_output(|| {
            let t = aws_smithy_types::DateTime::from_secs(0);
            ListFindingsOutput::builder()
                .findings(
                    FindingSummary::builder()
                        .id("f-1")
                        .resource("arn:aws:s3:::acme-reports")
                        .resource_type(ResourceType::AwsS3Bucket)
                        .principal("AWS", "999988887777")
                        .action("s3:GetObject")
                        .is_public(false)
                        .status(FindingStatus::Active)
                        .resource_owner_account("123456789012")
                        .set_condition(Some(Default::default()))
                        .created_at(t)
                        .analyzed_at(t)
                        .updated_at(t)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap()
        });
    let client = mock_client!(aws_sdk_accessanalyzer, &[&list, &findings]);
    let analyzers = tomscan::collect::accessanalyzer::access_analyzers(&client)
        .await
        .unwrap();
    assert_eq!(analyzers.len(), 2);
    assert_eq!(
        (analyzers[1].kind.as_str(), analyzers[1].status.as_str()),
        ("ACCOUNT", "ACTIVE")
    );
    assert_eq!(analyzers[0].findings, Collected::NotCollected);
    let Collected::Ok(found) = &analyzers[1].findings else {
        panic!("{:?}", analyzers[1].findings);
    };
    assert_eq!(
        (
            found[0].resource.as_str(),
            found[0].resource_type.as_str(),
            found[0].principal.get("AWS").map(String::as_str),
            found[0].is_public
        ),
        (
            "arn:aws:s3:::acme-reports",
            "AWS::S3::Bucket",
            Some("999988887777"),
            false
        )
    );
    let outcomes = judge(
        "AA-01",
        tomscan::inventory::Regional {
            access_analyzers: Collected::Ok(analyzers),
            ..Default::default()
        },
    );
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].0, Status::Pass);
}
