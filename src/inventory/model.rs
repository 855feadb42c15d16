use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Collected;
use super::policy::{PolicyDocument, bucket_policy_field, document_field};
use super::state::*;

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
    pub account: Account,
    /// Regional sources, keyed by region name.
    pub regional: BTreeMap<String, Regional>,
    /// Measure 3: what every enabled region hosts, whatever regions were scanned.
    pub footprint: Footprint,
    /// The organization's accounts, as `scan --org` listed them (empty when the scan
    /// did not list an organization): shares and trusts with them are not external.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organization_accounts: Vec<String>,
}

/// 2: typed policy documents, per-region trails, login profiles and the other facts of
/// the no-false-pass review. 3: who each EBS snapshot and AMI is shared with (replacing
/// the snapshot's `public`), ACL grantees, KMS key policies, Access Analyzer findings.
/// 4: whether Resource Explorer's index stood in for the footprint's listings.
pub const INVENTORY_FORMAT_VERSION: u32 = 4;

/// The partition a region belongs to, by its name's prefix (AWS names no region of one
/// partition with another's prefix): `cn-north-1` is `aws-cn`, `eu-west-1` is `aws`.
pub fn partition_of_region(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 7] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("eusc-", "aws-eusc"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

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
    /// Login profiles of the console users whose password was never used, by user name.
    /// A user missing here has no console password any more.
    pub login_profiles: Collected<BTreeMap<String, LoginProfile>>,
    pub account_summary: Collected<AccountSummary>,
    /// `Ok(None)`: the account has no password policy at all.
    pub password_policy: Collected<Option<PasswordPolicy>>,
    pub authorization: Collected<Authorization>,
    pub virtual_mfa_devices: Collected<Vec<VirtualMfaDevice>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoginProfile {
    /// When the current console password was first set (the initial password).
    pub created: Option<DateTime<Utc>>,
    /// IAM makes the user choose a new password at the next sign-in.
    pub password_reset_required: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VirtualMfaDevice {
    pub serial_number: String,
    /// The ARN of the user (or `...:root`) the device is assigned to, if any.
    pub user_arn: Option<String>,
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
    /// `AccountPasswordPresent`; `None` where the endpoint does not report it (moto).
    pub root_password_present: Option<bool>,
    pub root_signing_certificates_present: bool,
}

impl AccountSummary {
    /// Root has no password, no access key and no signing certificate: the state
    /// Organizations' centralised root access leaves a member account in. Nobody can
    /// sign in as root, so there is nothing for MFA to protect.
    pub fn root_has_no_credentials(&self) -> bool {
        self.root_password_present == Some(false)
            && !self.root_access_keys_present
            && !self.root_signing_certificates_present
    }
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
    /// Every customer-managed policy, and the AWS-managed ones that a user, group or
    /// role holds (`aws_managed`), each with its default version's document.
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
    /// Roles only: who may assume the role (`AssumeRolePolicyDocument`).
    #[serde(
        with = "document_field",
        skip_serializing_if = "document_field::is_not_collected"
    )]
    pub trust_policy: Collected<PolicyDocument>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InlinePolicy {
    pub name: String,
    /// The AWS policy JSON; `Unavailable` when it could not be parsed.
    #[serde(with = "document_field")]
    pub document: Collected<PolicyDocument>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub aws_managed: bool,
    /// How many users, groups and roles it is attached to (`AttachmentCount`); `None`
    /// when the inventory does not say.
    pub attachment_count: Option<u32>,
    /// The default version's document; `Unavailable` when it could not be parsed.
    #[serde(with = "document_field")]
    pub document: Collected<PolicyDocument>,
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
    /// Account-wide Block Public Access (S3 Control); `Ok(None)`: not configured.
    pub account_public_access_block: Collected<Option<PublicAccessBlock>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub fn all_on(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AclGrant {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    pub grantee_type: String,
    /// For groups: `http://acs.amazonaws.com/groups/global/AllUsers`, `.../AuthenticatedUsers`, ...
    pub grantee_uri: Option<String>,
    /// For canonical users: their canonical id; for e-mail grantees, the address.
    pub grantee_id: Option<String>,
    /// The grantee is the bucket's owner (the ACL's `Owner`).
    pub to_owner: bool,
    pub permission: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketVersioning {
    /// `Enabled`, `Suspended`, or empty when versioning was never turned on.
    pub status: VersioningStatus,
    pub mfa_delete: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    /// Empty when the location could not be read (see `region_unavailable`).
    pub region: String,
    /// Why the bucket's region is unknown: neither `ListBuckets` nor
    /// `GetBucketLocation` said. A check that needs the region reports `error` with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_unavailable: Option<super::Unavailable>,
    /// `Ok(None)`: no default encryption configured.
    pub encryption: Collected<Option<BucketEncryption>>,
    /// `Ok(None)`: no bucket-level Block Public Access configuration.
    pub public_access_block: Collected<Option<PublicAccessBlock>>,
    /// The bucket policy; `Ok(None)`: no policy. `Unavailable` also when it could not
    /// be parsed.
    #[serde(with = "bucket_policy_field")]
    pub policy: Collected<Option<PolicyDocument>>,
    /// AWS's own verdict on the policy (`GetBucketPolicyStatus` `IsPublic`);
    /// `Ok(None)`: no policy.
    pub policy_status: Collected<Option<bool>>,
    pub acl_grants: Collected<Vec<AclGrant>>,
    /// Server access logging target bucket; `Ok(None)`: logging off.
    pub logging_target: Collected<Option<String>>,
    pub versioning: Collected<BucketVersioning>,
    /// Object Lock enabled on the bucket.
    pub object_lock: Collected<bool>,
    pub tags: Collected<Tags>,
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
    /// Every trail listed by the scanned regions that answered, once each.
    /// `Unavailable` only when no region answered.
    pub trails: Collected<Vec<Trail>>,
    /// Regions whose `DescribeTrails` failed, with why. A trail that lives only there
    /// (single-region) is missing from `trails`; a multi-region trail is listed by every
    /// region, so one readable region is enough to see it.
    pub unlisted_regions: BTreeMap<String, super::Unavailable>,
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

impl Trail {
    /// The account that owns the trail (the management account for an organization
    /// trail seen from a member account), from its ARN.
    pub fn owner(&self) -> Option<&str> {
        self.arn.split(':').nth(4).filter(|a| !a.is_empty())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_error: Option<String>,
    /// When CloudTrail last delivered to the trail's CloudWatch Logs group; `None`:
    /// never.
    pub latest_cloudwatch_logs_delivery_time: Option<DateTime<Utc>>,
    pub latest_cloudwatch_logs_delivery_error: Option<String>,
}

/// What `GetEventSelectors` answered. Both empty means the trail logs nothing (AWS
/// always reports a trail's default as a selector).
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
    /// Event sources whose management events are not logged (`kms.amazonaws.com`,
    /// `rdsdata.amazonaws.com`).
    pub exclude_management_event_sources: Vec<String>,
    pub data_resources: Vec<DataResource>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataResource {
    /// `AWS::S3::Object`, `AWS::Lambda::Function`, ...
    pub resource_type: String,
    /// ARN prefixes; `arn:aws:s3` alone means every bucket.
    pub values: Vec<String>,
}

/// An event matches the selector when it matches every field selector.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvancedSelector {
    pub name: Option<String>,
    pub fields: Vec<FieldSelector>,
}

/// One field condition of an advanced selector, as AWS gives it: within one operator
/// the values are alternatives; the operators given all apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FieldSelector {
    /// `eventCategory`, `readOnly`, `eventSource`, `resources.type`, `resources.ARN`, ...
    pub field: String,
    pub equals: Vec<String>,
    pub not_equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}

impl FieldSelector {
    /// Whether an event whose field has `value` passes this condition, as CloudTrail
    /// evaluates it: each positive operator given needs one of its values to hold, each
    /// negative one none of them.
    pub fn matches(&self, value: &str) -> bool {
        let any = |list: &[String], f: &dyn Fn(&str) -> bool| list.iter().any(|v| f(v));
        (self.equals.is_empty() || any(&self.equals, &|v| value == v))
            && (self.starts_with.is_empty() || any(&self.starts_with, &|v| value.starts_with(v)))
            && (self.ends_with.is_empty() || any(&self.ends_with, &|v| value.ends_with(v)))
            && !any(&self.not_equals, &|v| value == v)
            && !any(&self.not_starts_with, &|v| value.starts_with(v))
            && !any(&self.not_ends_with, &|v| value.ends_with(v))
    }
}

impl AdvancedSelector {
    pub fn field(&self, name: &str) -> impl Iterator<Item = &FieldSelector> {
        self.fields.iter().filter(move |f| f.field == name)
    }
}

// ---------------------------------------------------------------- Account

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Account {
    /// The SECURITY alternate contact; `Ok(None)`: not set.
    pub security_contact: Collected<Option<Contact>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub email: String,
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
    pub network_acls: Collected<Vec<NetworkAcl>>,
    pub flow_logs: Collected<Vec<FlowLog>>,
    pub volumes: Collected<Vec<Volume>>,
    /// Snapshots this account owns.
    pub snapshots: Collected<Vec<Snapshot>>,
    /// Images (AMIs) this account owns.
    pub images: Collected<Vec<Image>>,
    pub vpn_connections: Collected<Vec<VpnConnection>>,
    pub load_balancers: Collected<Vec<LoadBalancer>>,
    pub auto_scaling_groups: Collected<Vec<AutoScalingGroup>>,
    pub db_instances: Collected<Vec<DbInstance>>,
    /// Aurora, DocumentDB, Neptune and Multi-AZ DB clusters.
    pub db_clusters: Collected<Vec<DbCluster>>,
    /// DB snapshots and DB cluster snapshots this account owns, with who may restore them.
    pub rds_snapshots: Collected<Vec<RdsSnapshot>>,
    pub kms_keys: Collected<Vec<KmsKey>>,
    /// KMS aliases of the region (`alias/app-data` -> key id), which settings may name
    /// instead of a key.
    pub kms_aliases: Collected<Vec<KmsAlias>>,
    pub backup_plans: Collected<Vec<BackupPlan>>,
    /// AWS Backup's resource-type opt-in of the region (`EBS`, `RDS`, `Aurora`, ...):
    /// a type opted out is not backed up by selections that do not name it.
    pub backup_opt_in: Collected<BTreeMap<String, bool>>,
    pub guardduty_detectors: Collected<Vec<GuardDutyDetector>>,
    /// `Ok(None)`: Security Hub is not enabled in the region.
    pub security_hub: Collected<Option<SecurityHub>>,
    pub config_recorders: Collected<Vec<ConfigRecorder>>,
    pub access_analyzers: Collected<Vec<AccessAnalyzer>>,
    pub metric_filters: Collected<Vec<MetricFilter>>,
    pub alarms: Collected<Vec<Alarm>>,
    /// SNS topics, which alarms notify through, with their subscriptions.
    pub sns_topics: Collected<Vec<SnsTopic>>,
    /// Managed prefix lists visible to the account, which security group rules name.
    pub prefix_lists: Collected<Vec<PrefixList>>,
    /// Classic Load Balancers (`kind` `classic`), from their own API.
    pub classic_load_balancers: Collected<Vec<LoadBalancer>>,
    /// Directory Service directories (Client VPN's Active Directory authentication).
    pub directories: Collected<Vec<Directory>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkAcl {
    pub id: String,
    pub vpc_id: String,
    pub is_default: bool,
    pub entries: Vec<NaclEntry>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NaclEntry {
    pub rule_number: i32,
    pub egress: bool,
    /// `-1` (all), `6` (tcp), `17` (udp), ...
    pub protocol: String,
    /// `allow` or `deny`.
    pub action: RuleAction,
    pub cidr: Option<String>,
    pub ipv6_cidr: Option<String>,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowLog {
    pub id: String,
    /// The VPC, subnet or interface it records.
    pub resource_id: String,
    /// `ACTIVE` when delivering.
    pub status: FlowLogStatus,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: TrafficType,
    /// `SUCCESS`, or `FAILED` when records cannot reach the destination (its role lost
    /// its permissions, the log group or bucket is gone): an `ACTIVE` flow log that
    /// delivers nothing.
    pub deliver_logs_status: Option<DeliveryStatus>,
    /// Why delivery failed: `Access error`, `Rate limited`, `Unknown error`.
    pub deliver_logs_error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Volume {
    pub id: String,
    pub encrypted: bool,
    pub kms_key_id: Option<String>,
    pub availability_zone: String,
    pub state: String,
    pub attached_instances: Vec<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Snapshot {
    pub id: String,
    /// The account that owns it: the listing asks for the account's own, which an
    /// emulator may not honour.
    pub owner_id: Option<String>,
    pub volume_id: Option<String>,
    pub encrypted: bool,
    /// Who may create a volume from it (`createVolumePermission`): `all` (public), or
    /// account ids. Read per snapshot: one denial is that snapshot's alone.
    pub shared_with: Collected<Vec<String>>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Image {
    pub id: String,
    /// The account that owns it, as for [`Snapshot::owner_id`].
    pub owner_id: Option<String>,
    pub name: String,
    /// `DescribeImages`' own answer, known even where the launch permission is not.
    pub public: bool,
    /// Who may launch it (`launchPermission`): `all`, account ids, organization or
    /// organizational unit ARNs.
    pub shared_with: Collected<Vec<String>>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VpnConnection {
    pub id: String,
    /// `available`, `pending`, `deleting`, `deleted`.
    pub state: VpnState,
    pub tunnels: Vec<VpnTunnel>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VpnTunnel {
    pub outside_ip: String,
    /// `UP` or `DOWN`.
    pub status: TunnelStatus,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadBalancer {
    /// Empty for Classic Load Balancers: their API names them, and checks build the ARN.
    pub arn: String,
    pub name: String,
    /// `application`, `network`, `gateway`, or `classic`.
    pub kind: LoadBalancerKind,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    pub vpc_id: Option<String>,
    pub availability_zones: Vec<String>,
    /// `Unavailable` when the listeners could not be read for this load balancer.
    pub listeners: Collected<Vec<Listener>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Listener {
    /// Empty for Classic listeners, which have no ARN.
    pub arn: String,
    pub port: i32,
    /// `HTTP`, `HTTPS`, `TCP`, `TLS`, `UDP`, `TCP_UDP`, `GENEVE`; Classic: `SSL` too.
    pub protocol: String,
    /// ELBv2: the predefined policy. Classic: the `Reference-Security-Policy` of the
    /// listener's SSL negotiation policy, or the custom policy's own name.
    pub ssl_policy: Option<String>,
    pub default_actions: Vec<ListenerAction>,
    /// ELBv2 HTTP listeners of application load balancers only: the rules besides the
    /// default, each of which can forward past a default that redirects to HTTPS.
    pub rules: Collected<Vec<ListenerRule>>,
    /// Classic only: the protocols the SSL negotiation policy enables (`TLSv1.2`,
    /// `TLSv1.1`, `TLSv1`, `SSLv3`). ELBv2 policies are predefined and known by name.
    pub ssl_protocols: Collected<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListenerRule {
    pub arn: String,
    /// `1` .. `50000`, lower first.
    pub priority: String,
    pub actions: Vec<ListenerAction>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListenerAction {
    /// `forward`, `redirect`, `fixed-response`, ...
    pub kind: ListenerActionKind,
    /// For redirects: the protocol redirected to (`HTTPS`).
    pub redirect_protocol: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoScalingGroup {
    pub name: String,
    pub arn: String,
    pub availability_zones: Vec<String>,
    pub desired_capacity: i32,
    pub instances: Vec<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DbInstance {
    pub id: String,
    pub arn: String,
    pub engine: String,
    pub multi_az: bool,
    pub storage_encrypted: bool,
    /// The KMS key that encrypts the storage.
    pub kms_key_id: Option<String>,
    /// `None` when RDS did not say (AWS always does; emulators may not).
    pub publicly_accessible: Option<bool>,
    /// The cluster this instance belongs to (Aurora, DocumentDB, Neptune, Multi-AZ DB
    /// cluster): its availability and backups are the cluster's.
    pub cluster_id: Option<String>,
    pub tags: Tags,
}

/// A copy of a database: an instance's DB snapshot or a cluster's DB cluster snapshot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RdsSnapshot {
    pub id: String,
    pub arn: String,
    pub kind: RdsSnapshotKind,
    /// The DB instance or DB cluster it was taken from.
    pub source: String,
    /// `manual` or `automated` (AWS lets only manual ones be shared).
    pub snapshot_type: String,
    pub encrypted: bool,
    /// Who may copy or restore it: the snapshot's `restore` attribute, `all` (public)
    /// or account ids. Empty for automated snapshots, which cannot be shared.
    pub restorable_by: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RdsSnapshotKind {
    /// A DB instance's snapshot (`DescribeDBSnapshots`).
    #[default]
    Db,
    /// A DB cluster's snapshot (`DescribeDBClusterSnapshots`): Aurora, DocumentDB, Neptune.
    Cluster,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DbCluster {
    pub id: String,
    pub arn: String,
    /// `aurora-mysql`, `aurora-postgresql`, `docdb`, `neptune`, `mysql`, `postgres`.
    pub engine: String,
    /// Whether the cluster has instances in more than one Availability Zone.
    pub multi_az: bool,
    pub storage_encrypted: bool,
    /// Identifiers of the member instances.
    pub members: Vec<String>,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KmsKey {
    pub id: String,
    pub arn: String,
    /// `DescribeKey`'s answer, per key: a key policy can deny it for one key alone.
    pub metadata: Collected<KeyMetadata>,
    pub rotation_enabled: Collected<bool>,
    /// The key policy (`default`), of customer-managed keys only: AWS-managed keys'
    /// policies are AWS's and fixed.
    pub policy: Collected<PolicyDocument>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KmsAlias {
    /// `alias/app-data`; `alias/aws/...` for AWS-managed keys.
    pub name: String,
    /// The key it points at; `None` for an AWS-managed alias whose key AWS has not
    /// created yet (it does on first use).
    pub target_key_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyMetadata {
    /// `AWS` or `CUSTOMER`.
    pub manager: KeyManager,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub state: KeyState,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, ... (only symmetric keys can rotate).
    pub spec: KeySpec,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`.
    pub origin: KeyOrigin,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupPlan {
    pub id: String,
    pub name: String,
    pub selections: Vec<BackupSelection>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupSelection {
    pub name: String,
    /// Resource ARNs or ARN patterns with `*`.
    pub resources: Vec<String>,
    pub not_resources: Vec<String>,
    /// `ListOfTags` (key, value), StringEquals: a resource carrying any of them is
    /// selected, as one matching `resources` is (OR).
    pub tags: Vec<(String, String)>,
    /// `Conditions`: each must hold (AND), on top of `resources` and `tags`.
    pub conditions: Vec<TagCondition>,
}

/// One condition of a backup selection's `Conditions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TagCondition {
    /// `StringEquals`, `StringNotEquals`, `StringLike` or `StringNotLike`.
    pub operator: String,
    /// The tag key, without the `aws:ResourceTag/` prefix.
    pub key: String,
    /// The value; `*` and `?` are wildcards for the `Like` operators.
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuardDutyDetector {
    pub id: String,
    /// `ENABLED` or `DISABLED`.
    pub status: DetectorStatus,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityHub {
    pub arn: String,
    /// ARNs of the enabled standards (read apart from the hub: an endpoint may answer
    /// one and not the other).
    pub standards: Collected<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigRecorder {
    pub name: String,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    /// The types a recording group lists (`INCLUSION_BY_RESOURCE_TYPES`).
    pub resource_types: Vec<String>,
    /// From the recorder status: is it recording now.
    pub recording: bool,
    /// From the recorder status: `SUCCESS`, `PENDING` or `FAILURE` (a recorder whose
    /// last attempt failed records nothing); `None` when there is no status.
    pub last_status: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessAnalyzer {
    pub arn: String,
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, ...
    pub kind: AnalyzerType,
    /// `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`.
    pub status: AnalyzerStatus,
    /// Active findings of an active external-access analyzer (`ACCOUNT`,
    /// `ORGANIZATION`): AWS's own reading of who outside can reach what.
    pub findings: Collected<Vec<AnalyzerFinding>>,
}

impl AccessAnalyzer {
    /// An active analyzer of external access (of the account or the organization);
    /// unused-access analyzers find no sharing.
    pub fn finds_external_access(&self) -> bool {
        self.status == AnalyzerStatus::Active
            && matches!(
                self.kind,
                AnalyzerType::Account | AnalyzerType::Organization
            )
    }
}

/// An active external-access finding of IAM Access Analyzer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyzerFinding {
    pub id: String,
    /// The resource's ARN (a bucket, key, role, snapshot, ...).
    pub resource: String,
    /// `AWS::S3::Bucket`, `AWS::KMS::Key`, `AWS::IAM::Role`, ...
    pub resource_type: String,
    /// Who outside it names: `{"AWS": "111122223333"}`, `{"Federated": ...}`.
    pub principal: BTreeMap<String, String>,
    pub is_public: bool,
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricFilter {
    pub name: String,
    pub log_group: String,
    pub pattern: String,
    /// (namespace, metric name) of each transformation.
    pub metrics: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Alarm {
    pub name: String,
    pub arn: String,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub actions_enabled: bool,
    pub alarm_actions: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnsTopic {
    pub arn: String,
    /// Read per topic: one denial is that topic's alone.
    pub subscriptions: Collected<Vec<SnsSubscription>>,
}

/// A subscription to a topic; its endpoint (an e-mail address, a phone number) is
/// personal data and not kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnsSubscription {
    /// `email`, `sms`, `https`, `lambda`, `sqs`, ...
    pub protocol: String,
    /// The subscriber confirmed it: its ARN is a real one, not `PendingConfirmation`.
    pub confirmed: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Instance {
    pub id: String,
    /// `pending`, `running`, `stopped`, ...
    pub state: InstanceState,
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
    /// `NotCollected` in inventories saved before tomscan read outbound rules, so such
    /// an inventory cannot pass a default group on its inbound rules alone.
    pub egress: Collected<Vec<IpRule>>,
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
    /// Managed prefix lists (`pl-...`) the rule admits: resolved through
    /// [`Regional::prefix_lists`], as they may hold any range, the internet too.
    pub prefix_list_ids: Vec<String>,
    /// Security groups (`sg-...`) whose members the rule admits: never the internet.
    pub referenced_groups: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientVpnEndpoint {
    pub id: String,
    pub status: ClientVpnStatus,
    /// `certificate-authentication`, `directory-service-authentication`,
    /// `federated-authentication`.
    pub authentication: Vec<String>,
    /// The Directory Service directories of `directory-service-authentication`.
    pub directory_ids: Vec<String>,
    /// The IAM SAML providers of `federated-authentication` (and of its self-service
    /// portal), which hold the identity provider that must ask for MFA.
    pub saml_provider_arns: Vec<String>,
    pub connection_logs_enabled: bool,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrefixList {
    pub id: String,
    pub name: String,
    /// `AWS` for AWS-managed lists (the ranges of an AWS service), else an account id.
    pub owner_id: String,
    /// The CIDRs of the current version. `NotCollected` for AWS-managed lists: AWS
    /// service ranges, never the whole internet.
    pub entries: Collected<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Directory {
    pub id: String,
    pub name: String,
    /// `SimpleAD`, `ADConnector`, `MicrosoftAD`, `SharedMicrosoftAD`.
    pub kind: String,
    /// `Active`, `Creating`, `Impaired`, ...
    pub stage: String,
    /// RADIUS (MFA) status: `Creating`, `Completed` or `Failed`; `None` when RADIUS was
    /// never configured.
    pub radius_status: Option<String>,
}

// ---------------------------------------------------------------- Footprint (measure 3)

/// What each enabled region hosts, from cheap listings made in every enabled region
/// whatever `--region` said: a resource in a region the scan was not pointed at is still
/// a resource outside the promised jurisdiction.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Footprint {
    /// The regions the account has enabled (`ec2:DescribeRegions`).
    pub enabled_regions: Collected<Vec<String>>,
    /// Region name -> its listings.
    pub regions: BTreeMap<String, RegionFootprint>,
    /// Whether Resource Explorer's index stood in for listings in the regions the scan
    /// did not read, and if not, why.
    #[serde(skip_serializing_if = "ResourceIndex::is_not_asked")]
    pub index: ResourceIndex,
}

/// Resource Explorer's aggregator index, as measure 3's sweep found it. Asked only when
/// some enabled region is not scanned: in those regions one listing of the index tells
/// whether the eight listings of data stores would find anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum ResourceIndex {
    /// Every enabled region was scanned (or the footprint was not collected).
    #[default]
    NotAsked,
    /// Listed through `view_arn` in `region`, the aggregator's.
    Used {
        region: String,
        view_arn: String,
        /// The regions whose local index replicates into the aggregator; the others
        /// were swept.
        covered_regions: Vec<String>,
    },
    /// Every listing was made: no usable index, and why (no aggregator, a view that
    /// filters, a call that failed, ...).
    NotUsed { reason: String },
}

impl ResourceIndex {
    pub fn is_not_asked(&self) -> bool {
        matches!(self, ResourceIndex::NotAsked)
    }
}

/// The listings of one region, each an ARN list, each read (or not) on its own.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionFootprint {
    /// Every resource the Resource Groups Tagging API knows here: those that carry (or
    /// carried) a tag, of any service.
    pub tagged: Collected<Vec<String>>,
    /// Instances that are not terminated.
    pub instances: Collected<Vec<String>>,
    pub volumes: Collected<Vec<String>>,
    /// EBS snapshots this account owns.
    pub snapshots: Collected<Vec<String>>,
    /// AMIs this account owns.
    pub images: Collected<Vec<String>>,
    /// VPCs other than the default one AWS creates in every region.
    pub vpcs: Collected<Vec<String>>,
    pub db_instances: Collected<Vec<String>>,
    pub db_clusters: Collected<Vec<String>>,
    /// DB snapshots this account owns (manual and automated).
    pub db_snapshots: Collected<Vec<String>>,
    pub db_cluster_snapshots: Collected<Vec<String>>,
    /// The listings of [`Self::INDEXED`] were not made: Resource Explorer's index holds
    /// nothing of EC2 here but the default VPC's networking and nothing of RDS, so they
    /// are known to be empty.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub from_index: bool,
}

impl RegionFootprint {
    /// The resource type (`service:type`, as in ARNs and Resource Explorer) each
    /// dedicated listing reads in full; `tagged` reads every type.
    pub const KINDS: [(&'static str, &'static str); 9] = [
        ("instances", "ec2:instance"),
        ("volumes", "ec2:volume"),
        ("snapshots", "ec2:snapshot"),
        ("images", "ec2:image"),
        ("vpcs", "ec2:vpc"),
        ("db_instances", "rds:db"),
        ("db_clusters", "rds:cluster"),
        ("db_snapshots", "rds:snapshot"),
        ("db_cluster_snapshots", "rds:cluster-snapshot"),
    ];

    /// The listings Resource Explorer's index can stand in for: every dedicated one but
    /// `vpcs`, as the index cannot tell the default VPC AWS makes in every region from
    /// one of the account's.
    pub const INDEXED: [&'static str; 8] = [
        "instances",
        "volumes",
        "snapshots",
        "images",
        "db_instances",
        "db_clusters",
        "db_snapshots",
        "db_cluster_snapshots",
    ];

    /// Every listing, named, in the order of [`Self::listings`], to fill in.
    pub fn listings_mut(&mut self) -> [(&'static str, &mut Collected<Vec<String>>); 10] {
        [
            ("tagged", &mut self.tagged),
            ("instances", &mut self.instances),
            ("volumes", &mut self.volumes),
            ("snapshots", &mut self.snapshots),
            ("images", &mut self.images),
            ("vpcs", &mut self.vpcs),
            ("db_instances", &mut self.db_instances),
            ("db_clusters", &mut self.db_clusters),
            ("db_snapshots", &mut self.db_snapshots),
            ("db_cluster_snapshots", &mut self.db_cluster_snapshots),
        ]
    }

    /// Every listing, named, in the order of [`Self::listings`], taken apart.
    pub fn listings_owned(self) -> [(&'static str, Collected<Vec<String>>); 10] {
        [
            ("tagged", self.tagged),
            ("instances", self.instances),
            ("volumes", self.volumes),
            ("snapshots", self.snapshots),
            ("images", self.images),
            ("vpcs", self.vpcs),
            ("db_instances", self.db_instances),
            ("db_clusters", self.db_clusters),
            ("db_snapshots", self.db_snapshots),
            ("db_cluster_snapshots", self.db_cluster_snapshots),
        ]
    }

    /// Every listing, named, in a fixed order.
    pub fn listings(&self) -> [(&'static str, &Collected<Vec<String>>); 10] {
        [
            ("tagged", &self.tagged),
            ("instances", &self.instances),
            ("volumes", &self.volumes),
            ("snapshots", &self.snapshots),
            ("images", &self.images),
            ("vpcs", &self.vpcs),
            ("db_instances", &self.db_instances),
            ("db_clusters", &self.db_clusters),
            ("db_snapshots", &self.db_snapshots),
            ("db_cluster_snapshots", &self.db_cluster_snapshots),
        ]
    }
}
