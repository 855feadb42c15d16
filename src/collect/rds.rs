//! RDS DB instances and DB clusters (Aurora, DocumentDB, Neptune, Multi-AZ DB clusters).

use super::{action, paged, regional};
use crate::inventory::{DbCluster, DbInstance, Tags, Unavailable};

regional! {
    RdsInstances => db_instances: rds, db_instances;
    RdsClusters => db_clusters: rds, db_clusters;
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
