//! AWS Backup: the plans and what their selections cover, and the region's resource-type opt-in.

use super::{action, paged, regional};
use crate::aws::unavailable;
use crate::inventory::{BackupPlan, BackupSelection, TagCondition, Unavailable};

regional! {
    BackupPlans => backup_plans: backup, backup_plans;
    BackupOptIn => backup_opt_in: backup, backup_opt_in;
}

pub async fn backup_plans(client: &aws_sdk_backup::Client) -> Result<Vec<BackupPlan>, Unavailable> {
    let plans = paged(
        action!(BackupPlans, ListBackupPlans),
        client.list_backup_plans().into_paginator().items().send(),
    )
    .await?;
    let mut out = Vec::with_capacity(plans.len());
    for p in &plans {
        let id = p.backup_plan_id().unwrap_or_default().to_string();
        let members = paged(
            action!(BackupPlans, ListBackupSelections),
            client
                .list_backup_selections()
                .backup_plan_id(&id)
                .into_paginator()
                .items()
                .send(),
        )
        .await?;
        let mut selections = Vec::with_capacity(members.len());
        for m in &members {
            let sel = client
                .get_backup_selection()
                .backup_plan_id(&id)
                .selection_id(m.selection_id().unwrap_or_default())
                .send()
                .await
                .map_err(|e| unavailable(action!(BackupPlans, GetBackupSelection), e))?;
            if let Some(s) = sel.backup_selection() {
                selections.push(BackupSelection {
                    name: s.selection_name().to_string(),
                    resources: s.resources().to_vec(),
                    not_resources: s.not_resources().to_vec(),
                    tags: s
                        .list_of_tags()
                        .iter()
                        .map(|c| {
                            (
                                tag_key(c.condition_key()).to_string(),
                                c.condition_value().to_string(),
                            )
                        })
                        .collect(),
                    conditions: s.conditions().map(tag_conditions).unwrap_or_default(),
                });
            }
        }
        out.push(BackupPlan {
            id,
            name: p.backup_plan_name().unwrap_or_default().to_string(),
            selections,
        });
    }
    Ok(out)
}

fn tag_key(condition_key: &str) -> &str {
    match condition_key.split_once("ResourceTag/") {
        Some((_, key)) => key,
        None => condition_key,
    }
}

fn tag_conditions(c: &aws_sdk_backup::types::Conditions) -> Vec<TagCondition> {
    [
        ("StringEquals", c.string_equals()),
        ("StringNotEquals", c.string_not_equals()),
        ("StringLike", c.string_like()),
        ("StringNotLike", c.string_not_like()),
    ]
    .into_iter()
    .flat_map(|(operator, list)| {
        list.iter().map(move |p| TagCondition {
            operator: operator.to_string(),
            key: tag_key(p.condition_key().unwrap_or_default()).to_string(),
            value: p.condition_value().unwrap_or_default().to_string(),
        })
    })
    .collect()
}

pub async fn backup_opt_in(
    client: &aws_sdk_backup::Client,
) -> Result<std::collections::BTreeMap<String, bool>, Unavailable> {
    let out = client
        .describe_region_settings()
        .send()
        .await
        .map_err(|e| unavailable(action!(BackupOptIn, DescribeRegionSettings), e))?;
    Ok(out
        .resource_type_opt_in_preference()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default())
}
