//! SNS topics, and whether anyone receives what is published to them.

use super::{action, paged, per_resource, regional};
use crate::inventory::{SnsSubscription, SnsTopic, Unavailable};

regional! {
    SnsTopics => sns_topics: sns, sns_topics;
}

pub async fn sns_topics(client: &aws_sdk_sns::Client) -> Result<Vec<SnsTopic>, Unavailable> {
    let list = paged(
        action!(SnsTopics, ListTopics),
        client.list_topics().into_paginator().items().send(),
    )
    .await?;
    Ok(per_resource(list, |t| async move {
        let arn = t.topic_arn().unwrap_or_default().to_string();
        let subscriptions = paged(
            action!(SnsTopics, ListSubscriptionsByTopic),
            client
                .list_subscriptions_by_topic()
                .topic_arn(&arn)
                .into_paginator()
                .items()
                .send(),
        )
        .await
        .map(|subs| {
            subs.iter()
                .map(|s| SnsSubscription {
                    protocol: s.protocol().unwrap_or_default().to_string(),
                    // `PendingConfirmation` (or `Deleted`) until the subscriber
                    // confirms; then the subscription's own ARN.
                    confirmed: s.subscription_arn().is_some_and(|a| a.starts_with("arn:")),
                })
                .collect()
        })
        .into();
        SnsTopic { arn, subscriptions }
    })
    .await)
}
