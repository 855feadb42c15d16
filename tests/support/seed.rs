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
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Region {
    pub ebs_encryption_by_default: bool,
    pub vpcs: Vec<Vpc>,
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
}

impl Scenario {
    /// Every region the scenario puts something in.
    pub fn region_names(&self) -> Vec<String> {
        let mut r: Vec<String> = self.regions.keys().cloned().collect();
        r.extend(self.buckets.iter().map(|b| b.region.clone()));
        r.extend(self.trails.iter().map(|t| t.region.clone()));
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
            let rule = ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(alg.as_str().into())
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
    }
    for (name, region) in &s.regions {
        seed_region(
            &aws_sdk_ec2::Client::new(&moto.sdk_config(name).await),
            name,
            region,
        )
        .await;
    }
    for t in &s.trails {
        let ct = aws_sdk_cloudtrail::Client::new(&moto.sdk_config(&t.region).await);
        ct.create_trail()
            .name(&t.name)
            .s3_bucket_name(&t.bucket)
            .is_multi_region_trail(t.multi_region)
            .enable_log_file_validation(t.log_file_validation)
            .send()
            .await
            .expect("create trail");
        if t.logging {
            ct.start_logging()
                .name(&t.name)
                .send()
                .await
                .expect("start logging");
        }
    }
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

async fn seed_region(ec2: &aws_sdk_ec2::Client, name: &str, r: &Region) {
    if r.ebs_encryption_by_default {
        ec2.enable_ebs_encryption_by_default()
            .send()
            .await
            .expect("ebs default encryption");
    }
    for v in &r.vpcs {
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
            ec2.run_instances()
                .image_id("ami-0tomscan0000001")
                .instance_type(aws_sdk_ec2::types::InstanceType::T3Micro)
                .min_count(1)
                .max_count(1)
                .subnet_id(&subnets[subnet])
                .send()
                .await
                .expect("run instance");
        }
    }
}
