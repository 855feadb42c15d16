//! The region footprint (measure 3): every kind of listing, each failing alone.

use std::collections::BTreeMap;

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

/// Resource Explorer's index stands in for the eight data-store listings of the regions
/// the scan does not read, and ACCT-01 judges the same with and without it. The account
/// (moto, the compliant scenario) holds, outside the scanned regions, an instance in a
/// region the index covers and a volume in one whose local index does not replicate to
/// the aggregator; every other region holds only the default VPC moto makes. moto lacks
/// Resource Explorer: its index is moto's own resources, listed as Resource Explorer
/// lists them (aws-smithy-mocks), so the two footprints read the same account.
#[test]
fn the_resource_explorer_index_spares_listings_and_changes_no_verdict() {
    support::on_a_scan_worker(index_spares_listings());
}

async fn index_spares_listings() {
    use aws_sdk_resourceexplorer2::operation::list_resources::ListResourcesOutput;
    use aws_sdk_resourceexplorer2::types::IndexState;
    use tomscan::collect::{Target, residency};
    use tomscan::inventory::ResourceIndex;

    let scenario = support::load_scenario(&support::scenario_path("compliant"));
    let moto = support::Moto::start_with(scenario.root.as_ref(), &[]);
    support::seed::seed(&moto, &scenario).await;
    let scanned = scenario.region_names();
    let (held, uncovered) = ("eu-north-1", "ap-south-1");
    assert!(!scanned.iter().any(|r| r == held || r == uncovered));
    let moto = &moto;
    let ec2_in = |region: &'static str| async move {
        aws_sdk_ec2::Client::new(&moto.sdk_config(region).await)
    };
    ec2_in(held)
        .await
        .run_instances()
        .image_id("ami-0tomscan0000001")
        .min_count(1)
        .max_count(1)
        .send()
        .await
        .expect("an instance outside the scanned regions");
    ec2_in(uncovered)
        .await
        .create_volume()
        .availability_zone(format!("{uncovered}a"))
        .size(8)
        .send()
        .await
        .expect("a volume outside the scanned regions");

    let aws = tomscan::aws::Aws::from_config(moto.sdk_config("us-east-1").await);
    let target = Target {
        account_id: support::ACCOUNT_ID,
        partition: "aws",
        regions: &scanned,
    };
    let sources = tomscan::collect::expand([
        Source::RegionFootprint,
        Source::S3Buckets,
        Source::CloudTrailTrails,
    ]);
    let swept = aws.with_own_metrics();
    let without = tomscan::collect::collect(&swept, &target, &sources).await;
    let ResourceIndex::NotUsed { reason } = &without.footprint.index else {
        panic!(
            "moto has no Resource Explorer: {:?}",
            without.footprint.index
        );
    };
    assert!(
        reason.contains("resource-explorer-2:ListIndexes"),
        "{reason}"
    );
    let enabled = without.footprint.enabled_regions.ok().unwrap().clone();
    let unscanned: Vec<String> = enabled
        .iter()
        .filter(|r| !scanned.contains(r))
        .cloned()
        .collect();

    // The index: what moto holds in each region the scan does not read.
    let mut index = BTreeMap::new();
    for region in &unscanned {
        index.insert(region.clone(), indexed_resources(moto, region).await);
    }
    assert!(
        index[held]
            .iter()
            .any(|r| r.resource_type() == Some("ec2:instance"))
            && index[held]
                .iter()
                .any(|r| r.resource_type() == Some("ec2:vpc")),
        "{:?}",
        index[held]
    );
    let covered: Vec<String> = unscanned
        .iter()
        .filter(|r| *r != uncovered)
        .cloned()
        .collect();
    let view = resource_explorer::view("us-east-1");
    let asked = view.clone();
    let listing = mock!(aws_sdk_resourceexplorer2::Client::list_resources)
        .match_requests(move |r| r.view_arn() == Some(asked.as_str()))
        .then_compute_output(move |r| {
            let filter = r.filters().map(|f| f.filter_string()).unwrap_or_default();
            let region = filter.strip_prefix("region:").expect("one region asked");
            ListResourcesOutput::builder()
                .set_resources(index.get(region).cloned())
                .view_arn(&view)
                .build()
        });
    let explorer =
        resource_explorer::aggregator("us-east-1", &covered, IndexState::Active, None, &[&listing]);
    let asking = aws.with_own_metrics();
    let footprint =
        residency::collect_asking(&asking, &target, &sources, &|_| explorer.clone()).await;

    // The index was used, for the covered regions that hold no data store.
    let ResourceIndex::Used {
        covered_regions, ..
    } = &footprint.index
    else {
        panic!("{:?}", footprint.index);
    };
    let mut expected_covered = covered.clone();
    expected_covered.push("us-east-1".into());
    expected_covered.sort();
    expected_covered.dedup();
    assert_eq!(covered_regions, &expected_covered);
    assert_eq!(
        listing.num_calls(),
        covered.len(),
        "one listing per covered region"
    );
    let from_index: Vec<&String> = footprint
        .regions
        .iter()
        .filter(|(_, r)| r.from_index)
        .map(|(region, _)| region)
        .collect();
    let clean: Vec<&String> = covered.iter().filter(|r| *r != held).collect();
    assert_eq!(from_index, clean);
    // What the index does not know is listed: the instance's region and the uncovered one.
    let instances = |f: &tomscan::inventory::Footprint, r: &str| f.regions[r].instances.clone();
    assert_eq!(
        instances(&footprint, held),
        instances(&without.footprint, held)
    );
    assert_eq!(instances(&footprint, held).ok().map(Vec::len), Some(1));
    assert_eq!(
        footprint.regions[uncovered].volumes,
        without.footprint.regions[uncovered].volumes
    );

    // Fewer requests: the eight listings of each clean region, and the failed
    // ListIndexes, are not made.
    let calls = |aws: &tomscan::aws::Aws, op: &str| aws.metrics().per_operation().get(op).copied();
    let swept_calls = |op| calls(&swept, op).unwrap_or(0);
    let asked_calls = |op| calls(&asking, op).unwrap_or(0);
    for op in support::INDEXED_OPERATIONS {
        assert_eq!(swept_calls(op), enabled.len() as u64, "{op}");
        assert_eq!(
            asked_calls(op),
            (enabled.len() - clean.len()) as u64,
            "{op}"
        );
    }
    for op in [
        "EC2:DescribeVpcs",
        "Resource Groups Tagging API:GetResources",
    ] {
        assert_eq!(
            asked_calls(op),
            swept_calls(op),
            "{op} is listed everywhere"
        );
    }
    assert!(
        asking.metrics().requests() + 8 * clean.len() as u64 <= swept.metrics().requests(),
        "{} requests with the index, {} without",
        asking.metrics().requests(),
        swept.metrics().requests()
    );

    // The same verdicts, with the index said in the evidence.
    let mut with = without.clone();
    with.footprint = footprint;
    let settings = Settings {
        allowed_regions: scanned.clone(),
        ..Default::default()
    };
    let judged = |inv: &Inventory| {
        let mut cx = Cx::new(inv, &settings, chrono::Utc::now());
        (tomscan::checks::find("ACCT-01").unwrap().run)(&mut cx);
        cx.into_outcomes()
    };
    let (plain, indexed) = (judged(&without), judged(&with));
    let verdicts = |outcomes: &[tomscan::check::Outcome]| {
        outcomes
            .iter()
            .map(|o| {
                (
                    o.status,
                    o.region.clone(),
                    o.resource.clone(),
                    o.message.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(verdicts(&plain), verdicts(&indexed));
    let failed: BTreeSet<&str> = indexed
        .iter()
        .filter(|o| o.status == Status::Fail)
        .map(|o| o.region.as_str())
        .collect();
    assert_eq!(failed, BTreeSet::from([held, uncovered]), "{indexed:#?}");
    for o in &indexed {
        assert_eq!(o.evidence["resource_explorer"]["status"], "used", "{o:#?}");
    }
}

/// moto's resources in `region`, as Resource Explorer's index lists them: the default
/// VPC with its subnets and security group, and whatever else the test made there.
async fn indexed_resources(
    moto: &support::Moto,
    region: &str,
) -> Vec<aws_sdk_resourceexplorer2::types::Resource> {
    use aws_sdk_resourceexplorer2::types::Resource;
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config(region).await);
    let account = support::ACCOUNT_ID;
    let resource = |kind: &str, id: &str| {
        let (service, rtype) = kind.split_once(':').unwrap();
        Resource::builder()
            .arn(format!("arn:aws:{service}:{region}:{account}:{rtype}/{id}"))
            .owning_account_id(account)
            .region(region)
            .resource_type(kind)
            .service(service)
            .build()
    };
    let mut listed = Vec::new();
    for vpc in ec2.describe_vpcs().send().await.unwrap().vpcs() {
        listed.push(resource("ec2:vpc", vpc.vpc_id().unwrap()));
    }
    for subnet in ec2.describe_subnets().send().await.unwrap().subnets() {
        listed.push(resource("ec2:subnet", subnet.subnet_id().unwrap()));
    }
    for group in ec2
        .describe_security_groups()
        .send()
        .await
        .unwrap()
        .security_groups()
    {
        listed.push(resource("ec2:security-group", group.group_id().unwrap()));
    }
    for reservation in ec2
        .describe_instances()
        .send()
        .await
        .unwrap()
        .reservations()
    {
        for instance in reservation.instances() {
            listed.push(resource("ec2:instance", instance.instance_id().unwrap()));
        }
    }
    for volume in ec2.describe_volumes().send().await.unwrap().volumes() {
        listed.push(resource("ec2:volume", volume.volume_id().unwrap()));
    }
    listed
}

mod resource_explorer {
    use aws_sdk_resourceexplorer2::Client;
    use aws_sdk_resourceexplorer2::operation::get_default_view::GetDefaultViewOutput;
    use aws_sdk_resourceexplorer2::operation::get_index::GetIndexOutput;
    use aws_sdk_resourceexplorer2::operation::get_view::GetViewOutput;
    use aws_sdk_resourceexplorer2::operation::list_indexes::{ListIndexesError, ListIndexesOutput};
    use aws_sdk_resourceexplorer2::operation::list_resources::ListResourcesOutput;
    use aws_sdk_resourceexplorer2::types::{
        Index, IndexState, IndexType, Resource, SearchFilter, View,
    };
    use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
    use aws_smithy_types::error::ErrorMetadata;
    use tomscan::collect::resource_explorer::locate;
    use tomscan::inventory::ResourceIndex;

    const ACCT: &str = "123456789012";

    /// The default view of an account whose aggregator index is in `home`.
    pub(super) fn view(home: &str) -> String {
        format!("arn:aws:resource-explorer-2:{home}:{ACCT}:view/all/1")
    }

    /// Resource Explorer of an account whose aggregator index is in `home`, in `state`,
    /// replicating from `replicating`, and whose default view filters by `filter`; `extra`
    /// answers the rest (its listings).
    pub(super) fn aggregator(
        home: &'static str,
        replicating: &[String],
        state: IndexState,
        filter: Option<&'static str>,
        extra: &[&Rule],
    ) -> Client {
        let aggregator = mock!(Client::list_indexes)
            .match_requests(|r| r.r#type() == Some(&IndexType::Aggregator))
            .then_output(move || {
                ListIndexesOutput::builder()
                    .indexes(
                        Index::builder()
                            .region(home)
                            .r#type(IndexType::Aggregator)
                            .build(),
                    )
                    .build()
            });
        let replicating = replicating.to_vec();
        let index = mock!(Client::get_index).then_output(move || {
            GetIndexOutput::builder()
                .r#type(IndexType::Aggregator)
                .state(state.clone())
                .set_replicating_from(Some(replicating.clone()))
                .build()
        });
        let arn = view(home);
        let default_view = mock!(Client::get_default_view).then_output({
            let arn = arn.clone();
            move || GetDefaultViewOutput::builder().view_arn(&arn).build()
        });
        let view = mock!(Client::get_view)
            .match_requests({
                let arn = arn.clone();
                move |r| r.view_arn() == Some(arn.as_str())
            })
            .then_output(move || {
                let mut view = View::builder().view_arn(&arn);
                if let Some(f) = filter {
                    view = view.filters(SearchFilter::builder().filter_string(f).build().unwrap());
                }
                GetViewOutput::builder().view(view.build()).build()
            });
        let mut rules = vec![&aggregator, &index, &default_view, &view];
        rules.extend(extra);
        mock_client!(aws_sdk_resourceexplorer2, RuleMode::MatchAny, &rules)
    }

    /// An account whose aggregator is in eu-west-1, replicating from us-east-1, with
    /// `state` and a default view filtering by `filter`.
    fn account(state: IndexState, filter: Option<&'static str>, extra: &[&Rule]) -> Client {
        aggregator(
            "eu-west-1",
            &["us-east-1".to_string()],
            state,
            filter,
            extra,
        )
    }

    async fn not_used(client: Client) -> String {
        match locate("us-east-1", &|_| client.clone()).await {
            Err(ResourceIndex::NotUsed { reason }) => reason,
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("the index was used"),
        }
    }

    #[tokio::test]
    async fn a_view_that_filters_is_not_used() {
        let reason = not_used(account(IndexState::Active, Some("service:ec2"), &[])).await;
        assert!(
            reason.contains("filters") && reason.contains("service:ec2"),
            "{reason}"
        );
    }

    #[tokio::test]
    async fn an_aggregator_that_is_not_active_is_not_used() {
        let reason = not_used(account(IndexState::Updating, None, &[])).await;
        assert!(
            reason.contains("not active") && reason.contains("UPDATING"),
            "{reason}"
        );
    }

    #[tokio::test]
    async fn no_aggregator_and_no_permission_are_said_apart() {
        let none = mock!(Client::list_indexes).then_output(|| ListIndexesOutput::builder().build());
        let reason = not_used(mock_client!(aws_sdk_resourceexplorer2, &[&none])).await;
        assert_eq!(reason, "the account has no aggregator index");
        let denied = mock!(Client::list_indexes).then_error(|| {
            ListIndexesError::generic(
                ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("not authorized")
                    .build(),
            )
        });
        let reason = not_used(mock_client!(aws_sdk_resourceexplorer2, &[&denied])).await;
        assert!(
            reason.contains("resource-explorer-2:ListIndexes")
                && reason.contains("AccessDeniedException"),
            "{reason}"
        );
    }

    fn resource(account: &str, kind: Option<&str>) -> Resource {
        let mut r = Resource::builder()
            .arn(format!("arn:aws:ec2:us-east-1:{account}:thing/1"))
            .owning_account_id(account)
            .region("us-east-1");
        if let Some(kind) = kind {
            r = r.resource_type(kind);
        }
        r.build()
    }

    /// What the index lists in us-east-1 decides whether its data stores are listed.
    async fn holds(listed: Vec<Resource>) -> bool {
        let asked = view("eu-west-1");
        let listing = mock!(Client::list_resources)
            .match_requests(move |r| {
                r.view_arn() == Some(asked.as_str())
                    && r.filters().map(|f| f.filter_string()) == Some("region:us-east-1")
            })
            .then_output(move || {
                ListResourcesOutput::builder()
                    .set_resources(Some(listed.clone()))
                    .build()
            });
        let client = account(IndexState::Active, None, &[&listing]);
        let index = match locate("us-east-1", &|_| client.clone()).await {
            Ok(index) => index,
            Err(why) => panic!("{why:?}"),
        };
        assert!(
            index.covers("us-east-1") && index.covers("eu-west-1") && !index.covers("ap-south-1")
        );
        index.holds_data("us-east-1", ACCT).await.unwrap()
    }

    #[tokio::test]
    async fn only_default_networking_holds_no_data() {
        let listed = [
            "ec2:vpc",
            "ec2:subnet",
            "ec2:security-group",
            "ec2:network-acl",
        ]
        .map(|k| resource(ACCT, Some(k)));
        assert!(!holds(listed.to_vec()).await);
    }

    #[tokio::test]
    async fn a_data_store_of_each_indexed_kind_holds_data() {
        for kind in [
            "ec2:instance",
            "ec2:volume",
            "ec2:snapshot",
            "ec2:image",
            "rds:db",
            "rds:cluster",
            "rds:snapshot",
            "rds:cluster-snapshot",
        ] {
            assert!(holds(vec![resource(ACCT, Some(kind))]).await, "{kind}");
        }
    }

    /// Asked by service, so a type named otherwise than the listings' own costs the
    /// listings, never a verdict; other services are the tagging listing's.
    #[tokio::test]
    async fn any_ec2_type_but_networking_and_any_rds_type_may_be_a_data_store() {
        for kind in [
            "ec2:fleet",
            "ec2:snapshot-copy",
            "rds:db-instance",
            "rds:pg",
        ] {
            assert!(holds(vec![resource(ACCT, Some(kind))]).await, "{kind}");
        }
        for kind in ["lambda:function", "events:event-bus", "sqs:queue"] {
            assert!(!holds(vec![resource(ACCT, Some(kind))]).await, "{kind}");
        }
    }

    #[tokio::test]
    async fn another_accounts_instance_in_an_organization_view_is_not_this_accounts() {
        assert!(!holds(vec![resource("210987654321", Some("ec2:instance"))]).await);
    }

    #[tokio::test]
    async fn a_resource_without_a_type_or_a_full_page_cannot_be_ruled_out() {
        assert!(holds(vec![resource(ACCT, None)]).await, "untyped");
        let page = vec![resource(ACCT, Some("ec2:subnet")); 1000];
        assert!(holds(page).await, "a full page may be cut");
    }
}
