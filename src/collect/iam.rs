use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::{ReportStateType, SummaryKeyType};
use chrono::{DateTime, Utc};

use futures_util::future::{BoxFuture, join_all};
use futures_util::{FutureExt, StreamExt, TryStreamExt, stream};

use super::{action, when};
use crate::aws::{Turns, unavailable};
use crate::inventory::policy::{PolicyDocument, PolicyError};
use crate::inventory::{
    AccessKey, AccountSummary, Authorization, Collected, CredentialReport, CredentialUser, Iam,
    InlinePolicy, LoginProfile, ManagedPolicy, PasswordPolicy, Principal, Source, Unavailable,
    VirtualMfaDevice,
};

/// Each IAM source is a collection of its own, in a turn of the run's ([`Turns`]).
pub async fn collect(
    client: &aws_sdk_iam::Client,
    turns: &Turns,
    sources: &BTreeSet<Source>,
) -> Iam {
    let (credential_report, account_summary, password_policy, authorization) = tokio::join!(
        when(
            sources,
            Source::IamCredentialReport,
            turns.take(|| credential_report(client))
        ),
        when(
            sources,
            Source::IamAccountSummary,
            turns.take(|| account_summary(client))
        ),
        when(
            sources,
            Source::IamPasswordPolicy,
            turns.take(|| password_policy(client))
        ),
        when(
            sources,
            Source::IamAuthorization,
            turns.take(|| authorization(client))
        ),
    );
    // Only console passwords never used can still be the initial one; their login
    // profiles say when that password was set and whether IAM forces a new one.
    let login_profiles = match (
        &credential_report,
        sources.contains(&Source::IamLoginProfiles),
    ) {
        (Collected::Ok(report), true) => crate::deadline::within(
            Source::IamLoginProfiles,
            turns.take(|| login_profiles(client, report)),
        )
        .await
        .into(),
        (Collected::Unavailable(u), true) => Collected::Unavailable(u.clone()),
        _ => Collected::NotCollected,
    };
    Iam {
        credential_report,
        login_profiles,
        account_summary,
        password_policy,
        authorization,
        virtual_mfa_devices: when(
            sources,
            Source::IamVirtualMfaDevices,
            turns.take(|| virtual_mfa_devices(client)),
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
            .map_err(|e| unavailable(action!(IamCredentialReport, GenerateCredentialReport), e))?;
        if out.state() == Some(&ReportStateType::Complete) {
            break;
        }
        if attempt == 20 {
            return Err(Unavailable {
                action: action!(IamCredentialReport, GenerateCredentialReport).into(),
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
        .map_err(|e| unavailable(action!(IamCredentialReport, GetCredentialReport), e))?;
    let content = out.content().map(|b| b.as_ref()).unwrap_or_default();
    let mut report = parse_credential_report(content).map_err(|e| Unavailable {
        action: action!(IamCredentialReport, GetCredentialReport).into(),
        code: "InvalidCredentialReport".into(),
        message: e.to_string(),
    })?;
    report.generated_at = out.generated_time().and_then(super::to_chrono);
    Ok(report)
}

/// Why a credential report cannot be read. Each makes the source `Unavailable`: a
/// report read wrong would pass root used yesterday or a user without MFA.
#[derive(Debug, thiserror::Error)]
pub enum CredentialReportError {
    #[error("the credential report is not valid CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("the credential report has no `{0}` column")]
    MissingColumn(String),
    #[error("the credential report has no rows (not even the root account)")]
    Empty,
    #[error("the credential report has {0} `<root_account>` rows, expected one")]
    RootRows(usize),
    #[error(
        "the credential report's `{column}` of {user:?} is {value:?}: neither an RFC 3339 date nor N/A, no_information or not_supported"
    )]
    Date {
        user: String,
        column: String,
        value: String,
    },
    #[error(
        "the credential report's `{column}` of {user:?} is {value:?}: neither true, false nor not_supported"
    )]
    Flag {
        user: String,
        column: String,
        value: String,
    },
}

/// Parses the credential report CSV by column name, so added columns do not break it,
/// and strictly: every column a check reads must be there, and every value must be one
/// the report documents. Anything else is an error, never a default.
pub fn parse_credential_report(
    csv_bytes: &[u8],
) -> Result<CredentialReport, CredentialReportError> {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let headers = reader.headers()?.clone();
    // Every column a check reads, by name and position.
    let col = |name: String| match headers.iter().position(|h| h == name) {
        Some(i) => Ok((name, i)),
        None => Err(CredentialReportError::MissingColumn(name)),
    };
    let (user, arn) = (col("user".into())?.1, col("arn".into())?.1);
    let created = col("user_creation_time".into())?;
    let pw = col("password_enabled".into())?;
    let pw_used = col("password_last_used".into())?;
    let pw_changed = col("password_last_changed".into())?;
    let mfa = col("mfa_active".into())?;
    let mut keys = Vec::new();
    for n in 1..=2 {
        keys.push([
            col(format!("access_key_{n}_active"))?,
            col(format!("access_key_{n}_last_rotated"))?,
            col(format!("access_key_{n}_last_used_date"))?,
        ]);
    }
    let mut report = CredentialReport::default();
    let mut roots = 0;
    for record in reader.records() {
        let record = record?;
        let name = record.get(user).unwrap_or_default().to_string();
        let date = |(column, i): &(String, usize)| {
            let value = record.get(*i).unwrap_or_default();
            report_date(value).map_err(|()| CredentialReportError::Date {
                user: name.clone(),
                column: column.clone(),
                value: value.to_string(),
            })
        };
        let flag = |(column, i): &(String, usize)| {
            let value = record.get(*i).unwrap_or_default();
            report_flag(value).map_err(|()| CredentialReportError::Flag {
                user: name.clone(),
                column: column.clone(),
                value: value.to_string(),
            })
        };
        let mut access_keys = Vec::new();
        for [active, rotated, used] in &keys {
            access_keys.push(AccessKey {
                active: flag(active)?,
                last_rotated: date(rotated)?,
                last_used: date(used)?,
            });
        }
        let row = CredentialUser {
            user: name.clone(),
            arn: record.get(arn).unwrap_or_default().to_string(),
            created: date(&created)?,
            password_enabled: flag(&pw)?,
            password_last_used: date(&pw_used)?,
            password_last_changed: date(&pw_changed)?,
            mfa_active: flag(&mfa)?,
            access_keys,
        };
        if row.user == "<root_account>" {
            roots += 1;
            report.root = Some(row);
        } else {
            report.users.push(row);
        }
    }
    if roots > 1 {
        return Err(CredentialReportError::RootRows(roots));
    }
    if report.root.is_none() && report.users.is_empty() {
        return Err(CredentialReportError::Empty);
    }
    Ok(report)
}

/// Report dates are RFC 3339; `N/A`, `no_information` and `not_supported` are the
/// documented ways of saying "none". Anything else is unreadable, not "never".
fn report_date(s: &str) -> Result<Option<DateTime<Utc>>, ()> {
    match s {
        "N/A" | "no_information" | "not_supported" => Ok(None),
        _ => DateTime::parse_from_rfc3339(s)
            .map(|d| Some(d.with_timezone(&Utc)))
            .map_err(|_| ()),
    }
}

/// `not_supported` is what the root row says of `password_enabled`.
fn report_flag(s: &str) -> Result<bool, ()> {
    match s {
        "true" | "TRUE" => Ok(true),
        "false" | "FALSE" | "not_supported" => Ok(false),
        _ => Err(()),
    }
}

async fn account_summary(client: &aws_sdk_iam::Client) -> Result<AccountSummary, Unavailable> {
    let out = client
        .get_account_summary()
        .send()
        .await
        .map_err(|e| unavailable(action!(IamAccountSummary, GetAccountSummary), e))?;
    let map = out.summary_map();
    let flag = |k: SummaryKeyType| map.and_then(|m| m.get(&k)).is_some_and(|v| *v > 0);
    Ok(AccountSummary {
        root_mfa_enabled: flag(SummaryKeyType::AccountMfaEnabled),
        root_access_keys_present: flag(SummaryKeyType::AccountAccessKeysPresent),
        root_password_present: map
            .and_then(|m| m.get(&SummaryKeyType::AccountPasswordPresent))
            .map(|v| *v > 0),
        root_signing_certificates_present: flag(SummaryKeyType::AccountSigningCertificatesPresent),
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
        Err(e) => Err(unavailable(
            action!(IamPasswordPolicy, GetAccountPasswordPolicy),
            e,
        )),
    }
}

/// Users, groups, roles and managed policies with their documents, each parsed here
/// once. AWS-managed policies are kept only when a user, group or role of the account
/// holds one: checks judge them by their document like any other (IAMFullAccess and
/// PowerUserAccess are as telling as AdministratorAccess), and the hundreds nobody
/// holds would be most of the inventory. A document that does not parse is
/// `Unavailable` for its own policy only.
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
        .map_err(|e| unavailable(action!(IamAuthorization, GetAccountAuthorizationDetails), e))?;
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
    // AWS-managed policies are asked for one by one, and only those someone holds: the
    // details' AwsManagedPolicy filter would send every one of the ~1,300 in the
    // partition (megabytes, many pages; moto alone takes seconds to build them).
    let held: std::collections::BTreeSet<&str> = pages
        .iter()
        .flat_map(|page| {
            let users = page
                .user_detail_list()
                .iter()
                .flat_map(|u| u.attached_managed_policies());
            let groups = page
                .group_detail_list()
                .iter()
                .flat_map(|g| g.attached_managed_policies());
            let roles = page
                .role_detail_list()
                .iter()
                .flat_map(|r| r.attached_managed_policies());
            users.chain(groups).chain(roles)
        })
        .filter_map(|p| p.policy_arn())
        .collect();
    let mut auth = Authorization::default();
    for page in &pages {
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
                aws_managed: is_aws_managed(&arn),
                arn,
                name,
            }
        }));
    }
    let aws_managed = held.into_iter().filter(|arn| is_aws_managed(arn));
    auth.policies
        .extend(join_all(aws_managed.map(|arn| aws_managed_policy(client, arn))).await);
    Ok(auth)
}

fn is_aws_managed(arn: &str) -> bool {
    arn.contains(":iam::aws:policy/")
}

/// One AWS-managed policy a principal holds, judged by its default version's document
/// like any other (never by its name). A policy AWS will not show is `Unavailable` on
/// its own; the rest of the authorization details stand.
async fn aws_managed_policy(client: &aws_sdk_iam::Client, arn: &str) -> ManagedPolicy {
    let name = arn.rsplit('/').next().unwrap_or_default().to_string();
    let document = async {
        let policy = client
            .get_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| unavailable(action!(IamAuthorization, GetPolicy), e))?;
        let policy = policy.policy();
        let version = policy.and_then(|p| p.default_version_id()).unwrap_or("v1");
        let out = client
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map_err(|e| unavailable(action!(IamAuthorization, GetPolicyVersion), e))?;
        let text = out.policy_version().and_then(|v| v.document());
        let count = policy.and_then(|p| p.attachment_count());
        Ok::<_, Unavailable>((
            version_document(text, &format!("default version of policy {name}")),
            count,
        ))
    }
    .await;
    let (document, attachment_count) = match document {
        Ok((document, count)) => (document, count.map(|n| n.max(0) as u32)),
        Err(u) => (Collected::Unavailable(u), None),
    };
    ManagedPolicy {
        arn: arn.to_string(),
        name,
        aws_managed: true,
        attachment_count,
        document,
    }
}

/// A document from GetPolicyVersion, parsed, or why it could not be.
fn version_document(text: Option<&str>, what: &str) -> Collected<PolicyDocument> {
    let action = action!(IamAuthorization, GetPolicyVersion);
    match text {
        Some(text) => decode_policy(text)
            .map_err(|e| e.unavailable(action, what))
            .into(),
        None => Collected::Unavailable(Unavailable {
            action: action.into(),
            code: crate::inventory::policy::INVALID_POLICY_DOCUMENT.into(),
            message: format!("{what}: the answer holds no document"),
        }),
    }
}

/// One document of the authorization details, parsed, or why it could not be.
fn document(text: Option<&str>, what: &str) -> Collected<PolicyDocument> {
    match text {
        Some(text) => decode_policy(text)
            .map_err(|e| {
                e.unavailable(
                    action!(IamAuthorization, GetAccountAuthorizationDetails),
                    what,
                )
            })
            .into(),
        None => Collected::Unavailable(Unavailable {
            action: action!(IamAuthorization, GetAccountAuthorizationDetails).into(),
            code: crate::inventory::policy::INVALID_POLICY_DOCUMENT.into(),
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

/// One `GetLoginProfile` per console user whose password was never used (usually few).
async fn login_profiles(
    client: &aws_sdk_iam::Client,
    report: &CredentialReport,
) -> Result<BTreeMap<String, LoginProfile>, Unavailable> {
    // The calls are made before they are streamed: a stream that maps with a closure
    // is not proven `Send` for every lifetime of what the closure is given, and the
    // account's collection runs as a task of its own.
    let calls: Vec<BoxFuture<'_, _>> = report
        .users
        .iter()
        .filter(|u| u.password_enabled && u.password_last_used.is_none())
        .map(|u| {
            let user = u.user.as_str();
            async move {
                let profile = match client.get_login_profile().user_name(user).send().await {
                    Ok(out) => out.login_profile().map(|p| LoginProfile {
                        created: super::to_chrono(p.create_date()),
                        password_reset_required: p.password_reset_required(),
                    }),
                    // The password was removed after the report was generated.
                    Err(e) if e.code() == Some("NoSuchEntity") => None,
                    Err(e) => {
                        return Err(unavailable(action!(IamLoginProfiles, GetLoginProfile), e));
                    }
                };
                Ok((user.to_string(), profile))
            }
            .boxed()
        })
        .collect();
    let answers: Vec<_> = stream::iter(calls)
        .buffer_unordered(LOGIN_PROFILE_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(answers
        .into_iter()
        .filter_map(|(user, p)| p.map(|p| (user, p)))
        .collect())
}

/// IAM's per-account request rate is modest; a few at a time keeps it unthrottled.
const LOGIN_PROFILE_CONCURRENCY: usize = 4;

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
        .map_err(|e| unavailable(action!(IamVirtualMfaDevices, ListVirtualMFADevices), e))?;
    Ok(list
        .iter()
        .map(|d| VirtualMfaDevice {
            serial_number: d.serial_number().to_string(),
            user_arn: d.user().map(|u| u.arn().to_string()),
        })
        .collect())
}

#[cfg(test)]
mod credential_report_tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    const ROOT: &str = "<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-27T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";
    const ALICE: &str = "alice,arn:aws:iam::123456789012:user/alice,2026-01-01T00:00:00+00:00,true,no_information,2026-01-01T00:00:00+00:00,N/A,false,true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";

    fn parse(rows: &[&str]) -> Result<CredentialReport, CredentialReportError> {
        parse_credential_report(rows.join("\n").as_bytes())
    }

    #[test]
    fn a_real_aws_report_reads_root_and_users() {
        let report = parse(&[HEADER, ROOT, ALICE]).unwrap();
        let root = report.root.unwrap();
        assert!(root.mfa_active && !root.password_enabled);
        assert_eq!(
            root.password_last_used,
            Some("2026-11-27T10:00:00Z".parse().unwrap())
        );
        let alice = &report.users[0];
        assert!(alice.password_enabled && !alice.mfa_active);
        assert_eq!(alice.password_last_used, None);
        assert!(alice.access_keys[0].active && !alice.access_keys[1].active);
    }

    #[test]
    fn a_date_that_is_not_rfc3339_is_unreadable_not_never() {
        let root = ROOT.replace("2026-11-27T10:00:00+00:00", "2026-11-27 10:00:00");
        let err = parse(&[HEADER, &root, ALICE]).unwrap_err();
        assert!(
            matches!(&err, CredentialReportError::Date { column, .. } if column == "password_last_used"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_column_is_unreadable_not_false() {
        for column in [
            "password_enabled",
            "mfa_active",
            "access_key_1_active",
            "access_key_2_last_used_date",
            "password_last_used",
        ] {
            let header = HEADER.replace(column, "renamed");
            let err = parse(&[&header, ROOT, ALICE]).unwrap_err();
            assert!(
                matches!(&err, CredentialReportError::MissingColumn(c) if c == column),
                "{column}: {err}"
            );
        }
    }

    #[test]
    fn a_flag_that_is_not_a_boolean_is_unreadable() {
        let alice = ALICE.replace(",true,no_information,", ",yes,no_information,");
        let err = parse(&[HEADER, ROOT, &alice]).unwrap_err();
        assert!(matches!(err, CredentialReportError::Flag { .. }), "{err}");
    }

    #[test]
    fn two_root_rows_are_unreadable() {
        let err = parse(&[HEADER, ROOT, ROOT, ALICE]).unwrap_err();
        assert!(matches!(err, CredentialReportError::RootRows(2)), "{err}");
    }

    #[test]
    fn an_empty_or_header_only_report_is_unreadable() {
        assert!(matches!(
            parse(&[HEADER]).unwrap_err(),
            CredentialReportError::Empty
        ));
        assert!(matches!(
            parse(&[""]).unwrap_err(),
            CredentialReportError::MissingColumn(_)
        ));
    }

    #[test]
    fn a_short_row_is_unreadable() {
        let err = parse(&[
            HEADER,
            ROOT,
            "bob,arn:aws:iam::1:user/bob,2026-01-01T00:00:00+00:00",
        ])
        .unwrap_err();
        assert!(matches!(err, CredentialReportError::Csv(_)), "{err}");
    }
}
