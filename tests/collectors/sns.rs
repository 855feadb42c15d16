//! SNS: topics and their subscriptions, read per topic.

use super::*;

#[tokio::test]
async fn sns_subscriptions_are_read_per_topic_and_a_pending_one_is_not_confirmed() {
    use aws_sdk_sns::operation::list_subscriptions_by_topic::{
        ListSubscriptionsByTopicError, ListSubscriptionsByTopicOutput,
    };
    use aws_sdk_sns::operation::list_topics::ListTopicsOutput;
    use aws_sdk_sns::types::{Subscription, Topic};
    let arn = |name: &str| format!("arn:aws:sns:eu-west-1:123456789012:{name}");
    // Two pages of topics: the collector follows NextToken.
    let topics = mock!(aws_sdk_sns::Client::list_topics)
        .sequence()
        .output(move || {
            ListTopicsOutput::builder()
                .topics(Topic::builder().topic_arn(arn("oncall")).build())
                .topics(Topic::builder().topic_arn(arn("pending")).build())
                .next_token("page-2")
                .build()
        })
        .output(move || {
            ListTopicsOutput::builder()
                .topics(Topic::builder().topic_arn(arn("locked")).build())
                .build()
        })
        .build();
    let sub = move |topic: &str, sub_arn: &str| {
        Subscription::builder()
            .topic_arn(arn(topic))
            .protocol("email")
            .subscription_arn(sub_arn)
            .build()
    };
    let oncall = mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
        .match_requests(move |r| r.topic_arn() == Some(arn("oncall").as_str()))
        .then_output(move || {
            ListSubscriptionsByTopicOutput::builder()
                .subscriptions(sub("oncall", "PendingConfirmation"))
                .subscriptions(sub(
                    "oncall",
                    "arn:aws:sns:eu-west-1:123456789012:oncall:3b5f1c2e",
                ))
                .build()
        });
    let pending = mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
        .match_requests(move |r| r.topic_arn() == Some(arn("pending").as_str()))
        .then_output(move || {
            ListSubscriptionsByTopicOutput::builder()
                .subscriptions(sub("pending", "PendingConfirmation"))
                .build()
        });
    // A topic policy can deny reading one topic's subscriptions.
    let locked = mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
        .match_requests(move |r| r.topic_arn() == Some(arn("locked").as_str()))
        .then_error(|| {
            ListSubscriptionsByTopicError::generic(
                ErrorMetadata::builder()
                    .code("AuthorizationError")
                    .message("not authorized to perform: SNS:ListSubscriptionsByTopic")
                    .build(),
            )
        });
    let client = mock_client!(
        aws_sdk_sns,
        RuleMode::MatchAny,
        &[&topics, &oncall, &pending, &locked]
    );
    let topics = tomscan::collect::sns::sns_topics(&client).await.unwrap();
    let confirmed: Vec<(String, Option<usize>)> = topics
        .iter()
        .map(|t| {
            (
                t.arn.rsplit(':').next().unwrap().to_string(),
                t.subscriptions
                    .ok()
                    .map(|s| s.iter().filter(|s| s.confirmed).count()),
            )
        })
        .collect();
    assert_eq!(
        confirmed,
        [
            ("oncall".to_string(), Some(1)),
            ("pending".to_string(), Some(0)),
            ("locked".to_string(), None),
        ]
    );
    let alarm = |name: &str, topic: &str| tomscan::inventory::Alarm {
        name: name.into(),
        arn: format!("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{name}"),
        actions_enabled: true,
        alarm_actions: vec![format!("arn:aws:sns:eu-west-1:123456789012:{topic}")],
        ..Default::default()
    };
    let outcomes = judge(
        "CW-02",
        tomscan::inventory::Regional {
            alarms: Collected::Ok(vec![
                alarm("a-oncall", "oncall"),
                alarm("b-pending", "pending"),
                alarm("c-locked", "locked"),
            ]),
            sns_topics: Collected::Ok(topics),
            ..Default::default()
        },
    );
    let statuses: Vec<Status> = outcomes.iter().map(|o| o.0).collect();
    assert_eq!(statuses, [Status::Pass, Status::Fail, Status::Error]);
}
