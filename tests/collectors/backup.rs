//! AWS Backup: plans, selections and their conditions, and the region opt-in.

use super::*;

#[tokio::test]
async fn backup_selections_are_read_per_plan() {
    use aws_sdk_backup::operation::get_backup_selection::GetBackupSelectionOutput;
    use aws_sdk_backup::operation::list_backup_plans::ListBackupPlansOutput;
    use aws_sdk_backup::operation::list_backup_selections::ListBackupSelectionsOutput;
    use aws_sdk_backup::types::{
        BackupPlansListMember, BackupSelection, BackupSelectionsListMember, Condition,
        ConditionType,
    };
    let plans = mock!(aws_sdk_backup::Client::list_backup_plans).then_output(|| {
        ListBackupPlansOutput::builder()
            .backup_plans_list(
                BackupPlansListMember::builder()
                    .backup_plan_id("plan-1")
                    .backup_plan_name("daily")
                    .build(),
            )
            .build()
    });
    let selections = mock!(aws_sdk_backup::Client::list_backup_selections)
        .match_requests(|r| r.backup_plan_id() == Some("plan-1"))
        .then_output(|| {
            ListBackupSelectionsOutput::builder()
                .backup_selections_list(
                    BackupSelectionsListMember::builder()
                        .selection_id("sel-1")
                        .build(),
                )
                .build()
        });
    let selection = mock!(aws_sdk_backup::Client::get_backup_selection)
        .match_requests(|r| r.selection_id() == Some("sel-1"))
        .then_output(|| {
            GetBackupSelectionOutput::builder()
                .backup_selection(
                    BackupSelection::builder()
                        .selection_name("volumes")
                        .iam_role_arn("arn:aws:iam::123456789012:role/backup")
                        .resources("arn:aws:ec2:*:*:volume/*")
                        .list_of_tags(
                            Condition::builder()
                                .condition_type(ConditionType::Stringequals)
                                .condition_key("backup")
                                .condition_value("daily")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let client = mock_client!(
        aws_sdk_backup,
        RuleMode::MatchAny,
        &[&plans, &selections, &selection]
    );
    let list = tomscan::collect::backup::backup_plans(&client)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let sel = &list[0].selections[0];
    assert_eq!(sel.resources, ["arn:aws:ec2:*:*:volume/*"]);
    assert_eq!(sel.tags, [("backup".to_string(), "daily".to_string())]);
}

#[tokio::test]
async fn backup_selection_conditions_and_region_opt_in_are_collected() {
    use aws_sdk_backup::operation::describe_region_settings::{
        DescribeRegionSettingsError, DescribeRegionSettingsOutput,
    };
    use aws_sdk_backup::operation::get_backup_selection::GetBackupSelectionOutput;
    use aws_sdk_backup::operation::list_backup_plans::ListBackupPlansOutput;
    use aws_sdk_backup::operation::list_backup_selections::ListBackupSelectionsOutput;
    use aws_sdk_backup::types::{
        BackupPlansListMember, BackupSelection, BackupSelectionsListMember, ConditionParameter,
        Conditions,
    };
    let plans = mock!(aws_sdk_backup::Client::list_backup_plans).then_output(|| {
        ListBackupPlansOutput::builder()
            .backup_plans_list(
                BackupPlansListMember::builder()
                    .backup_plan_id("plan-1")
                    .backup_plan_name("daily")
                    .build(),
            )
            .build()
    });
    let selections = mock!(aws_sdk_backup::Client::list_backup_selections).then_output(|| {
        ListBackupSelectionsOutput::builder()
            .backup_selections_list(
                BackupSelectionsListMember::builder()
                    .selection_id("sel-1")
                    .build(),
            )
            .build()
    });
    let param = |k: &str, v: &str| {
        ConditionParameter::builder()
            .condition_key(k)
            .condition_value(v)
            .build()
    };
    let selection = mock!(aws_sdk_backup::Client::get_backup_selection).then_output(move || {
        GetBackupSelectionOutput::builder()
            .backup_selection(
                BackupSelection::builder()
                    .selection_name("tagged-volumes")
                    .iam_role_arn("arn:aws:iam::123456789012:role/backup")
                    .resources("arn:aws:ec2:*:*:volume/*")
                    .conditions(
                        Conditions::builder()
                            .string_equals(param("aws:ResourceTag/backup", "daily"))
                            .string_not_like(param("aws:ResourceTag/env", "dev*"))
                            .build(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let settings = mock!(aws_sdk_backup::Client::describe_region_settings).then_output(|| {
        DescribeRegionSettingsOutput::builder()
            .resource_type_opt_in_preference("EBS", true)
            .resource_type_opt_in_preference("Aurora", false)
            .build()
    });
    let client = mock_client!(
        aws_sdk_backup,
        RuleMode::MatchAny,
        &[&plans, &selections, &selection, &settings]
    );
    let list = tomscan::collect::backup::backup_plans(&client)
        .await
        .unwrap();
    let sel = &list[0].selections[0];
    let conditions: Vec<(&str, &str, &str)> = sel
        .conditions
        .iter()
        .map(|c| (c.operator.as_str(), c.key.as_str(), c.value.as_str()))
        .collect();
    assert_eq!(
        conditions,
        [
            ("StringEquals", "backup", "daily"),
            ("StringNotLike", "env", "dev*")
        ]
    );
    let opt_in = tomscan::collect::backup::backup_opt_in(&client)
        .await
        .unwrap();
    assert_eq!(opt_in.get("EBS"), Some(&true));
    assert_eq!(opt_in.get("Aurora"), Some(&false));

    // The wildcard is ANDed with the condition: the untagged volume is not covered.
    let volume = |id: &str, tags: &[(&str, &str)]| tomscan::inventory::Volume {
        id: id.into(),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    };
    let outcomes = judge(
        "BAK-01",
        tomscan::inventory::Regional {
            backup_plans: Collected::Ok(list),
            backup_opt_in: Collected::Ok(opt_in),
            volumes: Collected::Ok(vec![
                volume("vol-0daily", &[("backup", "daily")]),
                volume("vol-0plain", &[]),
            ]),
            db_instances: Collected::Ok(vec![]),
            db_clusters: Collected::Ok(vec![]),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes,
        [
            (
                Status::Pass,
                "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0daily".to_string()
            ),
            (
                Status::Fail,
                "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0plain".to_string()
            ),
        ]
    );

    let denied = mock!(aws_sdk_backup::Client::describe_region_settings).then_error(|| {
        DescribeRegionSettingsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .build(),
        )
    });
    let client = mock_client!(aws_sdk_backup, &[&denied]);
    let err = tomscan::collect::backup::backup_opt_in(&client)
        .await
        .unwrap_err();
    assert_eq!(err.action, "backup:DescribeRegionSettings");
}
