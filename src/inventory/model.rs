use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Collected;

/// Everything collected about one account. Fields a scan did not collect stay
/// `NotCollected`, so fixtures only spell out what a check reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Inventory {
    /// Bumped when the shape changes in a way old saved inventories cannot be read as.
    pub format_version: u32,
    pub account_id: String,
    pub partition: String,
    /// The regions this inventory covers.
    pub regions: Vec<String>,
    pub collected_at: Option<DateTime<Utc>>,
    pub iam: Iam,
    pub s3: S3,
    pub cloudtrail: CloudTrail,
    /// Regional sources, keyed by region name.
    pub regional: BTreeMap<String, Regional>,
}

pub const INVENTORY_FORMAT_VERSION: u32 = 1;

impl Inventory {
    pub fn partition_or_default(&self) -> &str {
        if self.partition.is_empty() {
            "aws"
        } else {
            &self.partition
        }
    }

    /// `arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE`.
    pub fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{region}:{}:{resource}",
            self.partition_or_default(),
            self.account_id
        )
    }

    pub fn root_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:root",
            self.partition_or_default(),
            self.account_id
        )
    }

    /// Findings about the account as a whole name it by its root ARN, as AWS does.
    pub fn account_arn(&self) -> String {
        self.root_arn()
    }
}

pub type Tags = BTreeMap<String, String>;

// ---------------------------------------------------------------- IAM (global)

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Iam {
    pub credential_report: Collected<CredentialReport>,
    pub account_summary: Collected<AccountSummary>,
    /// `Ok(None)`: the account has no password policy at all.
    pub password_policy: Collected<Option<PasswordPolicy>>,
    pub authorization: Collected<Authorization>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialReport {
    pub generated_at: Option<DateTime<Utc>>,
    /// The `<root_account>` row. Real AWS always has it; moto does not, so checks fall
    /// back to the account summary where they can.
    pub root: Option<CredentialUser>,
    pub users: Vec<CredentialUser>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialUser {
    pub user: String,
    pub arn: String,
    pub created: Option<DateTime<Utc>>,
    pub password_enabled: bool,
    pub password_last_used: Option<DateTime<Utc>>,
    pub password_last_changed: Option<DateTime<Utc>>,
    pub mfa_active: bool,
    /// Access keys 1 and 2, as the report lists them.
    pub access_keys: Vec<AccessKey>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessKey {
    pub active: bool,
    pub last_rotated: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
}

impl CredentialUser {
    pub fn active_keys(&self) -> impl Iterator<Item = &AccessKey> {
        self.access_keys.iter().filter(|k| k.active)
    }

    /// The last time anyone used this identity's password or keys.
    pub fn last_used(&self) -> Option<DateTime<Utc>> {
        self.access_keys
            .iter()
            .filter_map(|k| k.last_used)
            .chain(self.password_last_used)
            .max()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSummary {
    pub root_mfa_enabled: bool,
    pub root_access_keys_present: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    /// Days; `None` means passwords never expire.
    pub max_age_days: Option<u32>,
    /// How many previous passwords cannot be reused; `None` means any can.
    pub reuse_prevention: Option<u32>,
    pub allow_users_to_change: bool,
    pub hard_expiry: bool,
}

/// Who holds which policies, from `GetAccountAuthorizationDetails`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Authorization {
    pub users: Vec<Principal>,
    pub groups: Vec<Principal>,
    pub roles: Vec<Principal>,
    /// Managed policies attached to at least one principal (AWS-managed ones that
    /// nobody uses are left out: moto alone has ~1,500 of them).
    pub policies: Vec<ManagedPolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Principal {
    pub name: String,
    pub arn: String,
    /// Users only: the groups they belong to, by name.
    pub groups: Vec<String>,
    /// ARNs of attached managed policies.
    pub attached_policies: Vec<String>,
    pub inline_policies: Vec<InlinePolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InlinePolicy {
    pub name: String,
    pub document: serde_json::Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub aws_managed: bool,
    /// The default version's document.
    pub document: serde_json::Value,
}

impl Authorization {
    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policies.iter().find(|p| p.arn == arn)
    }

    pub fn group(&self, name: &str) -> Option<&Principal> {
        self.groups.iter().find(|g| g.name == name)
    }
}

// ---------------------------------------------------------------- S3 (global list)

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3 {
    pub buckets: Collected<Vec<Bucket>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    /// `Ok(None)`: no default encryption configured.
    pub encryption: Collected<Option<BucketEncryption>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    pub kms_key_id: Option<String>,
    pub bucket_key_enabled: bool,
}

// ---------------------------------------------------------------- CloudTrail

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CloudTrail {
    /// Every trail visible from the scanned regions, once each.
    pub trails: Collected<Vec<Trail>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    pub multi_region: bool,
    pub organization_trail: bool,
    pub log_file_validation: bool,
    pub s3_bucket: Option<String>,
    pub kms_key_id: Option<String>,
    pub cloudwatch_logs_log_group_arn: Option<String>,
    pub status: Collected<TrailStatus>,
    pub selectors: Collected<TrailSelectors>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrailSelectors {
    pub basic: Vec<EventSelector>,
    pub advanced: Vec<AdvancedSelector>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvancedSelector {
    pub name: Option<String>,
    /// Field name (`eventCategory`, `readOnly`, ...) to the values it must equal.
    pub equals: BTreeMap<String, Vec<String>>,
}

// ---------------------------------------------------------------- Regional

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Regional {
    pub instances: Collected<Vec<Instance>>,
    pub vpcs: Collected<Vec<Vpc>>,
    pub subnets: Collected<Vec<Subnet>>,
    pub security_groups: Collected<Vec<SecurityGroup>>,
    pub client_vpn_endpoints: Collected<Vec<ClientVpnEndpoint>>,
    pub ebs_encryption_by_default: Collected<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Instance {
    pub id: String,
    /// `pending`, `running`, `stopped`, ...
    pub state: String,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub availability_zone: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Vpc {
    pub id: String,
    pub is_default: bool,
    pub cidr: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub availability_zone: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: Option<String>,
    pub ingress: Vec<IpRule>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IpRule {
    /// `tcp`, `udp`, `icmp`, or `-1` for every protocol.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub ipv4_ranges: Vec<String>,
    pub ipv6_ranges: Vec<String>,
}

impl IpRule {
    /// Whether the rule lets `port` in over TCP.
    pub fn admits_tcp_port(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" | "all" => true,
            "tcp" | "6" => match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => from <= port && port <= to,
                // An absent range on TCP means every port.
                _ => true,
            },
            _ => false,
        }
    }

    /// The ranges of this rule that are the whole internet.
    pub fn open_to_world(&self) -> Vec<&str> {
        self.ipv4_ranges
            .iter()
            .chain(&self.ipv6_ranges)
            .map(String::as_str)
            .filter(|c| matches!(*c, "0.0.0.0/0" | "::/0"))
            .collect()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientVpnEndpoint {
    pub id: String,
    pub status: String,
    /// `certificate-authentication`, `directory-service-authentication`,
    /// `federated-authentication`.
    pub authentication: Vec<String>,
    pub connection_logs_enabled: bool,
    pub tags: Tags,
}
