//! RDS DB instances and DB clusters (Aurora, DocumentDB, Neptune, Multi-AZ DB clusters),
//! and their snapshots with who may restore them.

use futures_util::future::try_join_all;

use super::{action, paged, regional};
use crate::aws::unavailable;
use crate::inventory::{DbCluster, DbInstance, RdsSnapshot, RdsSnapshotKind, Tags, Unavailable};

regional! {
    RdsInstances => db_instances: rds, db_instances;
    RdsClusters => db_clusters: rds, db_clusters;
    RdsSnapshots => rds_snapshots: rds, rds_snapshots;
}

pub async fn db_instances(client: &aws_sdk_rds::Client) -> Result<Vec<DbInstance>, Unavailable> {
    let list = paged(
        action!(RdsInstances, DescribeDBInstances),
        client
            .describe_db_instances()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|d| DbInstance {
            id: d.db_instance_identifier().unwrap_or_default().to_string(),
            arn: d.db_instance_arn().unwrap_or_default().to_string(),
            engine: d.engine().unwrap_or_default().to_string(),
            multi_az: d.multi_az().unwrap_or(false),
            storage_encrypted: d.storage_encrypted().unwrap_or(false),
            kms_key_id: d.kms_key_id().map(str::to_string),
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
    let list = paged(
        action!(RdsClusters, DescribeDBClusters),
        client
            .describe_db_clusters()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
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

/// Both kinds of snapshot this account owns; the `restore` attribute of each manual one
/// (one request each: AWS has no listing that carries it). Automated snapshots cannot be
/// shared, so they are listed but not asked.
pub async fn rds_snapshots(client: &aws_sdk_rds::Client) -> Result<Vec<RdsSnapshot>, Unavailable> {
    let (db, cluster) = tokio::join!(
        paged(
            action!(RdsSnapshots, DescribeDBSnapshots),
            client
                .describe_db_snapshots()
                .into_paginator()
                .items()
                .send(),
        ),
        paged(
            action!(RdsSnapshots, DescribeDBClusterSnapshots),
            client
                .describe_db_cluster_snapshots()
                .into_paginator()
                .items()
                .send(),
        ),
    );
    let db = db?.into_iter().map(|s| RdsSnapshot {
        id: s.db_snapshot_identifier().unwrap_or_default().to_string(),
        arn: s.db_snapshot_arn().unwrap_or_default().to_string(),
        kind: RdsSnapshotKind::Db,
        source: s.db_instance_identifier().unwrap_or_default().to_string(),
        snapshot_type: s.snapshot_type().unwrap_or_default().to_string(),
        encrypted: s.encrypted().unwrap_or(false),
        restorable_by: Vec::new(),
    });
    let cluster = cluster?.into_iter().map(|s| RdsSnapshot {
        id: s
            .db_cluster_snapshot_identifier()
            .unwrap_or_default()
            .to_string(),
        arn: s.db_cluster_snapshot_arn().unwrap_or_default().to_string(),
        kind: RdsSnapshotKind::Cluster,
        source: s.db_cluster_identifier().unwrap_or_default().to_string(),
        snapshot_type: s.snapshot_type().unwrap_or_default().to_string(),
        encrypted: s.storage_encrypted().unwrap_or(false),
        restorable_by: Vec::new(),
    });
    let snapshots: Vec<RdsSnapshot> = db.chain(cluster).collect();
    try_join_all(snapshots.into_iter().map(|mut s| async move {
        // Only manual snapshots can be shared; any other type (automated, and whatever
        // AWS adds) is asked too unless AWS says it is automated, so a new kind is not
        // skipped unread.
        if s.snapshot_type != "automated" {
            s.restorable_by = restore_attribute(client, &s).await?;
        }
        Ok(s)
    }))
    .await
}

async fn restore_attribute(
    client: &aws_sdk_rds::Client,
    s: &RdsSnapshot,
) -> Result<Vec<String>, Unavailable> {
    let restore =
        |name: Option<&str>, values: &[String]| (name == Some("restore")).then(|| values.to_vec());
    let values = match s.kind {
        RdsSnapshotKind::Db => client
            .describe_db_snapshot_attributes()
            .db_snapshot_identifier(&s.id)
            .send()
            .await
            .map_err(|e| unavailable(action!(RdsSnapshots, DescribeDBSnapshotAttributes), e))?
            .db_snapshot_attributes_result()
            .into_iter()
            .flat_map(|r| r.db_snapshot_attributes())
            .filter_map(|a| restore(a.attribute_name(), a.attribute_values()))
            .flatten()
            .collect(),
        RdsSnapshotKind::Cluster => client
            .describe_db_cluster_snapshot_attributes()
            .db_cluster_snapshot_identifier(&s.id)
            .send()
            .await
            .map_err(|e| {
                unavailable(
                    action!(RdsSnapshots, DescribeDBClusterSnapshotAttributes),
                    e,
                )
            })?
            .db_cluster_snapshot_attributes_result()
            .into_iter()
            .flat_map(|r| r.db_cluster_snapshot_attributes())
            .filter_map(|a| restore(a.attribute_name(), a.attribute_values()))
            .flatten()
            .collect(),
    };
    Ok(values)
}
