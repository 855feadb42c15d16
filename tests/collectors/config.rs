//! AWS Config: recorder status, failures and recorded types.

use super::*;

#[tokio::test]
async fn config_recorder_status_failure_and_recorded_types_are_collected() {
    use aws_sdk_config::operation::describe_configuration_recorder_status::DescribeConfigurationRecorderStatusOutput;
    use aws_sdk_config::operation::describe_configuration_recorders::DescribeConfigurationRecordersOutput;
    use aws_sdk_config::types::{
        ConfigurationRecorder, ConfigurationRecorderStatus, RecorderStatus, RecordingGroup,
        ResourceType,
    };
    let recorders =
        mock!(aws_sdk_config::Client::describe_configuration_recorders).then_output(|| {
            DescribeConfigurationRecordersOutput::builder()
                .configuration_recorders(
                    ConfigurationRecorder::builder()
                        .name("default")
                        .recording_group(
                            RecordingGroup::builder()
                                .all_supported(false)
                                .resource_types(ResourceType::User)
                                .resource_types(ResourceType::Role)
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let status =
        mock!(aws_sdk_config::Client::describe_configuration_recorder_status).then_output(|| {
            DescribeConfigurationRecorderStatusOutput::builder()
                .configuration_recorders_status(
                    ConfigurationRecorderStatus::builder()
                        .name("default")
                        .recording(true)
                        .last_status(RecorderStatus::Failure)
                        .last_error_code("AccessDeniedException")
                        .last_error_message("the role cannot describe resources")
                        .build(),
                )
                .build()
        });
    let client = mock_client!(aws_sdk_config, RuleMode::MatchAny, &[&recorders, &status]);
    let list = tomscan::collect::config::config_recorders(&client)
        .await
        .unwrap();
    let r = &list[0];
    assert!(r.recording);
    assert_eq!(r.last_status.as_deref(), Some("FAILURE"));
    assert_eq!(r.last_error_code.as_deref(), Some("AccessDeniedException"));
    assert_eq!(r.resource_types, ["AWS::IAM::User", "AWS::IAM::Role"]);
    let outcomes = judge(
        "CFG-01",
        tomscan::inventory::Regional {
            config_recorders: Collected::Ok(list),
            ..Default::default()
        },
    );
    assert!(
        outcomes.iter().all(|(s, _)| *s == Status::Fail),
        "a failing recorder records neither the region nor IAM: {outcomes:?}"
    );
}
