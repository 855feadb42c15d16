//! RDS: DB clusters and their member instances.

use super::*;

#[tokio::test]
async fn db_clusters_and_instance_membership_are_collected() {
    use aws_sdk_rds::operation::describe_db_clusters::{
        DescribeDBClustersError, DescribeDbClustersOutput,
    };
    use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
    use aws_sdk_rds::types::{DbCluster, DbClusterMember, DbInstance};
    let instances = mock!(aws_sdk_rds::Client::describe_db_instances).then_output(|| {
        DescribeDbInstancesOutput::builder()
            .db_instances(
                DbInstance::builder()
                    .db_instance_identifier("ledger-1")
                    .engine("aurora-postgresql")
                    .db_cluster_identifier("ledger")
                    .publicly_accessible(true)
                    .build(),
            )
            // An answer without PubliclyAccessible (moto, when it was not asked for).
            .db_instances(
                DbInstance::builder()
                    .db_instance_identifier("quiet")
                    .build(),
            )
            .build()
    });
    let clusters = mock!(aws_sdk_rds::Client::describe_db_clusters).then_output(|| {
        DescribeDbClustersOutput::builder()
            .db_clusters(
                DbCluster::builder()
                    .db_cluster_identifier("ledger")
                    .db_cluster_arn("arn:aws:rds:eu-west-1:123456789012:cluster:ledger")
                    .engine("aurora-postgresql")
                    .multi_az(false)
                    .db_cluster_members(
                        DbClusterMember::builder()
                            .db_instance_identifier("ledger-1")
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_rds, RuleMode::MatchAny, &[&instances, &clusters]);
    let dbs = tomscan::collect::rds::db_instances(&client).await.unwrap();
    assert_eq!(dbs[0].cluster_id.as_deref(), Some("ledger"));
    assert_eq!(dbs[0].publicly_accessible, Some(true));
    assert_eq!(
        dbs[1].publicly_accessible, None,
        "absent is unknown, never private"
    );
    let list = tomscan::collect::rds::db_clusters(&client).await.unwrap();
    assert_eq!(list[0].members, ["ledger-1"]);
    assert!(!list[0].multi_az);
    let outcomes = judge(
        "RDS-02",
        tomscan::inventory::Regional {
            db_instances: Collected::Ok(dbs[..1].to_vec()),
            db_clusters: Collected::Ok(list),
            ..Default::default()
        },
    );
    assert_eq!(
        outcomes,
        [(
            Status::Fail,
            "arn:aws:rds:eu-west-1:123456789012:cluster:ledger".to_string()
        )],
        "the member is judged through its single-AZ cluster"
    );

    let denied = mock!(aws_sdk_rds::Client::describe_db_clusters).then_error(|| {
        DescribeDBClustersError::generic(ErrorMetadata::builder().code("AccessDenied").build())
    });
    let client = mock_client!(aws_sdk_rds, &[&denied]);
    let err = tomscan::collect::rds::db_clusters(&client)
        .await
        .unwrap_err();
    assert_eq!(err.action, "rds:DescribeDBClusters");
}
