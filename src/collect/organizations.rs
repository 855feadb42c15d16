//! The accounts of an AWS organization, for `scan --org`. Read-only: ListAccounts,
//! ListAccountsForParent and ListOrganizationalUnitsForParent, nothing else.

use std::collections::BTreeSet;

use aws_sdk_organizations::types::{Account, AccountState, AccountStatus};

use crate::aws::{Aws, unavailable};
use crate::inventory::Unavailable;

/// An account the organization lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: Option<String>,
}

/// The ACTIVE accounts of the organization, or of the given OUs and every OU below them.
pub async fn active_accounts(aws: &Aws, ous: &[String]) -> Result<Vec<OrgAccount>, Unavailable> {
    let client = aws.organizations();
    let mut found = Vec::new();
    if ous.is_empty() {
        let mut pages = client.list_accounts().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| unavailable("organizations:ListAccounts", e))?;
            found.extend(page.accounts().iter().cloned());
        }
    } else {
        // Down the OU tree; `seen` guards against an OU given twice or nested in another given.
        let mut queue: Vec<String> = ous.to_vec();
        let mut seen = BTreeSet::new();
        while let Some(parent) = queue.pop() {
            if !seen.insert(parent.clone()) {
                continue;
            }
            let mut pages = client
                .list_accounts_for_parent()
                .parent_id(&parent)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page =
                    page.map_err(|e| unavailable("organizations:ListAccountsForParent", e))?;
                found.extend(page.accounts().iter().cloned());
            }
            let mut children = client
                .list_organizational_units_for_parent()
                .parent_id(&parent)
                .into_paginator()
                .send();
            while let Some(page) = children.next().await {
                let page = page.map_err(|e| {
                    unavailable("organizations:ListOrganizationalUnitsForParent", e)
                })?;
                queue.extend(
                    page.organizational_units()
                        .iter()
                        .filter_map(|ou| ou.id().map(str::to_string)),
                );
            }
        }
    }
    let mut accounts: Vec<OrgAccount> = found
        .iter()
        .filter(|a| is_active(a))
        .filter_map(|a| {
            Some(OrgAccount {
                id: a.id()?.to_string(),
                name: a.name().map(str::to_string),
            })
        })
        .collect();
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    accounts.dedup_by(|a, b| a.id == b.id);
    Ok(accounts)
}

/// `State` replaces `Status` (retired September 2026); older answers (and moto) carry
/// only `Status`. A suspended or closing account cannot be read and is not scanned.
fn is_active(a: &Account) -> bool {
    match (a.state(), a.status()) {
        (Some(state), _) => *state == AccountState::Active,
        (None, Some(status)) => *status == AccountStatus::Active,
        (None, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_accounts_are_scanned() {
        let with = |state: Option<AccountState>, status: Option<AccountStatus>| {
            Account::builder()
                .id("111122223333")
                .set_state(state)
                .set_status(status)
                .build()
        };
        assert!(is_active(&with(Some(AccountState::Active), None)));
        assert!(is_active(&with(None, Some(AccountStatus::Active))));
        // The newer field wins when both are sent.
        assert!(!is_active(&with(
            Some(AccountState::Suspended),
            Some(AccountStatus::Active)
        )));
        assert!(!is_active(&with(None, Some(AccountStatus::Suspended))));
        assert!(!is_active(&with(None, None)));
    }
}
