use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{ReportStateType, SummaryKeyType};
use chrono::{DateTime, Utc};

use super::when;
use crate::aws::unavailable;
use crate::inventory::Collected;
use crate::inventory::{
    AccessKey, AccountSummary, Authorization, CredentialReport, CredentialUser, Iam, InlinePolicy,
    ManagedPolicy, PasswordPolicy, Principal, Source, Unavailable, VirtualMfaDevice,
};
use crate::policy::{PolicyDocument, PolicyError};

pub async fn collect(client: &aws_sdk_iam::Client, sources: &BTreeSet<Source>) -> Iam {
    let (credential_report, account_summary, password_policy, authorization) = tokio::join!(
        when(
            sources,
            Source::IamCredentialReport,
            credential_report(client)
        ),
        when(sources, Source::IamAccountSummary, account_summary(client)),
        when(sources, Source::IamPasswordPolicy, password_policy(client)),
        when(sources, Source::IamAuthorization, authorization(client)),
    );
    Iam {
        credential_report,
        account_summary,
        password_policy,
        authorization,
        virtual_mfa_devices: when(
            sources,
            Source::IamVirtualMfaDevices,
            virtual_mfa_devices(client),
        )
        .await,
    }
}

/// Two calls for every user of the account, instead of several per user.
async fn credential_report(client: &aws_sdk_iam::Client) -> Result<CredentialReport, Unavailable> {
    // AWS builds the report asynchronously (seconds); it reuses one younger than 4 hours.
    let mut delay = Duration::from_millis(250);
    for attempt in 0.. {
        let out = client
            .generate_credential_report()
            .send()
            .await
            .map_err(|e| unavailable("iam:GenerateCredentialReport", e))?;
        if out.state() == Some(&ReportStateType::Complete) {
            break;
        }
        if attempt == 20 {
            return Err(Unavailable {
                action: "iam:GenerateCredentialReport".into(),
                code: "ReportNotReady".into(),
                message: "the credential report was still being generated after 20 polls".into(),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(3));
    }
    let out = client
        .get_credential_report()
        .send()
        .await
        .map_err(|e| unavailable("iam:GetCredentialReport", e))?;
    let content = out.content().map(|b| b.as_ref()).unwrap_or_default();
    let mut report = parse_credential_report(content).map_err(|e| Unavailable {
        action: "iam:GetCredentialReport".into(),
        code: "InvalidCredentialReport".into(),
        message: e.to_string(),
    })?;
    report.generated_at = out.generated_time().and_then(super::to_chrono);
    Ok(report)
}

/// Parses the credential report CSV by column name, so added columns do not break it.
pub(crate) fn parse_credential_report(csv_bytes: &[u8]) -> Result<CredentialReport, csv::Error> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (user, arn, created) = (col("user"), col("arn"), col("user_creation_time"));
    let (pw, pw_used, pw_changed, mfa) = (
        col("password_enabled"),
        col("password_last_used"),
        col("password_last_changed"),
        col("mfa_active"),
    );
    let keys: Vec<_> = (1..=2)
        .map(|n| {
            (
                col(&format!("access_key_{n}_active")),
                col(&format!("access_key_{n}_last_rotated")),
                col(&format!("access_key_{n}_last_used_date")),
            )
        })
        .collect();
    let mut report = CredentialReport::default();
    for record in reader.records() {
        let record = record?;
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let row = CredentialUser {
            user: get(user).to_string(),
            arn: get(arn).to_string(),
            created: date(get(created)),
            password_enabled: get(pw) == "true",
            password_last_used: date(get(pw_used)),
            password_last_changed: date(get(pw_changed)),
            mfa_active: get(mfa) == "true",
            access_keys: keys
                .iter()
                .map(|(active, rotated, used)| AccessKey {
                    active: get(*active) == "true",
                    last_rotated: date(get(*rotated)),
                    last_used: date(get(*used)),
                })
                .collect(),
        };
        if row.user == "<root_account>" {
            report.root = Some(row);
        } else {
            report.users.push(row);
        }
    }
    Ok(report)
}

/// Report dates are ISO 8601; `N/A`, `no_information` and `not_supported` mean none.
fn date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

async fn account_summary(client: &aws_sdk_iam::Client) -> Result<AccountSummary, Unavailable> {
    let out = client
        .get_account_summary()
        .send()
        .await
        .map_err(|e| unavailable("iam:GetAccountSummary", e))?;
    let map = out.summary_map();
    let flag = |k: SummaryKeyType| map.and_then(|m| m.get(&k)).is_some_and(|v| *v > 0);
    Ok(AccountSummary {
        root_mfa_enabled: flag(SummaryKeyType::AccountMfaEnabled),
        root_access_keys_present: flag(SummaryKeyType::AccountAccessKeysPresent),
    })
}

async fn password_policy(
    client: &aws_sdk_iam::Client,
) -> Result<Option<PasswordPolicy>, Unavailable> {
    match client.get_account_password_policy().send().await {
        Ok(out) => Ok(out.password_policy().map(|p| PasswordPolicy {
            minimum_length: p.minimum_password_length().unwrap_or(0).max(0) as u32,
            require_uppercase: p.require_uppercase_characters(),
            require_lowercase: p.require_lowercase_characters(),
            require_numbers: p.require_numbers(),
            require_symbols: p.require_symbols(),
            max_age_days: p.max_password_age().filter(|d| *d > 0).map(|d| d as u32),
            reuse_prevention: p
                .password_reuse_prevention()
                .filter(|d| *d > 0)
                .map(|d| d as u32),
            allow_users_to_change: p.allow_users_to_change_password(),
            hard_expiry: p.hard_expiry().unwrap_or(false),
        })),
        // The account has no policy: a fact, not a failure to read.
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(unavailable("iam:GetAccountPasswordPolicy", e)),
    }
}

/// Users, groups, roles and customer-managed policies with their documents, each parsed
/// here once. AWS-managed policies are left out (over 1,000, the bulk of the response);
/// checks judge those by their well-known ARNs (`AdministratorAccess`). A document that
/// does not parse is `Unavailable` for its own policy only.
async fn authorization(client: &aws_sdk_iam::Client) -> Result<Authorization, Unavailable> {
    use aws_sdk_iam::types::EntityType;
    let pages = client
        .get_account_authorization_details()
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::Role)
        .filter(EntityType::LocalManagedPolicy)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("iam:GetAccountAuthorizationDetails", e))?;
    let attached = |list: &[aws_sdk_iam::types::AttachedPolicy]| -> Vec<String> {
        list.iter()
            .filter_map(|p| p.policy_arn().map(str::to_string))
            .collect()
    };
    let inline = |owner: &str, list: &[aws_sdk_iam::types::PolicyDetail]| -> Vec<InlinePolicy> {
        list.iter()
            .map(|p| {
                let name = p.policy_name().unwrap_or_default().to_string();
                let document = document(
                    p.policy_document(),
                    &format!("inline policy {name} of {owner}"),
                );
                InlinePolicy { name, document }
            })
            .collect()
    };
    let mut auth = Authorization::default();
    for page in pages {
        auth.users.extend(page.user_detail_list().iter().map(|u| {
            let name = u.user_name().unwrap_or_default().to_string();
            Principal {
                arn: u.arn().unwrap_or_default().to_string(),
                groups: u.group_list().to_vec(),
                attached_policies: attached(u.attached_managed_policies()),
                inline_policies: inline(&format!("user {name}"), u.user_policy_list()),
                trust_policy: Collected::NotCollected,
                name,
            }
        }));
        auth.groups.extend(page.group_detail_list().iter().map(|g| {
            let name = g.group_name().unwrap_or_default().to_string();
            Principal {
                arn: g.arn().unwrap_or_default().to_string(),
                groups: Vec::new(),
                attached_policies: attached(g.attached_managed_policies()),
                inline_policies: inline(&format!("group {name}"), g.group_policy_list()),
                trust_policy: Collected::NotCollected,
                name,
            }
        }));
        auth.roles.extend(page.role_detail_list().iter().map(|r| {
            let name = r.role_name().unwrap_or_default().to_string();
            Principal {
                arn: r.arn().unwrap_or_default().to_string(),
                groups: Vec::new(),
                attached_policies: attached(r.attached_managed_policies()),
                inline_policies: inline(&format!("role {name}"), r.role_policy_list()),
                trust_policy: document(
                    r.assume_role_policy_document(),
                    &format!("trust policy of role {name}"),
                ),
                name,
            }
        }));
        auth.policies.extend(page.policies().iter().map(|p| {
            let arn = p.arn().unwrap_or_default().to_string();
            // moto leaves PolicyName out of this answer; the ARN ends with it.
            let name = p
                .policy_name()
                .map(str::to_string)
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default().to_string());
            let default_version = p
                .policy_version_list()
                .iter()
                .find(|v| v.is_default_version())
                .and_then(|v| v.document());
            ManagedPolicy {
                document: document(
                    default_version,
                    &format!("default version of policy {name}"),
                ),
                attachment_count: p.attachment_count().map(|n| n.max(0) as u32),
                arn,
                name,
                aws_managed: false,
            }
        }));
    }
    Ok(auth)
}

/// One document of the authorization details, parsed, or why it could not be.
fn document(text: Option<&str>, what: &str) -> Collected<PolicyDocument> {
    match text {
        Some(text) => decode_policy(text)
            .map_err(|e| e.unavailable("iam:GetAccountAuthorizationDetails", what))
            .into(),
        None => Collected::Unavailable(Unavailable {
            action: "iam:GetAccountAuthorizationDetails".into(),
            code: crate::policy::INVALID_POLICY_DOCUMENT.into(),
            message: format!("{what}: the answer holds no document"),
        }),
    }
}

/// IAM returns documents URL-encoded (RFC 3986); some emulators return them raw.
pub(crate) fn decode_policy(doc: &str) -> Result<PolicyDocument, PolicyError> {
    let text = if doc.trim_start().starts_with('{') {
        std::borrow::Cow::Borrowed(doc)
    } else {
        percent_encoding::percent_decode_str(doc)
            .decode_utf8()
            .map_err(|e| PolicyError::NotJson(format!("URL-decoded text is not UTF-8: {e}")))?
    };
    PolicyDocument::parse(&text)
}

async fn virtual_mfa_devices(
    client: &aws_sdk_iam::Client,
) -> Result<Vec<VirtualMfaDevice>, Unavailable> {
    let list = client
        .list_virtual_mfa_devices()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("iam:ListVirtualMFADevices", e))?;
    Ok(list
        .iter()
        .map(|d| VirtualMfaDevice {
            serial_number: d.serial_number().to_string(),
            user_arn: d.user().map(|u| u.arn().to_string()),
        })
        .collect())
}
