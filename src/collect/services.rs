//! Regional collectors of the services beyond EC2: one function per source, each
//! taking a client bound to the region.

use aws_sdk_config::error::ProvideErrorMetadata;
use futures_util::future::join_all;

use crate::aws::unavailable;
use crate::inventory::{
    AccessAnalyzer, Alarm, AutoScalingGroup, BackupPlan, BackupSelection, Collected,
    ConfigRecorder, DbInstance, GuardDutyDetector, KmsKey, Listener, ListenerAction, LoadBalancer,
    MetricFilter, SecurityHub, Unavailable,
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
            publicly_accessible: d.publicly_accessible().unwrap_or(false),
            tags: d
                .tag_list()
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

pub async fn kms_keys(client: &aws_sdk_kms::Client) -> Result<Vec<KmsKey>, Unavailable> {
    let list = client
        .list_keys()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| unavailable("kms:ListKeys", e))?;
    let keys = join_all(list.iter().map(|k| async move {
        let id = k.key_id().unwrap_or_default().to_string();
        let meta = client
            .describe_key()
            .key_id(&id)
            .send()
            .await
            .map_err(|e| unavailable("kms:DescribeKey", e))?;
        let meta = meta.key_metadata();
        let mut key = KmsKey {
            arn: k.key_arn().unwrap_or_default().to_string(),
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
            rotation_enabled: Collected::NotCollected,
            id,
        };
        // AWS-managed keys rotate on AWS's schedule, and asking about them is denied.
        if key.manager == "CUSTOMER" && key.state == "Enabled" && key.spec == "SYMMETRIC_DEFAULT" {
            key.rotation_enabled = client
                .get_key_rotation_status()
                .key_id(&key.id)
                .send()
                .await
                .map(|r| r.key_rotation_enabled())
                .map_err(|e| unavailable("kms:GetKeyRotationStatus", e))
                .into();
        }
        Ok::<_, Unavailable>(key)
    }))
    .await;
    keys.into_iter().collect()
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
                                c.condition_key().to_string(),
                                c.condition_value().to_string(),
                            )
                        })
                        .collect(),
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
            ConfigRecorder {
                all_supported: group.is_some_and(|g| g.all_supported()),
                include_global_resource_types: group
                    .is_some_and(|g| g.include_global_resource_types()),
                recording: status
                    .configuration_recorders_status()
                    .iter()
                    .any(|s| s.name() == Some(name.as_str()) && s.recording()),
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
