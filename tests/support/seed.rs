//! Account scenarios, and their seeding into moto through the AWS APIs.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{ACCOUNT_ID, Moto};

/// One emulated account, as data (`mocks/scenarios/*.json`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub description: String,
    /// Root facts in the real-AWS shape (see moto_server.py); absent: moto's shape.
    pub root: Option<Value>,
    pub password_policy: Option<PasswordPolicy>,
    /// Customer-managed policies.
    pub policies: Vec<Policy>,
    pub groups: Vec<Group>,
    pub users: Vec<User>,
    pub buckets: Vec<Bucket>,
    pub regions: BTreeMap<String, Region>,
    pub trails: Vec<Trail>,
    /// Account-wide S3 Block Public Access, all four settings.
    pub account_public_access_block: bool,
    /// The SECURITY alternate contact's e-mail address.
    pub security_contact: Option<String>,
    /// Trap fragments (`mocks/scenarios/traps/*.json`): what must fail in the scan.
    pub expect_fail: Vec<Trap>,
    // -- logging (4.f, 5.c): metric filters and flow-logged VPCs
    /// CloudWatch Logs metric filters, on log groups the trails create.
    pub metric_filters: Vec<MetricFilter>,
    /// VPCs with one flow log each, of a chosen traffic type.
    pub flow_logged_vpcs: Vec<FlowLoggedVpc>,
    /// IAM roles with their trust policies (policy documents).
    pub roles: Vec<Role>,
}

/// A metric filter publishing one metric (namespace `CISBenchmark`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricFilter {
    pub region: String,
    pub log_group: String,
    pub name: String,
    pub pattern: String,
    pub metric: String,
}

/// A VPC whose only flow log records `traffic_type` (`ACCEPT`, `REJECT`, `ALL`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowLoggedVpc {
    pub region: String,
    pub cidr: String,
    pub traffic_type: String,
    /// Flow logs go to this bucket of the scenario.
    pub bucket: String,
    /// Flow logs go instead to this CloudWatch Logs group, which does not exist: the flow
    /// log is ACTIVE, and its delivery FAILED.
    pub missing_log_group: Option<String>,
    /// Seeds moto's id generator just before the VPC is created, so its id is known in
    /// advance and a trap can name it (`vpc-...`); moto ids are otherwise random.
    pub id_seed: Option<u64>,
}

/// A resource that looks fine to a shallow check and is not: the check must `fail` it,
/// in the measure named.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trap {
    pub check: String,
    /// A substring of the failing finding's resource (an ARN, a bucket name, an id).
    pub resource: String,
    /// A substring the failing finding's evidence must hold too (a security group's
    /// name, where moto makes the id random).
    pub evidence: Option<String>,
    /// The TOM measure the check must report it under: `5.b`.
    pub measure: String,
    /// Why this is a trap, for the failure message.
    pub why: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    pub minimum_length: i32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub max_age_days: Option<i32>,
    pub reuse_prevention: Option<i32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub name: String,
    pub document: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Group {
    pub name: String,
    /// AWS-managed ARNs, or names of customer policies of this scenario.
    pub policies: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct User {
    pub name: String,
    pub console_password: bool,
    pub mfa: bool,
    pub access_keys: u8,
    pub policies: Vec<String>,
    pub inline_policies: Vec<Policy>,
    pub groups: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    /// `AES256`, `aws:kms`, or absent for none.
    pub encryption: Option<String>,
    pub public_access_block: bool,
    pub versioning: bool,
    /// Server access logs go to this bucket.
    pub logging_target: Option<String>,
    /// A policy denying requests without TLS.
    pub tls_only: bool,
    /// A policy letting anyone read objects.
    pub public_read: bool,
    pub tags: BTreeMap<String, String>,
    /// A bucket policy document put as given, instead of the `tls_only`/`public_read` one.
    pub policy: Option<Value>,
    /// An ACL grant of READ to this canonical user id, beside the owner's.
    pub acl_read_grant: Option<String>,
    /// With `encryption` `aws:kms`: encrypt with a new customer-managed key of the
    /// bucket's region, then schedule that key's deletion.
    pub kms_key_pending_deletion: bool,
    /// Delete the bucket (and what moto wrote into it) once every bucket is seeded: the
    /// buckets that log into it keep naming it.
    pub deleted_after_seeding: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Region {
    pub ebs_encryption_by_default: bool,
    pub vpcs: Vec<Vpc>,
    /// Every VPC of the region (the default one too) gets flow logs to this bucket.
    pub flow_logs_bucket: Option<String>,
    /// Let only HTTPS and return traffic (32768-65535) in from the internet through
    /// every network ACL, so no administration or database port is open there.
    pub harden_network_acls: bool,
    pub guardduty: bool,
    pub security_hub: bool,
    /// A recorder of all resources, recording, delivering to this bucket.
    pub config_bucket: Option<String>,
    /// Customer-managed keys; `true` when rotation is on.
    pub kms_keys: Vec<bool>,
    pub db_instances: Vec<DbInstance>,
    /// Instances' root volumes are encrypted.
    pub encrypt_volumes: bool,
    /// An application load balancer over the first VPC's subnets with a plain HTTP listener.
    pub http_load_balancer: bool,
    /// An application load balancer of this name over the first VPC's subnets whose HTTP
    /// listener redirects to HTTPS by default and forwards `/api/*` over plain HTTP by a
    /// rule: the default hides the exception.
    pub redirecting_load_balancer: Option<String>,
    /// An Auto Scaling group over the first VPC's subnets.
    pub auto_scaling_group: bool,
    /// Unencrypted volumes with a public snapshot each.
    pub public_snapshots: usize,
    /// Encrypted volumes with a snapshot each, shared with the account id given.
    pub shared_snapshots: Vec<String>,
    /// AMIs registered in the region, each launchable by the account id given.
    pub shared_images: Vec<String>,
    /// Customer-managed keys created with these key policies.
    pub kms_key_policies: Vec<Value>,
    /// A backup plan (moto cannot list its selections, so BAK-01 reports `error`).
    pub backup_plan: bool,
    /// Remove the scenario AMI and its (unencrypted) snapshot once instances run.
    pub drop_ami: bool,
    /// Turn rotation on for every key of the region, including the `alias/aws/ebs` key
    /// that moto creates as a customer-managed key.
    pub rotate_all_keys: bool,
    // -- network access, VPN and load balancers (issue 6)
    /// Revoke every rule, inbound and outbound, of every default security group of the
    /// region (moto, like AWS, gives each an allow-all outbound rule).
    pub empty_default_security_groups: bool,
    /// Classic Load Balancers, over the region's default subnets.
    pub classic_load_balancers: Vec<ClassicLoadBalancer>,
    // -- services slice (measure 3, RDS) --
    /// Log groups created with a tag: only the tagging API lists them (measure 3).
    pub tagged_log_groups: Vec<String>,
    /// DB clusters, each with its instances in the region's first zone.
    pub db_clusters: Vec<DbCluster>,
    /// Manual snapshots of this region's DB instances and clusters, shared as listed.
    pub rds_snapshots: Vec<RdsSnapshot>,
}

/// A manual RDS snapshot (RDS-04), taken after the region's databases exist.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RdsSnapshot {
    pub name: String,
    /// The DB instance it is taken from; or, with `cluster`, the DB cluster.
    pub of: String,
    pub cluster: bool,
    /// Values of the `restore` attribute: `all` or account ids.
    pub restore: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassicLoadBalancer {
    pub name: String,
    /// Availability Zones, e.g. `eu-west-1a`.
    pub zones: Vec<String>,
    /// (protocol, port), forwarded to the same port: `HTTP` or `TCP` (moto wants a real
    /// ACM certificate for `HTTPS` and `SSL`).
    pub listeners: Vec<(String, i32)>,
}

/// A DB cluster (services slice).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DbCluster {
    pub name: String,
    /// `aurora-postgresql`, `aurora-mysql`, ...
    pub engine: String,
    /// How many instances, all in one Availability Zone.
    pub instances: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DbInstance {
    pub name: String,
    pub multi_az: bool,
    pub encrypted: bool,
    /// Always sent: moto leaves the answer out when it was not asked.
    pub publicly_accessible: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Vpc {
    pub cidr: String,
    pub subnets: Vec<Subnet>,
    /// One running instance per entry, in the subnet of that index.
    pub instances: Vec<usize>,
    pub security_groups: Vec<SecurityGroup>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Subnet {
    pub cidr: String,
    pub az: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityGroup {
    pub name: String,
    pub ingress: Vec<Rule>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rule {
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    pub cidr: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub region: String,
    pub bucket: String,
    pub multi_region: bool,
    pub log_file_validation: bool,
    pub logging: bool,
    /// Deliver to a CloudWatch Logs group of this name.
    pub log_group: Option<String>,
    /// Encrypt with a new KMS key.
    pub kms: bool,
    /// Record S3 data events of every bucket.
    pub s3_data_events: bool,
    /// Management event sources the selector leaves out (`kms.amazonaws.com`).
    pub exclude_management_event_sources: Vec<String>,
    /// Advanced event selectors as the API takes them (`[{"Name": ..., "FieldSelectors":
    /// [{"Field": ..., "Equals": [...], "NotEquals": [...]}]}]`), instead of the basic one.
    pub advanced_event_selectors: Option<Value>,
    /// Delete the log group once the trail names it: CloudTrail never delivers there.
    pub log_group_deleted: bool,
}

impl Scenario {
    /// Every region the scenario puts something in.
    pub fn region_names(&self) -> Vec<String> {
        let mut r: Vec<String> = self.regions.keys().cloned().collect();
        r.extend(self.buckets.iter().map(|b| b.region.clone()));
        r.extend(self.trails.iter().map(|t| t.region.clone()));
        r.extend(self.flow_logged_vpcs.iter().map(|v| v.region.clone()));
        r.sort();
        r.dedup();
        r
    }
}

fn policy_arn(name: &str) -> String {
    if name.starts_with("arn:") {
        name.to_string()
    } else {
        format!("arn:aws:iam::{ACCOUNT_ID}:policy/{name}")
    }
}

/// Creates the scenario in the emulator. Panics on any failure: a test seeded wrong
/// must not go on to assert anything.
pub async fn seed(moto: &Moto, s: &Scenario) {
    let base = moto.sdk_config("us-east-1").await;
    seed_iam(&aws_sdk_iam::Client::new(&base), s).await;
    seed_roles(&aws_sdk_iam::Client::new(&base), &s.roles).await;
    for b in &s.buckets {
        let conf = moto.sdk_config(&b.region).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&conf)
                .force_path_style(true)
                .build(),
        );
        let mut create = s3.create_bucket().bucket(&b.name);
        if b.region != "us-east-1" {
            create = create.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(b.region.as_str().into())
                    .build(),
            );
        }
        create.send().await.expect("create bucket");
        if let Some(alg) = &b.encryption {
            use aws_sdk_s3::types::*;
            let key = if b.kms_key_pending_deletion {
                let kms = aws_sdk_kms::Client::new(&conf);
                let key = kms.create_key().send().await.expect("bucket key");
                let meta = key.key_metadata().unwrap();
                kms.schedule_key_deletion()
                    .key_id(meta.key_id())
                    .pending_window_in_days(7)
                    .send()
                    .await
                    .expect("schedule key deletion");
                meta.arn().map(str::to_string)
            } else {
                None
            };
            let rule = ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(alg.as_str().into())
                        .set_kms_master_key_id(key)
                        .build()
                        .unwrap(),
                )
                .build();
            s3.put_bucket_encryption()
                .bucket(&b.name)
                .server_side_encryption_configuration(
                    ServerSideEncryptionConfiguration::builder()
                        .rules(rule)
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .expect("put bucket encryption");
        }
        if s.buckets
            .iter()
            .any(|o| o.logging_target.as_deref() == Some(b.name.as_str()))
        {
            s3.put_bucket_acl()
                .bucket(&b.name)
                .acl(aws_sdk_s3::types::BucketCannedAcl::from(
                    "log-delivery-write",
                ))
                .send()
                .await
                .expect("log delivery acl");
        }
    }
    // Logging before policies: moto refuses a logging target whose policy names "*".
    for phase in [Phase::Settings, Phase::Policy] {
        for b in &s.buckets {
            let conf = moto.sdk_config(&b.region).await;
            let s3 = aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&conf)
                    .force_path_style(true)
                    .build(),
            );
            seed_bucket_settings(&s3, b, phase).await;
        }
    }
    for b in s.buckets.iter().filter(|b| b.deleted_after_seeding) {
        let conf = moto.sdk_config(&b.region).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&conf)
                .force_path_style(true)
                .build(),
        );
        // moto writes simulated access logs into a logging target.
        let objects = s3
            .list_objects_v2()
            .bucket(&b.name)
            .send()
            .await
            .expect("objects");
        for o in objects.contents() {
            s3.delete_object()
                .bucket(&b.name)
                .key(o.key().unwrap())
                .send()
                .await
                .expect("delete object");
        }
        s3.delete_bucket()
            .bucket(&b.name)
            .send()
            .await
            .expect("delete bucket");
    }
    if s.account_public_access_block {
        let conf = aws_sdk_s3control::config::Builder::from(&base)
            .endpoint_resolver(tomscan::aws::AsGiven::default())
            .build();
        aws_sdk_s3control::Client::from_conf(conf)
            .put_public_access_block()
            .account_id(ACCOUNT_ID)
            .public_access_block_configuration(
                aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .expect("account public access block");
    }
    if let Some(email) = &s.security_contact {
        aws_sdk_account::Client::new(&base)
            .put_alternate_contact()
            .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Security)
            .email_address(email)
            .name("Security team")
            .phone_number("+49 30 0000000")
            .title("Security")
            .send()
            .await
            .expect("security contact");
    }
    for (name, region) in &s.regions {
        let conf = moto.sdk_config(name).await;
        seed_region(&conf, name, region).await;
        seed_region_services(&conf, region).await;
        seed_network(&conf, region).await;
        seed_services_slice(&conf, region).await;
        seed_rds_snapshots(&conf, region).await;
    }
    for t in &s.trails {
        seed_trail(&moto.sdk_config(&t.region).await, t).await;
    }
    for f in &s.metric_filters {
        seed_metric_filter(&moto.sdk_config(&f.region).await, f).await;
    }
    for v in &s.flow_logged_vpcs {
        seed_flow_logged_vpc(moto, &moto.sdk_config(&v.region).await, v).await;
    }
}

async fn seed_trail(conf: &aws_config::SdkConfig, t: &Trail) {
    let ct = aws_sdk_cloudtrail::Client::new(conf);
    let mut create = ct
        .create_trail()
        .name(&t.name)
        .s3_bucket_name(&t.bucket)
        .is_multi_region_trail(t.multi_region)
        .enable_log_file_validation(t.log_file_validation);
    if let Some(group) = &t.log_group {
        aws_sdk_cloudwatchlogs::Client::new(conf)
            .create_log_group()
            .log_group_name(group)
            .send()
            .await
            .expect("log group");
        create = create
            .cloud_watch_logs_log_group_arn(format!(
                "arn:aws:logs:{}:{ACCOUNT_ID}:log-group:{group}:*",
                t.region
            ))
            .cloud_watch_logs_role_arn(format!(
                "arn:aws:iam::{ACCOUNT_ID}:role/cloudtrail-to-logs"
            ));
    }
    if t.kms {
        let key = aws_sdk_kms::Client::new(conf)
            .create_key()
            .send()
            .await
            .expect("kms key");
        let kms = aws_sdk_kms::Client::new(conf);
        let meta = key.key_metadata().unwrap();
        kms.enable_key_rotation()
            .key_id(meta.key_id())
            .send()
            .await
            .expect("key rotation");
        create = create.kms_key_id(meta.arn().unwrap());
    }
    create.send().await.expect("create trail");
    put_event_selectors(&ct, t).await;
    if t.log_group_deleted {
        aws_sdk_cloudwatchlogs::Client::new(conf)
            .delete_log_group()
            .log_group_name(
                t.log_group
                    .as_deref()
                    .expect("log_group_deleted needs log_group"),
            )
            .send()
            .await
            .expect("delete log group");
    }
    if t.logging {
        ct.start_logging()
            .name(&t.name)
            .send()
            .await
            .expect("start logging");
    }
}

/// Selectors as AWS reports them for every trail: moto answers none for a trail created
/// without, which on AWS would mean nothing is logged.
async fn put_event_selectors(ct: &aws_sdk_cloudtrail::Client, t: &Trail) {
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, ReadWriteType,
    };
    let put = ct.put_event_selectors().trail_name(&t.name);
    let put = if let Some(advanced) = &t.advanced_event_selectors {
        let strings = |v: &Value, key: &str| -> Option<Vec<String>> {
            v.get(key).and_then(Value::as_array).map(|a| {
                a.iter()
                    .map(|x| x.as_str().expect("selector values are strings").to_string())
                    .collect()
            })
        };
        let selectors = advanced
            .as_array()
            .expect("advanced_event_selectors is a list")
            .iter()
            .map(|sel| {
                let fields = sel["FieldSelectors"]
                    .as_array()
                    .expect("FieldSelectors")
                    .iter()
                    .map(|f| {
                        AdvancedFieldSelector::builder()
                            .field(f["Field"].as_str().expect("Field"))
                            .set_equals(strings(f, "Equals"))
                            .set_not_equals(strings(f, "NotEquals"))
                            .set_starts_with(strings(f, "StartsWith"))
                            .set_not_starts_with(strings(f, "NotStartsWith"))
                            .set_ends_with(strings(f, "EndsWith"))
                            .set_not_ends_with(strings(f, "NotEndsWith"))
                            .build()
                            .expect("field selector")
                    })
                    .collect();
                AdvancedEventSelector::builder()
                    .set_name(sel["Name"].as_str().map(str::to_string))
                    .set_field_selectors(Some(fields))
                    .build()
                    .expect("advanced selector")
            })
            .collect();
        put.set_advanced_event_selectors(Some(selectors))
    } else {
        let mut selector = EventSelector::builder()
            .read_write_type(ReadWriteType::All)
            .include_management_events(true)
            .set_exclude_management_event_sources(
                (!t.exclude_management_event_sources.is_empty())
                    .then(|| t.exclude_management_event_sources.clone()),
            );
        if t.s3_data_events {
            selector = selector.data_resources(
                DataResource::builder()
                    .r#type("AWS::S3::Object")
                    .values("arn:aws:s3")
                    .build(),
            );
        }
        put.event_selectors(selector.build())
    };
    put.send().await.expect("event selectors");
}

async fn seed_metric_filter(conf: &aws_config::SdkConfig, f: &MetricFilter) {
    aws_sdk_cloudwatchlogs::Client::new(conf)
        .put_metric_filter()
        .log_group_name(&f.log_group)
        .filter_name(&f.name)
        .filter_pattern(&f.pattern)
        .metric_transformations(
            aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                .metric_name(&f.metric)
                .metric_namespace("CISBenchmark")
                .metric_value("1")
                .build()
                .expect("metric transformation"),
        )
        .send()
        .await
        .expect("metric filter");
}

async fn seed_flow_logged_vpc(moto: &Moto, conf: &aws_config::SdkConfig, v: &FlowLoggedVpc) {
    let ec2 = aws_sdk_ec2::Client::new(conf);
    if let Some(seed) = v.id_seed {
        // The region's default VPC is created on its first request: before the seed,
        // so that only the seed decides the next id.
        ec2.describe_vpcs().send().await.expect("vpcs");
        moto_seed(moto, seed);
    }
    let vpc = ec2
        .create_vpc()
        .cidr_block(&v.cidr)
        .send()
        .await
        .expect("vpc");
    let id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let flow_log = ec2
        .create_flow_logs()
        .resource_ids(&id)
        .resource_type(aws_sdk_ec2::types::FlowLogsResourceType::Vpc)
        .traffic_type(aws_sdk_ec2::types::TrafficType::from(
            v.traffic_type.as_str(),
        ));
    let flow_log = match &v.missing_log_group {
        Some(group) => flow_log
            .log_group_name(group)
            .deliver_logs_permission_arn(format!("arn:aws:iam::{ACCOUNT_ID}:role/flow-logs")),
        None => flow_log
            .log_destination_type(aws_sdk_ec2::types::LogDestinationType::S3)
            .log_destination(format!("arn:aws:s3:::{}", v.bucket)),
    };
    flow_log.send().await.expect("flow log");
}

/// `POST /moto-api/seed?a=N`: moto draws ids from one generator this seeds.
fn moto_seed(moto: &Moto, seed: u64) {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", moto.port)).expect("moto");
    write!(
        conn,
        "POST /moto-api/seed?a={seed} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("seed request");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("seed answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "moto seed: {answer}");
}

async fn seed_iam(iam: &aws_sdk_iam::Client, s: &Scenario) {
    if let Some(p) = &s.password_policy {
        iam.update_account_password_policy()
            .minimum_password_length(p.minimum_length)
            .require_uppercase_characters(p.require_uppercase)
            .require_lowercase_characters(p.require_lowercase)
            .require_numbers(p.require_numbers)
            .require_symbols(p.require_symbols)
            .set_max_password_age(p.max_age_days)
            .set_password_reuse_prevention(p.reuse_prevention)
            .send()
            .await
            .expect("password policy");
    }
    for p in &s.policies {
        iam.create_policy()
            .policy_name(&p.name)
            .policy_document(p.document.to_string())
            .send()
            .await
            .expect("create policy");
    }
    for g in &s.groups {
        iam.create_group()
            .group_name(&g.name)
            .send()
            .await
            .expect("create group");
        for p in &g.policies {
            iam.attach_group_policy()
                .group_name(&g.name)
                .policy_arn(policy_arn(p))
                .send()
                .await
                .expect("attach group policy");
        }
    }
    for u in &s.users {
        iam.create_user()
            .user_name(&u.name)
            .send()
            .await
            .expect("create user");
        if u.console_password {
            iam.create_login_profile()
                .user_name(&u.name)
                .password("Correct-Horse-Battery-9!")
                .send()
                .await
                .expect("login profile");
        }
        for _ in 0..u.access_keys {
            iam.create_access_key()
                .user_name(&u.name)
                .send()
                .await
                .expect("access key");
        }
        if u.mfa {
            let device = iam
                .create_virtual_mfa_device()
                .virtual_mfa_device_name(&u.name)
                .send()
                .await
                .expect("virtual mfa device");
            let serial = device
                .virtual_mfa_device()
                .unwrap()
                .serial_number()
                .to_string();
            iam.enable_mfa_device()
                .user_name(&u.name)
                .serial_number(serial)
                .authentication_code1("123456")
                .authentication_code2("654321")
                .send()
                .await
                .expect("enable mfa");
        }
        for p in &u.policies {
            iam.attach_user_policy()
                .user_name(&u.name)
                .policy_arn(policy_arn(p))
                .send()
                .await
                .expect("attach user policy");
        }
        for p in &u.inline_policies {
            iam.put_user_policy()
                .user_name(&u.name)
                .policy_name(&p.name)
                .policy_document(p.document.to_string())
                .send()
                .await
                .expect("inline policy");
        }
        for g in &u.groups {
            iam.add_user_to_group()
                .user_name(&u.name)
                .group_name(g)
                .send()
                .await
                .expect("add to group");
        }
    }
}

async fn seed_region(conf: &aws_config::SdkConfig, name: &str, r: &Region) {
    let ec2 = &aws_sdk_ec2::Client::new(conf);
    if r.ebs_encryption_by_default {
        ec2.enable_ebs_encryption_by_default()
            .send()
            .await
            .expect("ebs default encryption");
    }
    for (i, v) in r.vpcs.iter().enumerate() {
        let first = i == 0;
        let vpc = ec2
            .create_vpc()
            .cidr_block(&v.cidr)
            .send()
            .await
            .expect("vpc");
        let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
        let mut subnets = Vec::new();
        for s in &v.subnets {
            let out = ec2
                .create_subnet()
                .vpc_id(&vpc_id)
                .cidr_block(&s.cidr)
                .availability_zone(&s.az)
                .send()
                .await
                .unwrap_or_else(|e| panic!("subnet {} in {name}: {e:?}", s.cidr));
            subnets.push(out.subnet().unwrap().subnet_id().unwrap().to_string());
        }
        for sg in &v.security_groups {
            let out = ec2
                .create_security_group()
                .group_name(&sg.name)
                .description(format!("{} (tomscan scenario)", sg.name))
                .vpc_id(&vpc_id)
                .send()
                .await
                .expect("security group");
            let id = out.group_id().unwrap().to_string();
            for rule in &sg.ingress {
                use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range};
                let mut perm = IpPermission::builder()
                    .ip_protocol(&rule.protocol)
                    .from_port(rule.from_port)
                    .to_port(rule.to_port);
                perm = if rule.cidr.contains(':') {
                    perm.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(&rule.cidr).build())
                } else {
                    perm.ip_ranges(IpRange::builder().cidr_ip(&rule.cidr).build())
                };
                ec2.authorize_security_group_ingress()
                    .group_id(&id)
                    .ip_permissions(perm.build())
                    .send()
                    .await
                    .expect("ingress rule");
            }
        }
        for &subnet in &v.instances {
            use aws_sdk_ec2::types::{BlockDeviceMapping, EbsBlockDevice};
            ec2.run_instances()
                .image_id("ami-0tomscan0000001")
                .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                .min_count(1)
                .max_count(1)
                .subnet_id(&subnets[subnet])
                .block_device_mappings(
                    BlockDeviceMapping::builder()
                        .device_name("/dev/xvda")
                        .ebs(
                            EbsBlockDevice::builder()
                                .volume_size(8)
                                .encrypted(r.encrypt_volumes)
                                .build(),
                        )
                        .build(),
                )
                .send()
                .await
                .expect("run instance");
        }
        if r.http_load_balancer && subnets.len() >= 2 {
            let name = format!("web-{}", &vpc_id[4..12]);
            seed_load_balancer(conf, &name, &vpc_id, &subnets, false).await;
        }
        if let Some(name) = r.redirecting_load_balancer.as_ref().filter(|_| first) {
            assert!(
                subnets.len() >= 2,
                "{name}: the first VPC needs two subnets"
            );
            seed_load_balancer(conf, name, &vpc_id, &subnets, true).await;
        }
        if r.auto_scaling_group {
            let asg = aws_sdk_autoscaling::Client::new(conf);
            asg.create_launch_configuration()
                .launch_configuration_name(format!("web-{vpc_id}"))
                .image_id("ami-0tomscan0000001")
                .instance_type("t3.micro")
                .send()
                .await
                .expect("launch configuration");
            asg.create_auto_scaling_group()
                .auto_scaling_group_name(format!("web-{vpc_id}"))
                .launch_configuration_name(format!("web-{vpc_id}"))
                .min_size(0)
                .max_size(2)
                .desired_capacity(0)
                .vpc_zone_identifier(subnets.join(","))
                .send()
                .await
                .expect("auto scaling group");
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Settings,
    Policy,
}

async fn seed_bucket_settings(s3: &aws_sdk_s3::Client, b: &Bucket, phase: Phase) {
    if phase == Phase::Policy {
        return seed_bucket_policy(s3, b).await;
    }
    if let Some(grantee) = &b.acl_read_grant {
        use aws_sdk_s3::types::{AccessControlPolicy, Grant, Grantee, Permission, Type};
        let acl = s3
            .get_bucket_acl()
            .bucket(&b.name)
            .send()
            .await
            .expect("acl");
        let owner = acl.owner().expect("the bucket's owner").clone();
        let owner_id = owner.id().expect("the owner's canonical id").to_string();
        let grant = |id: &str, permission: Permission| {
            Grant::builder()
                .grantee(
                    Grantee::builder()
                        .r#type(Type::CanonicalUser)
                        .id(id)
                        .build()
                        .unwrap(),
                )
                .permission(permission)
                .build()
        };
        s3.put_bucket_acl()
            .bucket(&b.name)
            .access_control_policy(
                AccessControlPolicy::builder()
                    .owner(owner)
                    .grants(grant(&owner_id, Permission::FullControl))
                    .grants(grant(grantee, Permission::Read))
                    .build(),
            )
            .send()
            .await
            .expect("acl grant");
    }
    if b.public_access_block {
        s3.put_public_access_block()
            .bucket(&b.name)
            .public_access_block_configuration(
                aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .expect("bucket public access block");
    }
    if b.versioning {
        s3.put_bucket_versioning()
            .bucket(&b.name)
            .versioning_configuration(
                aws_sdk_s3::types::VersioningConfiguration::builder()
                    .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .expect("versioning");
    }
    if let Some(target) = &b.logging_target {
        s3.put_bucket_logging()
            .bucket(&b.name)
            .bucket_logging_status(
                aws_sdk_s3::types::BucketLoggingStatus::builder()
                    .logging_enabled(
                        aws_sdk_s3::types::LoggingEnabled::builder()
                            .target_bucket(target)
                            .target_prefix(format!("{}/", b.name))
                            .build()
                            .unwrap(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("bucket logging");
    }
    if !b.tags.is_empty() {
        let tags = b.tags.iter().map(|(k, v)| {
            aws_sdk_s3::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .unwrap()
        });
        s3.put_bucket_tagging()
            .bucket(&b.name)
            .tagging(
                aws_sdk_s3::types::Tagging::builder()
                    .set_tag_set(Some(tags.collect()))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("bucket tags");
    }
}

async fn seed_bucket_policy(s3: &aws_sdk_s3::Client, b: &Bucket) {
    if let Some(policy) = &b.policy {
        s3.put_bucket_policy()
            .bucket(&b.name)
            .policy(policy.to_string())
            .send()
            .await
            .expect("bucket policy as given");
        return;
    }
    let arn = format!("arn:aws:s3:::{}", b.name);
    let mut statements = Vec::new();
    if b.tls_only {
        statements.push(serde_json::json!({
            "Sid": "DenyWithoutTls", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [arn, format!("{arn}/*")],
            "Condition": { "Bool": { "aws:SecureTransport": "false" } }
        }));
    }
    if b.public_read {
        statements.push(serde_json::json!({
            "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": format!("{arn}/*")
        }));
    }
    if !statements.is_empty() {
        s3.put_bucket_policy()
            .bucket(&b.name)
            .policy(
                serde_json::json!({ "Version": "2012-10-17", "Statement": statements }).to_string(),
            )
            .send()
            .await
            .expect("bucket policy");
    }
}

/// An application load balancer with an HTTP listener on port 80 that forwards to a
/// target group; or, with `redirect`, that redirects to HTTPS by default and forwards
/// `/api/*` by a rule.
async fn seed_load_balancer(
    conf: &aws_config::SdkConfig,
    name: &str,
    vpc_id: &str,
    subnets: &[String],
    redirect: bool,
) {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, PathPatternConditionConfig, ProtocolEnum, RedirectActionConfig,
        RedirectActionStatusCodeEnum, RuleCondition,
    };
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(conf);
    let lb = elb
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(subnets.to_vec()))
        .send()
        .await
        .expect("load balancer");
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_string();
    let tg = elb
        .create_target_group()
        .name(name)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc_id)
        .send()
        .await
        .expect("target group");
    let tg_arn = tg.target_groups()[0]
        .target_group_arn()
        .unwrap()
        .to_string();
    let forward = Action::builder()
        .r#type(ActionTypeEnum::Forward)
        .target_group_arn(tg_arn)
        .build();
    let default = if redirect {
        Action::builder()
            .r#type(ActionTypeEnum::Redirect)
            .redirect_config(
                RedirectActionConfig::builder()
                    .protocol("HTTPS")
                    .port("443")
                    .status_code(RedirectActionStatusCodeEnum::Http301)
                    .build(),
            )
            .build()
    } else {
        forward.clone()
    };
    let listener = elb
        .create_listener()
        .load_balancer_arn(lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(default)
        .send()
        .await
        .expect("listener");
    if redirect {
        let arn = listener.listeners()[0].listener_arn().unwrap();
        elb.create_rule()
            .listener_arn(arn)
            .priority(10)
            .conditions(
                RuleCondition::builder()
                    .field("path-pattern")
                    .path_pattern_config(
                        PathPatternConditionConfig::builder()
                            .values("/api/*")
                            .build(),
                    )
                    .build(),
            )
            .actions(forward)
            .send()
            .await
            .expect("listener rule");
    }
}

/// Region-wide settings, after the VPCs exist.
async fn seed_region_services(conf: &aws_config::SdkConfig, r: &Region) {
    let ec2 = aws_sdk_ec2::Client::new(conf);
    if let Some(bucket) = &r.flow_logs_bucket {
        let vpcs = ec2.describe_vpcs().send().await.expect("vpcs");
        let ids: Vec<String> = vpcs
            .vpcs()
            .iter()
            .filter_map(|v| v.vpc_id().map(str::to_string))
            .collect();
        ec2.create_flow_logs()
            .set_resource_ids(Some(ids))
            .resource_type(aws_sdk_ec2::types::FlowLogsResourceType::Vpc)
            .traffic_type(aws_sdk_ec2::types::TrafficType::All)
            .log_destination_type(aws_sdk_ec2::types::LogDestinationType::S3)
            .log_destination(format!("arn:aws:s3:::{bucket}"))
            .send()
            .await
            .expect("flow logs");
    }
    if r.harden_network_acls {
        use aws_sdk_ec2::types::{PortRange, RuleAction};
        let acls = ec2
            .describe_network_acls()
            .send()
            .await
            .expect("network acls");
        for acl in acls.network_acls() {
            let id = acl.network_acl_id().unwrap();
            // The allow-all entry becomes HTTPS only; return traffic gets its own entries.
            ec2.replace_network_acl_entry()
                .network_acl_id(id)
                .rule_number(100)
                .protocol("6")
                .rule_action(RuleAction::Allow)
                .egress(false)
                .cidr_block("0.0.0.0/0")
                .port_range(PortRange::builder().from(443).to(443).build())
                .send()
                .await
                .expect("replace network acl entry");
            for (n, protocol) in [(110, "6"), (120, "17")] {
                ec2.create_network_acl_entry()
                    .network_acl_id(id)
                    .rule_number(n)
                    .protocol(protocol)
                    .rule_action(RuleAction::Allow)
                    .egress(false)
                    .cidr_block("0.0.0.0/0")
                    .port_range(PortRange::builder().from(32768).to(65535).build())
                    .send()
                    .await
                    .expect("network acl entry");
            }
        }
    }
    // Snapshots of new 1 GiB volumes, shared as the scenario says: with an account
    // (encrypted), or with `all` (unencrypted, the public ones).
    let shares = r
        .shared_snapshots
        .iter()
        .map(|account| (true, Some(account.as_str()), None))
        .chain((0..r.public_snapshots).map(|_| (false, None, Some("all"))));
    for (encrypted, user, group) in shares {
        let vol = ec2
            .create_volume()
            .availability_zone(format!("{}a", conf.region().unwrap()))
            .size(1)
            .encrypted(encrypted)
            .send()
            .await
            .expect("volume");
        let snap = ec2
            .create_snapshot()
            .volume_id(vol.volume_id().unwrap())
            .send()
            .await
            .expect("snapshot");
        ec2.modify_snapshot_attribute()
            .snapshot_id(snap.snapshot_id().unwrap())
            .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
            .operation_type(aws_sdk_ec2::types::OperationType::Add)
            .set_user_ids(user.map(|u| vec![u.to_string()]))
            .set_group_names(group.map(|g| vec![g.to_string()]))
            .send()
            .await
            .expect("shared snapshot");
    }
    for (i, account) in r.shared_images.iter().enumerate() {
        use aws_sdk_ec2::types::{LaunchPermission, LaunchPermissionModifications};
        let image = ec2
            .register_image()
            .name(format!("shared-image-{i}"))
            .root_device_name("/dev/xvda")
            .send()
            .await
            .expect("register image");
        ec2.modify_image_attribute()
            .image_id(image.image_id().unwrap())
            .launch_permission(
                LaunchPermissionModifications::builder()
                    .add(LaunchPermission::builder().user_id(account).build())
                    .build(),
            )
            .send()
            .await
            .expect("shared image");
    }
    if r.backup_plan {
        use aws_sdk_backup::types::{BackupPlanInput, BackupRuleInput};
        aws_sdk_backup::Client::new(conf)
            .create_backup_plan()
            .backup_plan(
                BackupPlanInput::builder()
                    .backup_plan_name("daily")
                    .rules(
                        BackupRuleInput::builder()
                            .rule_name("daily")
                            .target_backup_vault_name("Default")
                            .schedule_expression("cron(0 3 * * ? *)")
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("backup plan");
    }
    if r.drop_ami {
        // moto files the scenario AMI's snapshot under this account.
        ec2.deregister_image()
            .image_id("ami-0tomscan0000001")
            .send()
            .await
            .expect("deregister");
        let snaps = ec2
            .describe_snapshots()
            .owner_ids("self")
            .send()
            .await
            .expect("snapshots");
        for snap in snaps
            .snapshots()
            .iter()
            .filter(|s| s.encrypted() != Some(true))
        {
            ec2.delete_snapshot()
                .snapshot_id(snap.snapshot_id().unwrap())
                .send()
                .await
                .expect("delete snapshot");
        }
    }
    if r.guardduty {
        aws_sdk_guardduty::Client::new(conf)
            .create_detector()
            .enable(true)
            .send()
            .await
            .expect("guardduty");
    }
    if r.security_hub {
        aws_sdk_securityhub::Client::new(conf)
            .enable_security_hub()
            .send()
            .await
            .expect("security hub");
    }
    if let Some(bucket) = &r.config_bucket {
        use aws_sdk_config::types::{ConfigurationRecorder, DeliveryChannel, RecordingGroup};
        let cfg = aws_sdk_config::Client::new(conf);
        cfg.put_configuration_recorder()
            .configuration_recorder(
                ConfigurationRecorder::builder()
                    .name("default")
                    .role_arn(format!("arn:aws:iam::{ACCOUNT_ID}:role/config"))
                    .recording_group(
                        RecordingGroup::builder()
                            .all_supported(true)
                            .include_global_resource_types(true)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("config recorder");
        cfg.put_delivery_channel()
            .delivery_channel(
                DeliveryChannel::builder()
                    .name("default")
                    .s3_bucket_name(bucket)
                    .build(),
            )
            .send()
            .await
            .expect("delivery channel");
        cfg.start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .expect("start recorder");
    }
    let kms = aws_sdk_kms::Client::new(conf);
    for policy in &r.kms_key_policies {
        let key = kms
            .create_key()
            .policy(policy.to_string())
            .send()
            .await
            .expect("kms key with a policy");
        kms.enable_key_rotation()
            .key_id(key.key_metadata().unwrap().key_id())
            .send()
            .await
            .expect("key rotation");
    }
    for &rotate in &r.kms_keys {
        let key = kms.create_key().send().await.expect("kms key");
        if rotate {
            kms.enable_key_rotation()
                .key_id(key.key_metadata().unwrap().key_id())
                .send()
                .await
                .expect("key rotation");
        }
    }
    if r.rotate_all_keys {
        let keys = kms.list_keys().send().await.expect("keys");
        for key in keys.keys() {
            kms.enable_key_rotation()
                .key_id(key.key_id().unwrap())
                .send()
                .await
                .expect("key rotation");
        }
    }
    let rds = aws_sdk_rds::Client::new(conf);
    for db in &r.db_instances {
        // AWS names the key that encrypts an instance (its own aws/rds key when none is
        // given); moto names none unless asked, so the scenario gives one, rotating.
        let key = if db.encrypted {
            let key = kms.create_key().send().await.expect("db key");
            let meta = key.key_metadata().unwrap();
            kms.enable_key_rotation()
                .key_id(meta.key_id())
                .send()
                .await
                .expect("db key rotation");
            meta.arn().map(str::to_string)
        } else {
            None
        };
        rds.create_db_instance()
            .set_kms_key_id(key)
            .db_instance_identifier(&db.name)
            .engine("postgres")
            .db_instance_class("db.t3.micro")
            .allocated_storage(20)
            .master_username("tomscan")
            .master_user_password("not-a-real-password-1")
            .multi_az(db.multi_az)
            .storage_encrypted(db.encrypted)
            .publicly_accessible(db.publicly_accessible)
            .send()
            .await
            .expect("db instance");
    }
}

/// Network access, VPN and load balancers (issue 6): default groups emptied, Classic ELBs.
async fn seed_network(conf: &aws_config::SdkConfig, r: &Region) {
    if r.empty_default_security_groups {
        let ec2 = aws_sdk_ec2::Client::new(conf);
        let groups = ec2
            .describe_security_groups()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("group-name")
                    .values("default")
                    .build(),
            )
            .send()
            .await
            .expect("default security groups");
        for g in groups.security_groups() {
            let id = g.group_id().unwrap();
            if !g.ip_permissions().is_empty() {
                ec2.revoke_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(Some(g.ip_permissions().to_vec()))
                    .send()
                    .await
                    .expect("revoke default ingress");
            }
            if !g.ip_permissions_egress().is_empty() {
                ec2.revoke_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(Some(g.ip_permissions_egress().to_vec()))
                    .send()
                    .await
                    .expect("revoke default egress");
            }
        }
    }
    let elb = aws_sdk_elasticloadbalancing::Client::new(conf);
    for lb in &r.classic_load_balancers {
        use aws_sdk_elasticloadbalancing::types::Listener;
        let listeners = lb.listeners.iter().map(|(protocol, port)| {
            Listener::builder()
                .protocol(protocol)
                .load_balancer_port(*port)
                .instance_protocol(protocol)
                .instance_port(*port)
                .build()
                .expect("classic listener")
        });
        elb.create_load_balancer()
            .load_balancer_name(&lb.name)
            .set_availability_zones(Some(lb.zones.clone()))
            .set_listeners(Some(listeners.collect()))
            .send()
            .await
            .expect("classic load balancer");
    }
}

/// Services slice: tagged log groups (measure 3) and DB clusters (RDS-02).
async fn seed_services_slice(conf: &aws_config::SdkConfig, r: &Region) {
    let logs = aws_sdk_cloudwatchlogs::Client::new(conf);
    for group in &r.tagged_log_groups {
        logs.create_log_group()
            .log_group_name(group)
            .tags("owner", "services-slice")
            .send()
            .await
            .expect("tagged log group");
    }
    let rds = aws_sdk_rds::Client::new(conf);
    let zone = format!("{}a", conf.region().unwrap());
    for c in &r.db_clusters {
        rds.create_db_cluster()
            .db_cluster_identifier(&c.name)
            .engine(&c.engine)
            .master_username("tomscan")
            .master_user_password("not-a-real-password-1")
            .storage_encrypted(true)
            .send()
            .await
            .expect("db cluster");
        for n in 1..=c.instances {
            rds.create_db_instance()
                .db_instance_identifier(format!("{}-{n}", c.name))
                .db_cluster_identifier(&c.name)
                .engine(&c.engine)
                .db_instance_class("db.r6g.large")
                .availability_zone(&zone)
                .publicly_accessible(false)
                .send()
                .await
                .expect("db cluster instance");
        }
    }
}

/// Snapshots of the databases seeded above, shared through their `restore` attribute.
async fn seed_rds_snapshots(conf: &aws_config::SdkConfig, r: &Region) {
    let rds = aws_sdk_rds::Client::new(conf);
    for snap in &r.rds_snapshots {
        let restore = (!snap.restore.is_empty()).then(|| snap.restore.clone());
        if snap.cluster {
            rds.create_db_cluster_snapshot()
                .db_cluster_identifier(&snap.of)
                .db_cluster_snapshot_identifier(&snap.name)
                .send()
                .await
                .expect("db cluster snapshot");
            if restore.is_some() {
                rds.modify_db_cluster_snapshot_attribute()
                    .db_cluster_snapshot_identifier(&snap.name)
                    .attribute_name("restore")
                    .set_values_to_add(restore)
                    .send()
                    .await
                    .expect("share db cluster snapshot");
            }
        } else {
            rds.create_db_snapshot()
                .db_instance_identifier(&snap.of)
                .db_snapshot_identifier(&snap.name)
                .send()
                .await
                .expect("db snapshot");
            if restore.is_some() {
                rds.modify_db_snapshot_attribute()
                    .db_snapshot_identifier(&snap.name)
                    .attribute_name("restore")
                    .set_values_to_add(restore)
                    .send()
                    .await
                    .expect("share db snapshot");
            }
        }
    }
}

// ---------------------------------------------------------------- roles (policy traps)

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Role {
    pub name: String,
    /// The trust policy (`AssumeRolePolicyDocument`).
    pub trust_policy: Value,
    /// AWS-managed ARNs, or names of customer policies of this scenario.
    pub policies: Vec<String>,
}

async fn seed_roles(iam: &aws_sdk_iam::Client, roles: &[Role]) {
    for r in roles {
        iam.create_role()
            .role_name(&r.name)
            .assume_role_policy_document(r.trust_policy.to_string())
            .send()
            .await
            .expect("create role");
        for p in &r.policies {
            iam.attach_role_policy()
                .role_name(&r.name)
                .policy_arn(policy_arn(p))
                .send()
                .await
                .expect("attach role policy");
        }
    }
}
