//! Regional collectors of the services beyond EC2: one function per source, each
//! taking a client bound to the region.

use aws_sdk_config::error::ProvideErrorMetadata;
use futures_util::future::join_all;

use crate::aws::unavailable;
use crate::inventory::{
    AccessAnalyzer, Alarm, AutoScalingGroup, BackupPlan, BackupSelection, Collected,
    ConfigRecorder, DbCluster, DbInstance, GuardDutyDetector, KeyMetadata, KmsKey, Listener,
    ListenerAction, LoadBalancer, MetricFilter, SecurityHub, TagCondition, Tags, Unavailable,
};

pub async fn load_balancers(
    client: &aws_sdk_elasticloadbalancingv2::Client,
) -> Result<Vec<LoadBalancer>, Unavailable> {
    let list = client
        .describe_load_balancers()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("elasticloadbalancing:DescribeLoadBalancers", e))?;
    Ok(join_all(list.iter().map(|lb| async move {
        let arn = lb.load_balancer_arn().unwrap_or_default().to_string();
        let listeners = listeners(client, &arn).await.into();
        LoadBalancer {
            name: lb.load_balancer_name().unwrap_or_default().to_string(),
            kind: lb
                .r#type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            scheme: lb
                .scheme()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            vpc_id: lb.vpc_id().map(str::to_string),
            availability_zones: lb
                .availability_zones()
                .iter()
                .filter_map(|z| z.zone_name().map(str::to_string))
                .collect(),
            arn,
            listeners,
        }
    }))
    .await)
}

async fn listeners(
    client: &aws_sdk_elasticloadbalancingv2::Client,
    arn: &str,
) -> Result<Vec<Listener>, Unavailable> {
    let list = client
        .describe_listeners()
        .load_balancer_arn(arn)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("elasticloadbalancing:DescribeListeners", e))?;
    Ok(list
        .iter()
        .map(|l| Listener {
            arn: l.listener_arn().unwrap_or_default().to_string(),
            port: l.port().unwrap_or(0),
            protocol: l
                .protocol()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            ssl_policy: l.ssl_policy().map(str::to_string),
            default_actions: l
                .default_actions()
                .iter()
                .map(|a| ListenerAction {
                    kind: a
                        .r#type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    redirect_protocol: a
                        .redirect_config()
                        .and_then(|r| r.protocol())
                        .map(str::to_string),
                })
                .collect(),
            ssl_protocols: Collected::NotCollected,
        })
        .collect())
}

pub async fn auto_scaling_groups(
    client: &aws_sdk_autoscaling::Client,
) -> Result<Vec<AutoScalingGroup>, Unavailable> {
    let list = client
        .describe_auto_scaling_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("autoscaling:DescribeAutoScalingGroups", e))?;
    Ok(list
        .iter()
        .map(|g| AutoScalingGroup {
            name: g.auto_scaling_group_name().unwrap_or_default().to_string(),
            arn: g.auto_scaling_group_arn().unwrap_or_default().to_string(),
            availability_zones: g.availability_zones().to_vec(),
            desired_capacity: g.desired_capacity().unwrap_or(0),
            instances: g
                .instances()
                .iter()
                .filter_map(|i| i.instance_id().map(str::to_string))
                .collect(),
            tags: g
                .tags()
                .iter()
                .filter_map(|t| {
                    Some((
                        t.key()?.to_string(),
                        t.value().unwrap_or_default().to_string(),
                    ))
                })
                .collect(),
        })
        .collect())
}

pub async fn db_instances(client: &aws_sdk_rds::Client) -> Result<Vec<DbInstance>, Unavailable> {
    let list = client
        .describe_db_instances()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("rds:DescribeDBInstances", e))?;
    Ok(list
        .iter()
        .map(|d| DbInstance {
            id: d.db_instance_identifier().unwrap_or_default().to_string(),
            arn: d.db_instance_arn().unwrap_or_default().to_string(),
            engine: d.engine().unwrap_or_default().to_string(),
            multi_az: d.multi_az().unwrap_or(false),
            storage_encrypted: d.storage_encrypted().unwrap_or(false),
            publicly_accessible: d.publicly_accessible(),
            cluster_id: d.db_cluster_identifier().map(str::to_string),
            tags: rds_tags(d.tag_list()),
        })
        .collect())
}

fn rds_tags(list: &[aws_sdk_rds::types::Tag]) -> Tags {
    list.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_string(),
                t.value().unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

pub async fn db_clusters(client: &aws_sdk_rds::Client) -> Result<Vec<DbCluster>, Unavailable> {
    let list = client
        .describe_db_clusters()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("rds:DescribeDBClusters", e))?;
    Ok(list
        .iter()
        .map(|c| DbCluster {
            id: c.db_cluster_identifier().unwrap_or_default().to_string(),
            arn: c.db_cluster_arn().unwrap_or_default().to_string(),
            engine: c.engine().unwrap_or_default().to_string(),
            multi_az: c.multi_az().unwrap_or(false),
            storage_encrypted: c.storage_encrypted().unwrap_or(false),
            members: c
                .db_cluster_members()
                .iter()
                .filter_map(|m| m.db_instance_identifier().map(str::to_string))
                .collect(),
            tags: rds_tags(c.tag_list()),
        })
        .collect())
}

pub async fn kms_keys(client: &aws_sdk_kms::Client) -> Result<Vec<KmsKey>, Unavailable> {
    let list = client
        .list_keys()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("kms:ListKeys", e))?;
    // Per key: a key policy can deny DescribeKey on one key and leave the others
    // readable, so one denial is that key's fact, not the region's.
    Ok(join_all(list.iter().map(|k| async move {
        let id = k.key_id().unwrap_or_default().to_string();
        let metadata: Collected<KeyMetadata> = client
            .describe_key()
            .key_id(&id)
            .send()
            .await
            .map(|out| {
                let meta = out.key_metadata();
                KeyMetadata {
                    manager: meta
                        .and_then(|m| m.key_manager())
                        .map(|v| v.as_str().to_string())
                        .unwrap_or_default(),
                    state: meta
                        .and_then(|m| m.key_state())
                        .map(|v| v.as_str().to_string())
                        .unwrap_or_default(),
                    spec: meta
                        .and_then(|m| m.key_spec())
                        .map(|v| v.as_str().to_string())
                        .unwrap_or_default(),
                    origin: meta
                        .and_then(|m| m.origin())
                        .map(|v| v.as_str().to_string())
                        .unwrap_or_default(),
                }
            })
            .map_err(|e| unavailable("kms:DescribeKey", e))
            .into();
        // AWS-managed keys rotate on AWS's schedule, and asking about them is denied.
        let rotatable = metadata.ok().is_some_and(|m| {
            m.manager == "CUSTOMER" && m.state == "Enabled" && m.spec == "SYMMETRIC_DEFAULT"
        });
        let rotation_enabled = if rotatable {
            client
                .get_key_rotation_status()
                .key_id(&id)
                .send()
                .await
                .map(|r| r.key_rotation_enabled())
                .map_err(|e| unavailable("kms:GetKeyRotationStatus", e))
                .into()
        } else {
            Collected::NotCollected
        };
        KmsKey {
            arn: k.key_arn().unwrap_or_default().to_string(),
            id,
            metadata,
            rotation_enabled,
        }
    }))
    .await)
}

pub async fn backup_plans(client: &aws_sdk_backup::Client) -> Result<Vec<BackupPlan>, Unavailable> {
    let plans = client
        .list_backup_plans()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("backup:ListBackupPlans", e))?;
    let mut out = Vec::with_capacity(plans.len());
    for p in &plans {
        let id = p.backup_plan_id().unwrap_or_default().to_string();
        let members = client
            .list_backup_selections()
            .backup_plan_id(&id)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| unavailable("backup:ListBackupSelections", e))?;
        let mut selections = Vec::with_capacity(members.len());
        for m in &members {
            let sel = client
                .get_backup_selection()
                .backup_plan_id(&id)
                .selection_id(m.selection_id().unwrap_or_default())
                .send()
                .await
                .map_err(|e| unavailable("backup:GetBackupSelection", e))?;
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

/// The tag key of a condition key: `aws:ResourceTag/backup` and `backup` both name the
/// tag `backup` (ListOfTags takes either spelling).
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
        .map_err(|e| unavailable("backup:DescribeRegionSettings", e))?;
    Ok(out
        .resource_type_opt_in_preference()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default())
}

pub async fn guardduty_detectors(
    client: &aws_sdk_guardduty::Client,
) -> Result<Vec<GuardDutyDetector>, Unavailable> {
    let ids = client
        .list_detectors()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("guardduty:ListDetectors", e))?;
    let detectors = join_all(ids.iter().map(|id| async move {
        let d = client
            .get_detector()
            .detector_id(id)
            .send()
            .await
            .map_err(|e| unavailable("guardduty:GetDetector", e))?;
        Ok::<_, Unavailable>(GuardDutyDetector {
            id: id.clone(),
            status: d
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        })
    }))
    .await;
    detectors.into_iter().collect()
}

pub async fn security_hub(
    client: &aws_sdk_securityhub::Client,
) -> Result<Option<SecurityHub>, Unavailable> {
    let hub = match client.describe_hub().send().await {
        Ok(hub) => hub,
        // "not subscribed to AWS Security Hub": the fact that it is off.
        Err(e) if e.code() == Some("InvalidAccessException") => return Ok(None),
        Err(e) => return Err(unavailable("securityhub:DescribeHub", e)),
    };
    let standards = client
        .get_enabled_standards()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map(|list| {
            list.iter()
                .filter_map(|s| s.standards_arn().map(str::to_string))
                .collect()
        })
        .map_err(|e| unavailable("securityhub:GetEnabledStandards", e));
    Ok(Some(SecurityHub {
        arn: hub.hub_arn().unwrap_or_default().to_string(),
        standards: standards.into(),
    }))
}

pub async fn config_recorders(
    client: &aws_sdk_config::Client,
) -> Result<Vec<ConfigRecorder>, Unavailable> {
    let (recorders, status) = tokio::join!(
        client.describe_configuration_recorders().send(),
        client.describe_configuration_recorder_status().send(),
    );
    let recorders =
        recorders.map_err(|e| unavailable("config:DescribeConfigurationRecorders", e))?;
    let status =
        status.map_err(|e| unavailable("config:DescribeConfigurationRecorderStatus", e))?;
    Ok(recorders
        .configuration_recorders()
        .iter()
        .map(|r| {
            let name = r.name().unwrap_or_default().to_string();
            let group = r.recording_group();
            let state = status
                .configuration_recorders_status()
                .iter()
                .find(|s| s.name() == Some(name.as_str()));
            ConfigRecorder {
                all_supported: group.is_some_and(|g| g.all_supported()),
                include_global_resource_types: group
                    .is_some_and(|g| g.include_global_resource_types()),
                resource_types: group
                    .map(|g| {
                        g.resource_types()
                            .iter()
                            .map(|t| t.as_str().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
                recording: state.is_some_and(|s| s.recording()),
                // AWS spells it `Success`/`Failure` in the model and `SUCCESS`/`FAILURE`
                // on the wire; keep one spelling.
                last_status: state
                    .and_then(|s| s.last_status())
                    .map(|v| v.as_str().to_ascii_uppercase()),
                last_error_code: state.and_then(|s| s.last_error_code()).map(str::to_string),
                last_error_message: state
                    .and_then(|s| s.last_error_message())
                    .map(str::to_string),
                name,
            }
        })
        .collect())
}

pub async fn access_analyzers(
    client: &aws_sdk_accessanalyzer::Client,
) -> Result<Vec<AccessAnalyzer>, Unavailable> {
    let list = client
        .list_analyzers()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("access-analyzer:ListAnalyzers", e))?;
    Ok(list
        .iter()
        .map(|a| AccessAnalyzer {
            arn: a.arn().to_string(),
            name: a.name().to_string(),
            kind: a.r#type().as_str().to_string(),
            status: a.status().as_str().to_string(),
        })
        .collect())
}

pub async fn metric_filters(
    client: &aws_sdk_cloudwatchlogs::Client,
) -> Result<Vec<MetricFilter>, Unavailable> {
    let list = client
        .describe_metric_filters()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("logs:DescribeMetricFilters", e))?;
    Ok(list
        .iter()
        .map(|f| MetricFilter {
            name: f.filter_name().unwrap_or_default().to_string(),
            log_group: f.log_group_name().unwrap_or_default().to_string(),
            pattern: f.filter_pattern().unwrap_or_default().to_string(),
            metrics: f
                .metric_transformations()
                .iter()
                .map(|m| {
                    (
                        m.metric_namespace().to_string(),
                        m.metric_name().to_string(),
                    )
                })
                .collect(),
        })
        .collect())
}

pub async fn alarms(client: &aws_sdk_cloudwatch::Client) -> Result<Vec<Alarm>, Unavailable> {
    let pages = client
        .describe_alarms()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("cloudwatch:DescribeAlarms", e))?;
    Ok(pages
        .iter()
        .flat_map(|p| p.metric_alarms())
        .map(|a| Alarm {
            name: a.alarm_name().unwrap_or_default().to_string(),
            arn: a.alarm_arn().unwrap_or_default().to_string(),
            namespace: a.namespace().map(str::to_string),
            metric_name: a.metric_name().map(str::to_string),
            actions_enabled: a.actions_enabled().unwrap_or(false),
            alarm_actions: a.alarm_actions().to_vec(),
        })
        .collect())
}
