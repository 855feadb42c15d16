//! References that must resolve. A setting that names another resource (the KMS key a
//! trail encrypts with, the topic an alarm notifies) proves nothing unless that resource
//! exists and works: a key pending deletion or disabled encrypts nothing new, and once
//! deleted nothing it encrypted can be read again; a topic that is gone, or that nobody
//! confirmed a subscription to, tells no one. Checks ask [`kms_key`] and
//! [`alarm_action`] and judge what they found.

use serde::Serialize;

use crate::inventory::{Collected, Inventory, KeyState, KmsAlias, KmsKey, Regional, SnsTopic};

/// What a KMS key reference points at.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "resolved", rename_all = "snake_case")]
pub enum KeyRef<'a> {
    /// A key of this account, enabled.
    Enabled {
        #[serde(skip)]
        key: &'a KmsKey,
    },
    /// A key of this account in a state that cannot encrypt (`PendingDeletion`,
    /// `Disabled`, `PendingImport`, ...).
    Unusable {
        #[serde(skip)]
        key: &'a KmsKey,
        state: KeyState,
    },
    /// An AWS-managed key's alias (`alias/aws/s3`): AWS creates the key, enabled, on
    /// first use, and nobody can disable or delete it.
    AwsManaged { alias: String },
    /// No key of that id in the region's full key list: deleted, or never there.
    Missing { region: String },
    /// Another account's key, which this account's inventory cannot show.
    OtherAccount { account: String },
    /// What the key is could not be read: the region was not scanned, or KMS was not
    /// (or could not be) listed there; `action` is what would tell.
    Unknown { why: String, action: Option<String> },
}

/// Resolves `reference` (a key ARN, a key id, an alias or alias ARN) against the
/// inventory's KMS keys. A bare id or alias belongs to this account in `region`.
pub fn kms_key<'a>(inv: &'a Inventory, region: &str, reference: &str) -> KeyRef<'a> {
    let (region, account, resource) = match reference.strip_prefix("arn:") {
        Some(rest) => {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            match parts.as_slice() {
                [_, "kms", region, account, resource] => (*region, *account, *resource),
                _ => {
                    return KeyRef::Unknown {
                        why: format!("{reference} is not a KMS key ARN"),
                        action: None,
                    };
                }
            }
        }
        None => (region, inv.account_id.as_str(), reference),
    };
    if account != inv.account_id {
        return KeyRef::OtherAccount {
            account: account.to_string(),
        };
    }
    let Some(facts) = inv.regional.get(region) else {
        return KeyRef::Unknown {
            why: format!("the key is in {region}, which the scan did not cover"),
            action: None,
        };
    };
    if resource.starts_with("alias/aws/") {
        return KeyRef::AwsManaged {
            alias: resource.to_string(),
        };
    }
    let id = match resource.strip_prefix("alias/") {
        Some(_) => match alias_target(facts, region, resource) {
            Ok(id) => id,
            Err(found) => return found,
        },
        None => resource.strip_prefix("key/").unwrap_or(resource),
    };
    let keys = match listed(&facts.kms_keys, "keys", region, "kms:ListKeys") {
        Ok(keys) => keys,
        Err((why, action)) => return KeyRef::Unknown { why, action },
    };
    let Some(key) = keys.iter().find(|k| k.id == id || k.arn == reference) else {
        return KeyRef::Missing {
            region: region.to_string(),
        };
    };
    match &key.metadata {
        Collected::Ok(m) if m.state == KeyState::Enabled => KeyRef::Enabled { key },
        Collected::Ok(m) => KeyRef::Unusable {
            key,
            state: m.state.clone(),
        },
        Collected::Unavailable(u) => KeyRef::Unknown {
            why: format!("the key's state could not be read: {}", u.message),
            action: Some(u.action.clone()),
        },
        Collected::NotCollected => KeyRef::Unknown {
            why: "the key's state was not collected".into(),
            action: Some("kms:DescribeKey".into()),
        },
    }
}

/// What an alarm action (an ARN) reaches.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "resolved", rename_all = "snake_case")]
pub enum ActionRef<'a> {
    /// An SNS topic of this account with confirmed subscriptions: someone is told.
    Notifies {
        #[serde(skip)]
        topic: &'a SnsTopic,
        confirmed: usize,
    },
    /// A topic of this account that nobody confirmed a subscription to: published
    /// messages reach no one.
    NoSubscriber { pending: usize },
    /// No such topic in the region's topic list: deleted, or never there.
    Missing { region: String },
    /// Another account's topic, which this account's inventory cannot show.
    OtherAccount { account: String },
    /// Not an SNS topic: an Auto Scaling policy, an EC2 or Systems Manager action, a
    /// Lambda function. It acts on the alarm; whether it tells anyone is not judged.
    NotATopic,
    /// What the topic is could not be read; `action` is what would tell.
    Unknown { why: String, action: Option<String> },
}

impl ActionRef<'_> {
    /// The action does something with the alarm (tells someone, or acts on it).
    pub fn works(&self) -> bool {
        matches!(self, ActionRef::Notifies { .. } | ActionRef::NotATopic)
    }
}

/// Resolves an alarm action against the inventory's SNS topics.
pub fn alarm_action<'a>(inv: &'a Inventory, action: &str) -> ActionRef<'a> {
    let parts: Vec<&str> = action.splitn(6, ':').collect();
    let [_, _, "sns", region, account, _] = parts.as_slice() else {
        return ActionRef::NotATopic;
    };
    if *account != inv.account_id {
        return ActionRef::OtherAccount {
            account: account.to_string(),
        };
    }
    let Some(facts) = inv.regional.get(*region) else {
        return ActionRef::Unknown {
            why: format!("the topic is in {region}, which the scan did not cover"),
            action: None,
        };
    };
    let topics = match listed(&facts.sns_topics, "topics", region, "sns:ListTopics") {
        Ok(topics) => topics,
        Err((why, action)) => return ActionRef::Unknown { why, action },
    };
    let Some(topic) = topics.iter().find(|t| t.arn == action) else {
        return ActionRef::Missing {
            region: region.to_string(),
        };
    };
    match &topic.subscriptions {
        Collected::Ok(subs) => match subs.iter().filter(|s| s.confirmed).count() {
            0 => ActionRef::NoSubscriber {
                pending: subs.len(),
            },
            confirmed => ActionRef::Notifies { topic, confirmed },
        },
        Collected::Unavailable(u) => ActionRef::Unknown {
            why: format!("the topic's subscriptions could not be read: {}", u.message),
            action: Some(u.action.clone()),
        },
        Collected::NotCollected => ActionRef::Unknown {
            why: "the topic's subscriptions were not collected".into(),
            action: Some("sns:ListSubscriptionsByTopic".into()),
        },
    }
}

/// A region's listing of `what`, or why it is not known and the IAM action that would
/// tell (`listing` when it was not collected at all).
fn listed<'a, T>(
    facts: &'a Collected<Vec<T>>,
    what: &str,
    region: &str,
    listing: &str,
) -> Result<&'a [T], (String, Option<String>)> {
    match facts {
        Collected::Ok(list) => Ok(list),
        Collected::Unavailable(u) => Err((
            format!("the {what} of {region} could not be listed: {}", u.message),
            Some(u.action.clone()),
        )),
        Collected::NotCollected => Err((
            format!("the {what} of {region} were not collected"),
            Some(listing.into()),
        )),
    }
}

/// The key id an alias names, or what the alias resolves to when it names none.
fn alias_target<'a>(facts: &'a Regional, region: &str, alias: &str) -> Result<&'a str, KeyRef<'a>> {
    let aliases = listed(&facts.kms_aliases, "aliases", region, "kms:ListAliases")
        .map_err(|(why, action)| KeyRef::Unknown { why, action })?;
    match aliases.iter().find(|a| a.name == alias) {
        Some(KmsAlias {
            target_key_id: Some(id),
            ..
        }) => Ok(id),
        // A customer alias that is gone, or points at nothing: nothing encrypts with it.
        _ => Err(KeyRef::Missing {
            region: region.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{KeyMetadata, Unavailable};

    fn inv() -> Inventory {
        let key = |id: &str, state: &str| KmsKey {
            id: id.into(),
            arn: format!("arn:aws:kms:eu-west-1:123456789012:key/{id}"),
            metadata: Collected::Ok(KeyMetadata {
                state: state.into(),
                ..Default::default()
            }),
            rotation_enabled: Collected::Ok(true),
            policy: Collected::NotCollected,
        };
        let mut inv = Inventory {
            account_id: "123456789012".into(),
            ..Default::default()
        };
        inv.regional.insert(
            "eu-west-1".into(),
            Regional {
                kms_keys: Collected::Ok(vec![
                    key("k-on", "Enabled"),
                    key("k-doomed", "PendingDeletion"),
                ]),
                kms_aliases: Collected::Ok(vec![
                    KmsAlias {
                        name: "alias/logs".into(),
                        target_key_id: Some("k-doomed".into()),
                    },
                    KmsAlias {
                        name: "alias/aws/ebs".into(),
                        target_key_id: Some("k-on".into()),
                    },
                    KmsAlias {
                        name: "alias/aws/s3".into(),
                        target_key_id: None,
                    },
                ]),
                ..Default::default()
            },
        );
        inv.regional.insert(
            "eu-central-1".into(),
            Regional {
                kms_keys: Collected::Unavailable(Unavailable {
                    action: "kms:ListKeys".into(),
                    code: "AccessDenied".into(),
                    message: "denied".into(),
                }),
                ..Default::default()
            },
        );
        inv
    }

    #[test]
    fn references_resolve_table() {
        let inv = inv();
        let name = |r: &KeyRef| match r {
            KeyRef::Enabled { .. } => "enabled".to_string(),
            KeyRef::Unusable { state, .. } => format!("unusable {state}"),
            KeyRef::Missing { region } => format!("missing {region}"),
            KeyRef::OtherAccount { account } => format!("other {account}"),
            KeyRef::Unknown { action, .. } => format!("unknown {action:?}"),
            KeyRef::AwsManaged { alias } => format!("aws-managed {alias}"),
        };
        let cases = [
            ("arn:aws:kms:eu-west-1:123456789012:key/k-on", "enabled"),
            ("k-on", "enabled"),
            ("key/k-on", "enabled"),
            (
                "arn:aws:kms:eu-west-1:123456789012:key/k-doomed",
                "unusable PendingDeletion",
            ),
            (
                "arn:aws:kms:eu-west-1:123456789012:key/k-gone",
                "missing eu-west-1",
            ),
            (
                "arn:aws:kms:eu-west-1:999988887777:key/k-on",
                "other 999988887777",
            ),
            (
                "arn:aws:kms:eu-central-1:123456789012:key/k-on",
                "unknown Some(\"kms:ListKeys\")",
            ),
            (
                "arn:aws:kms:us-east-1:123456789012:key/k-on",
                "unknown None",
            ),
            // An alias is its target key, whatever that key's state.
            ("alias/logs", "unusable PendingDeletion"),
            (
                "arn:aws:kms:eu-west-1:123456789012:alias/logs",
                "unusable PendingDeletion",
            ),
            // AWS's own keys: created on first use, enabled, never deletable.
            ("alias/aws/ebs", "aws-managed alias/aws/ebs"),
            ("alias/aws/s3", "aws-managed alias/aws/s3"),
            (
                "arn:aws:kms:eu-central-1:123456789012:alias/aws/s3",
                "aws-managed alias/aws/s3",
            ),
            // A customer alias that is gone names nothing.
            ("alias/retired", "missing eu-west-1"),
            (
                "arn:aws:kms:eu-central-1:123456789012:alias/logs",
                "unknown Some(\"kms:ListAliases\")",
            ),
            ("arn:aws:s3:::not-a-key", "unknown None"),
        ];
        for (reference, want) in cases {
            assert_eq!(
                name(&kms_key(&inv, "eu-west-1", reference)),
                want,
                "{reference}"
            );
        }
    }

    #[test]
    fn alarm_actions_resolve_table() {
        use crate::inventory::{SnsSubscription, SnsTopic};
        let topic = |name: &str, subs: &[bool]| SnsTopic {
            arn: format!("arn:aws:sns:eu-west-1:123456789012:{name}"),
            subscriptions: Collected::Ok(
                subs.iter()
                    .map(|&confirmed| SnsSubscription {
                        protocol: "email".into(),
                        confirmed,
                    })
                    .collect(),
            ),
        };
        let mut inv = inv();
        inv.regional.get_mut("eu-west-1").unwrap().sns_topics = Collected::Ok(vec![
            topic("oncall", &[false, true]),
            topic("pending", &[false]),
            topic("empty", &[]),
            SnsTopic {
                arn: "arn:aws:sns:eu-west-1:123456789012:locked".into(),
                subscriptions: Collected::Unavailable(Unavailable {
                    action: "sns:ListSubscriptionsByTopic".into(),
                    code: "AuthorizationError".into(),
                    message: "denied".into(),
                }),
            },
        ]);
        let name = |r: &ActionRef| match r {
            ActionRef::Notifies { confirmed, .. } => format!("notifies {confirmed}"),
            ActionRef::NoSubscriber { pending } => format!("nobody ({pending} pending)"),
            ActionRef::Missing { region } => format!("missing {region}"),
            ActionRef::OtherAccount { account } => format!("other {account}"),
            ActionRef::NotATopic => "not a topic".into(),
            ActionRef::Unknown { action, .. } => format!("unknown {action:?}"),
        };
        let cases = [
            ("arn:aws:sns:eu-west-1:123456789012:oncall", "notifies 1"),
            (
                "arn:aws:sns:eu-west-1:123456789012:pending",
                "nobody (1 pending)",
            ),
            (
                "arn:aws:sns:eu-west-1:123456789012:empty",
                "nobody (0 pending)",
            ),
            (
                "arn:aws:sns:eu-west-1:123456789012:deleted",
                "missing eu-west-1",
            ),
            (
                "arn:aws:sns:eu-west-1:999988887777:oncall",
                "other 999988887777",
            ),
            (
                "arn:aws:sns:eu-west-1:123456789012:locked",
                "unknown Some(\"sns:ListSubscriptionsByTopic\")",
            ),
            (
                "arn:aws:sns:eu-central-1:123456789012:oncall",
                "unknown Some(\"sns:ListTopics\")",
            ),
            ("arn:aws:sns:us-east-1:123456789012:oncall", "unknown None"),
            (
                "arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:x:autoScalingGroupName/web:policyName/up",
                "not a topic",
            ),
            ("arn:aws:automate:eu-west-1:ec2:reboot", "not a topic"),
        ];
        for (action, want) in cases {
            assert_eq!(name(&alarm_action(&inv, action)), want, "{action}");
        }
    }
}
