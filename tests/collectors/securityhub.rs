//! Security Hub: enabled or not, and its standards.

use super::*;

#[tokio::test]
async fn security_hub_off_is_a_fact_and_unreadable_standards_stay_unknown() {
    use aws_sdk_securityhub::operation::describe_hub::{DescribeHubError, DescribeHubOutput};
    use aws_sdk_securityhub::operation::get_enabled_standards::GetEnabledStandardsError;
    let off = mock!(aws_sdk_securityhub::Client::describe_hub).then_error(|| {
        DescribeHubError::generic(
            ErrorMetadata::builder()
                .code("InvalidAccessException")
                .message("Account is not subscribed to AWS Security Hub")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_securityhub, &[&off]);
    let hub = tomscan::collect::securityhub::security_hub(&client)
        .await
        .unwrap();
    assert!(hub.is_none());

    let on = mock!(aws_sdk_securityhub::Client::describe_hub).then_output(|| {
        DescribeHubOutput::builder()
            .hub_arn("arn:aws:securityhub:eu-west-1:123456789012:hub/default")
            .build()
    });
    let denied = mock!(aws_sdk_securityhub::Client::get_enabled_standards).then_error(|| {
        GetEnabledStandardsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, &[&on, &denied]);
    let hub = tomscan::collect::securityhub::security_hub(&client)
        .await
        .unwrap()
        .unwrap();
    let Collected::Unavailable(u) = &hub.standards else {
        panic!("{:?}", hub.standards);
    };
    assert_eq!(u.action, "securityhub:GetEnabledStandards");
    let outcomes = judge(
        "SH-02",
        tomscan::inventory::Regional {
            security_hub: Collected::Ok(Some(hub.clone())),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes.iter().map(|o| o.0).collect::<Vec<_>>(),
        [Status::Error]
    );
    let outcomes = judge(
        "SH-01",
        tomscan::inventory::Regional {
            security_hub: Collected::Ok(Some(hub)),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes.iter().map(|o| o.0).collect::<Vec<_>>(),
        [Status::Pass],
        "the hub itself is on"
    );
}
