//! CloudWatch: alarms and their actions.

use super::*;

#[tokio::test]
async fn alarms_are_collected_with_their_actions() {
    use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
    use aws_sdk_cloudwatch::types::MetricAlarm;
    let page = mock!(aws_sdk_cloudwatch::Client::describe_alarms).then_output(|| {
        DescribeAlarmsOutput::builder()
            .metric_alarms(
                MetricAlarm::builder()
                    .alarm_name("root-usage")
                    .alarm_arn("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:root-usage")
                    .namespace("CISBenchmark")
                    .metric_name("RootAccountUsage")
                    .actions_enabled(true)
                    .alarm_actions("arn:aws:sns:eu-west-1:123456789012:security")
                    .build(),
            )
            .metric_alarms(
                MetricAlarm::builder()
                    .alarm_name("silent")
                    .actions_enabled(true)
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_cloudwatch, &[&page]);
    let alarms = tomscan::collect::cloudwatch::alarms(&client).await.unwrap();
    assert_eq!(alarms[0].metric_name.as_deref(), Some("RootAccountUsage"));
    assert_eq!(
        alarms[0].alarm_actions,
        ["arn:aws:sns:eu-west-1:123456789012:security"]
    );
    let topic = tomscan::inventory::SnsTopic {
        arn: "arn:aws:sns:eu-west-1:123456789012:security".into(),
        subscriptions: Collected::Ok(vec![tomscan::inventory::SnsSubscription {
            protocol: "email".into(),
            confirmed: true,
        }]),
    };
    let outcomes = judge(
        "CW-02",
        tomscan::inventory::Regional {
            alarms: Collected::Ok(alarms),
            sns_topics: Collected::Ok(vec![topic]),
            ..Default::default()
        },
    );
    let statuses: Vec<Status> = outcomes.iter().map(|o| o.0).collect();
    assert_eq!(statuses, [Status::Pass, Status::Fail]);
}
