//! The region footprint (measure 3): every kind of listing, each failing alone.

use super::*;

#[tokio::test]
async fn region_footprint_lists_every_kind_and_a_failed_listing_is_unavailable_alone() {
    use aws_sdk_ec2::operation::describe_images::DescribeImagesOutput;
    use aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput;
    use aws_sdk_ec2::operation::describe_snapshots::DescribeSnapshotsOutput;
    use aws_sdk_ec2::operation::describe_volumes::DescribeVolumesError;
    use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsOutput;
    use aws_sdk_ec2::types::{
        Image, Instance, InstanceState, InstanceStateName, Reservation, Snapshot, Vpc,
    };
    use aws_sdk_rds::operation::describe_db_cluster_snapshots::DescribeDbClusterSnapshotsOutput;
    use aws_sdk_rds::operation::describe_db_clusters::DescribeDbClustersOutput;
    use aws_sdk_rds::operation::describe_db_instances::DescribeDbInstancesOutput;
    use aws_sdk_rds::operation::describe_db_snapshots::DescribeDbSnapshotsOutput;
    use aws_sdk_rds::types::{DbCluster, DbInstance, DbSnapshot};
    use aws_sdk_resourcegroupstagging::operation::get_resources::GetResourcesOutput;
    use aws_sdk_resourcegroupstagging::types::ResourceTagMapping;
    const ACCT: &str = "123456789012";
    let arn = |r: &str| format!("arn:aws:ec2:us-east-1:{ACCT}:{r}");
    // The tagging API pages with PaginationToken.
    let tagged1 = mock!(aws_sdk_resourcegroupstagging::Client::get_resources)
        .match_requests(|r| r.pagination_token().is_none_or(str::is_empty))
        .then_output(|| {
            GetResourcesOutput::builder()
                .resource_tag_mapping_list(
                    ResourceTagMapping::builder()
                        .resource_arn(format!("arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"))
                        .build(),
                )
                .pagination_token("page-2")
                .build()
        });
    let tagged2 = mock!(aws_sdk_resourcegroupstagging::Client::get_resources)
        .match_requests(|r| r.pagination_token() == Some("page-2"))
        .then_output(|| {
            GetResourcesOutput::builder()
                .resource_tag_mapping_list(
                    ResourceTagMapping::builder()
                        .resource_arn(format!("arn:aws:logs:us-east-1:{ACCT}:log-group:app"))
                        .build(),
                )
                .build()
        });
    let instance = |id: &str, state: InstanceStateName| {
        Instance::builder()
            .instance_id(id)
            .state(InstanceState::builder().name(state).build())
            .build()
    };
    let instances = mock!(aws_sdk_ec2::Client::describe_instances).then_output(move || {
        DescribeInstancesOutput::builder()
            .reservations(
                Reservation::builder()
                    .instances(instance("i-0run", InstanceStateName::Running))
                    .instances(instance("i-0gone", InstanceStateName::Terminated))
                    .build(),
            )
            .build()
    });
    let volumes = mock!(aws_sdk_ec2::Client::describe_volumes).then_error(|| {
        DescribeVolumesError::generic(
            ErrorMetadata::builder()
                .code("UnauthorizedOperation")
                .message("explicit deny in a service control policy")
                .build(),
        )
    });
    let snapshots = mock!(aws_sdk_ec2::Client::describe_snapshots)
        .match_requests(|r| r.owner_ids() == ["self"])
        .then_output(|| {
            DescribeSnapshotsOutput::builder()
                .snapshots(
                    Snapshot::builder()
                        .snapshot_id("snap-0own")
                        .owner_id(ACCT)
                        .build(),
                )
                // An emulator that ignores OwnerIds lists Amazon's too.
                .snapshots(
                    Snapshot::builder()
                        .snapshot_id("snap-0amazon")
                        .owner_id("137112412989")
                        .build(),
                )
                .build()
        });
    let images = mock!(aws_sdk_ec2::Client::describe_images)
        .match_requests(|r| r.owners() == ["self"])
        .then_output(|| {
            DescribeImagesOutput::builder()
                .images(Image::builder().image_id("ami-0own").owner_id(ACCT).build())
                .build()
        });
    let vpcs = mock!(aws_sdk_ec2::Client::describe_vpcs).then_output(|| {
        DescribeVpcsOutput::builder()
            .vpcs(
                Vpc::builder()
                    .vpc_id("vpc-0default")
                    .is_default(true)
                    .build(),
            )
            .vpcs(Vpc::builder().vpc_id("vpc-0app").is_default(false).build())
            .build()
    });
    let rds_arn = |r: &str| format!("arn:aws:rds:us-east-1:{ACCT}:{r}");
    let dbs = mock!(aws_sdk_rds::Client::describe_db_instances).then_output(move || {
        DescribeDbInstancesOutput::builder()
            .db_instances(
                DbInstance::builder()
                    .db_instance_arn(rds_arn("db:orders"))
                    .build(),
            )
            .build()
    });
    let clusters = mock!(aws_sdk_rds::Client::describe_db_clusters).then_output(move || {
        DescribeDbClustersOutput::builder()
            .db_clusters(
                DbCluster::builder()
                    .db_cluster_arn(rds_arn("cluster:ledger"))
                    .build(),
            )
            .build()
    });
    let db_snaps = mock!(aws_sdk_rds::Client::describe_db_snapshots).then_output(move || {
        DescribeDbSnapshotsOutput::builder()
            .db_snapshots(
                DbSnapshot::builder()
                    .db_snapshot_arn(rds_arn("snapshot:orders-copy"))
                    .build(),
            )
            .build()
    });
    let cluster_snaps = mock!(aws_sdk_rds::Client::describe_db_cluster_snapshots)
        .then_output(|| DescribeDbClusterSnapshotsOutput::builder().build());
    let tagging = mock_client!(
        aws_sdk_resourcegroupstagging,
        RuleMode::MatchAny,
        &[&tagged1, &tagged2]
    );
    let ec2 = mock_client!(
        aws_sdk_ec2,
        RuleMode::MatchAny,
        &[&instances, &volumes, &snapshots, &images, &vpcs]
    );
    let rds = mock_client!(
        aws_sdk_rds,
        RuleMode::MatchAny,
        &[&dbs, &clusters, &db_snaps, &cluster_snaps]
    );
    let arns = tomscan::collect::residency::Arns {
        partition: "aws",
        region: "us-east-1",
        account: ACCT,
    };
    let fp = tomscan::collect::residency::region_footprint(&tagging, &ec2, &rds, &arns).await;
    assert_eq!(
        fp.tagged.ok().unwrap(),
        &[
            format!("arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"),
            format!("arn:aws:logs:us-east-1:{ACCT}:log-group:app"),
        ],
        "both pages"
    );
    assert_eq!(fp.instances.ok().unwrap(), &[arn("instance/i-0run")]);
    assert_eq!(fp.snapshots.ok().unwrap(), &[arn("snapshot/snap-0own")]);
    assert_eq!(fp.images.ok().unwrap(), &[arn("image/ami-0own")]);
    assert_eq!(fp.vpcs.ok().unwrap(), &[arn("vpc/vpc-0app")]);
    assert_eq!(fp.db_instances.ok().unwrap(), &[rds_arn("db:orders")]);
    assert_eq!(fp.db_clusters.ok().unwrap(), &[rds_arn("cluster:ledger")]);
    assert_eq!(
        fp.db_snapshots.ok().unwrap(),
        &[rds_arn("snapshot:orders-copy")]
    );
    assert_eq!(fp.db_cluster_snapshots.ok().unwrap().len(), 0);
    let Collected::Unavailable(u) = &fp.volumes else {
        panic!("{:?}", fp.volumes);
    };
    assert_eq!(u.action, "ec2:DescribeVolumes");

    // Judged: us-east-1 is not allowed; its unreadable volume listing is an error there,
    // and what was read still fails.
    let mut inv = Inventory {
        account_id: ACCT.into(),
        regions: vec!["eu-west-1".into()],
        ..Default::default()
    };
    inv.s3.buckets = Collected::Ok(vec![]);
    inv.cloudtrail.trails = Collected::Ok(vec![]);
    inv.footprint.enabled_regions = Collected::Ok(vec!["eu-west-1".into(), "us-east-1".into()]);
    inv.footprint.regions.insert("us-east-1".into(), fp);
    let settings = Settings {
        allowed_regions: vec!["eu-west-1".into()],
        ..Default::default()
    };
    let mut cx = Cx::new(&inv, &settings, chrono::Utc::now());
    (tomscan::checks::find("ACCT-01").unwrap().run)(&mut cx);
    let outcomes = cx.into_outcomes();
    let statuses: Vec<(Status, &str)> = outcomes
        .iter()
        .map(|o| (o.status, o.region.as_str()))
        .collect();
    assert!(
        statuses.contains(&(Status::Fail, "us-east-1"))
            && statuses.contains(&(Status::Error, "us-east-1")),
        "{outcomes:#?}"
    );
    // eu-west-1 is allowed: that it was not listed hides nothing that matters.
    assert!(
        !statuses.iter().any(|(_, r)| *r == "eu-west-1"),
        "{outcomes:#?}"
    );
}
