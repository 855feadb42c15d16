use serde::Serialize;

/// Declares [`Source`] and [`Source::ALL`] from one list, so no second list can drift.
macro_rules! sources {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// A unit of collection: one kind of fact, gathered by a fixed set of read calls.
        ///
        /// Checks name the sources they read; the scan collects only those, and
        /// `tomscan permissions` derives the least-privilege policy from their actions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Source {
            $($(#[$doc])* $name,)*
        }

        impl Source {
            /// Every source, in declaration order.
            pub const ALL: &[Source] = &[$(Source::$name,)*];
        }
    };
}

sources! {
    IamCredentialReport,
    IamLoginProfiles,
    IamAccountSummary,
    IamPasswordPolicy,
    IamAuthorization,
    IamVirtualMfaDevices,
    S3Buckets,
    S3BucketEncryption,
    S3BucketPublicAccessBlock,
    S3BucketPolicy,
    S3BucketAcl,
    S3BucketLogging,
    S3BucketVersioning,
    S3BucketObjectLock,
    S3BucketTags,
    S3AccountPublicAccessBlock,
    S3BucketPolicyStatus,
    CloudTrailTrails,
    AccountSecurityContact,
    Ec2Instances,
    Ec2Vpcs,
    Ec2Subnets,
    Ec2SecurityGroups,
    Ec2ClientVpnEndpoints,
    Ec2EbsEncryptionByDefault,
    Ec2NetworkAcls,
    Ec2FlowLogs,
    Ec2Volumes,
    Ec2Snapshots,
    Ec2Images,
    Ec2VpnConnections,
    LoadBalancers,
    AutoScalingGroups,
    RdsInstances,
    KmsKeys,
    BackupPlans,
    GuardDutyDetectors,
    SecurityHub,
    ConfigRecorders,
    AccessAnalyzers,
    LogMetricFilters,
    CloudWatchAlarms,
    Ec2ManagedPrefixLists,
    ClassicLoadBalancers,
    DirectoryServiceDirectories,
    /// Scope: every enabled region, whatever regions the scan was pointed at (measure 3).
    RegionFootprint,
    RdsClusters,
    BackupOptIn,
    RdsSnapshots,
    KmsAliases,
    SnsTopics,
}

/// Where a source's facts live, and so how often it is collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per account: a field of [`super::Inventory`], by dotted path (`iam.authorization`).
    Account(&'static str),
    /// Once per scanned region: a field of [`super::Regional`].
    Regional(&'static str),
    /// Once per bucket: a field of [`super::Bucket`].
    Bucket(&'static str),
}

/// Everything about a source, declared once: the IAM actions its collector calls (the
/// least-privilege policy is derived from them) and where its facts live.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub actions: &'static [&'static str],
    pub scope: Scope,
}

impl Source {
    pub const fn spec(self) -> Spec {
        use Scope::*;
        use Source::*;
        let (actions, scope): (&'static [&'static str], Scope) = match self {
            IamCredentialReport => (
                &["iam:GenerateCredentialReport", "iam:GetCredentialReport"],
                Account("iam.credential_report"),
            ),
            IamLoginProfiles => (&["iam:GetLoginProfile"], Account("iam.login_profiles")),
            IamAccountSummary => (&["iam:GetAccountSummary"], Account("iam.account_summary")),
            IamPasswordPolicy => (
                &["iam:GetAccountPasswordPolicy"],
                Account("iam.password_policy"),
            ),
            IamAuthorization => (
                &[
                    "iam:GetAccountAuthorizationDetails",
                    "iam:GetPolicy",
                    "iam:GetPolicyVersion",
                ],
                Account("iam.authorization"),
            ),
            IamVirtualMfaDevices => (
                &["iam:ListVirtualMFADevices"],
                Account("iam.virtual_mfa_devices"),
            ),
            S3Buckets => (
                &["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
                Account("s3.buckets"),
            ),
            S3BucketEncryption => (&["s3:GetEncryptionConfiguration"], Bucket("encryption")),
            S3BucketPublicAccessBlock => (
                &["s3:GetBucketPublicAccessBlock"],
                Bucket("public_access_block"),
            ),
            S3BucketPolicy => (&["s3:GetBucketPolicy"], Bucket("policy")),
            S3BucketAcl => (&["s3:GetBucketAcl"], Bucket("acl_grants")),
            S3BucketLogging => (&["s3:GetBucketLogging"], Bucket("logging_target")),
            S3BucketVersioning => (&["s3:GetBucketVersioning"], Bucket("versioning")),
            S3BucketObjectLock => (
                &["s3:GetBucketObjectLockConfiguration"],
                Bucket("object_lock"),
            ),
            S3BucketTags => (&["s3:GetBucketTagging"], Bucket("tags")),
            S3BucketPolicyStatus => (&["s3:GetBucketPolicyStatus"], Bucket("policy_status")),
            S3AccountPublicAccessBlock => (
                &["s3:GetAccountPublicAccessBlock"],
                Account("s3.account_public_access_block"),
            ),
            CloudTrailTrails => (
                &[
                    "cloudtrail:DescribeTrails",
                    "cloudtrail:GetTrailStatus",
                    "cloudtrail:GetEventSelectors",
                ],
                Account("cloudtrail.trails"),
            ),
            AccountSecurityContact => (
                &["account:GetAlternateContact"],
                Account("account.security_contact"),
            ),
            Ec2Instances => (&["ec2:DescribeInstances"], Regional("instances")),
            Ec2Vpcs => (&["ec2:DescribeVpcs"], Regional("vpcs")),
            Ec2Subnets => (&["ec2:DescribeSubnets"], Regional("subnets")),
            Ec2SecurityGroups => (&["ec2:DescribeSecurityGroups"], Regional("security_groups")),
            Ec2ClientVpnEndpoints => (
                &["ec2:DescribeClientVpnEndpoints"],
                Regional("client_vpn_endpoints"),
            ),
            Ec2EbsEncryptionByDefault => (
                &["ec2:GetEbsEncryptionByDefault"],
                Regional("ebs_encryption_by_default"),
            ),
            Ec2NetworkAcls => (&["ec2:DescribeNetworkAcls"], Regional("network_acls")),
            Ec2FlowLogs => (&["ec2:DescribeFlowLogs"], Regional("flow_logs")),
            Ec2Volumes => (&["ec2:DescribeVolumes"], Regional("volumes")),
            Ec2Snapshots => (
                &["ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"],
                Regional("snapshots"),
            ),
            Ec2Images => (
                &["ec2:DescribeImages", "ec2:DescribeImageAttribute"],
                Regional("images"),
            ),
            Ec2VpnConnections => (&["ec2:DescribeVpnConnections"], Regional("vpn_connections")),
            LoadBalancers => (
                &[
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeRules",
                ],
                Regional("load_balancers"),
            ),
            AutoScalingGroups => (
                &["autoscaling:DescribeAutoScalingGroups"],
                Regional("auto_scaling_groups"),
            ),
            RdsInstances => (&["rds:DescribeDBInstances"], Regional("db_instances")),
            KmsKeys => (
                &[
                    "kms:ListKeys",
                    "kms:DescribeKey",
                    "kms:GetKeyRotationStatus",
                    "kms:GetKeyPolicy",
                ],
                Regional("kms_keys"),
            ),
            BackupPlans => (
                &[
                    "backup:ListBackupPlans",
                    "backup:ListBackupSelections",
                    "backup:GetBackupSelection",
                ],
                Regional("backup_plans"),
            ),
            GuardDutyDetectors => (
                &["guardduty:ListDetectors", "guardduty:GetDetector"],
                Regional("guardduty_detectors"),
            ),
            SecurityHub => (
                &["securityhub:DescribeHub", "securityhub:GetEnabledStandards"],
                Regional("security_hub"),
            ),
            ConfigRecorders => (
                &[
                    "config:DescribeConfigurationRecorders",
                    "config:DescribeConfigurationRecorderStatus",
                ],
                Regional("config_recorders"),
            ),
            AccessAnalyzers => (
                &[
                    "access-analyzer:ListAnalyzers",
                    "access-analyzer:ListFindings",
                ],
                Regional("access_analyzers"),
            ),
            LogMetricFilters => (&["logs:DescribeMetricFilters"], Regional("metric_filters")),
            CloudWatchAlarms => (&["cloudwatch:DescribeAlarms"], Regional("alarms")),
            Ec2ManagedPrefixLists => (
                &[
                    "ec2:DescribeManagedPrefixLists",
                    "ec2:GetManagedPrefixListEntries",
                ],
                Regional("prefix_lists"),
            ),
            ClassicLoadBalancers => (
                &[
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeLoadBalancerPolicies",
                ],
                Regional("classic_load_balancers"),
            ),
            DirectoryServiceDirectories => (&["ds:DescribeDirectories"], Regional("directories")),
            // Every enabled region whatever --region says: the enabled-region list, with
            // each region's listings beneath it in `footprint.regions`.
            RegionFootprint => (
                &[
                    "ec2:DescribeRegions",
                    "tag:GetResources",
                    "ec2:DescribeInstances",
                    "ec2:DescribeVolumes",
                    "ec2:DescribeSnapshots",
                    "ec2:DescribeImages",
                    "ec2:DescribeVpcs",
                    "rds:DescribeDBInstances",
                    "rds:DescribeDBClusters",
                    "rds:DescribeDBSnapshots",
                    "rds:DescribeDBClusterSnapshots",
                    // Where an aggregator index covers a region the scan did not read,
                    // one listing of it can stand in for eight of the ten; without these
                    // permissions the sweep lists everything.
                    "resource-explorer-2:ListIndexes",
                    "resource-explorer-2:GetIndex",
                    "resource-explorer-2:GetDefaultView",
                    "resource-explorer-2:GetView",
                    // ListResources is authorized as Search.
                    "resource-explorer-2:Search",
                ],
                Account("footprint.enabled_regions"),
            ),
            RdsClusters => (&["rds:DescribeDBClusters"], Regional("db_clusters")),
            BackupOptIn => (
                &["backup:DescribeRegionSettings"],
                Regional("backup_opt_in"),
            ),
            RdsSnapshots => (
                &[
                    "rds:DescribeDBSnapshots",
                    "rds:DescribeDBSnapshotAttributes",
                    "rds:DescribeDBClusterSnapshots",
                    "rds:DescribeDBClusterSnapshotAttributes",
                ],
                Regional("rds_snapshots"),
            ),
            KmsAliases => (&["kms:ListAliases"], Regional("kms_aliases")),
            SnsTopics => (
                &["sns:ListTopics", "sns:ListSubscriptionsByTopic"],
                Regional("sns_topics"),
            ),
        };
        Spec { actions, scope }
    }

    /// The declared action whose name (after the service prefix) is `name`. A const fn,
    /// so that collectors name their calls' actions through the spec and a name it does
    /// not declare fails to compile (see `collect::action!`).
    pub const fn action(self, name: &str) -> &'static str {
        let actions = self.spec().actions;
        let mut i = 0;
        while i < actions.len() {
            if named(actions[i], name) {
                return actions[i];
            }
            i += 1;
        }
        panic!("the source's spec does not declare this action")
    }

    /// The IAM actions the collector calls for this source.
    pub fn actions(self) -> &'static [&'static str] {
        self.spec().actions
    }

    pub fn scope(self) -> Scope {
        self.spec().scope
    }

    /// Sources that must be collected first (a bucket's settings need the bucket list).
    pub fn requires(self) -> &'static [Source] {
        use Source::*;
        match self {
            S3BucketEncryption
            | S3BucketPublicAccessBlock
            | S3BucketPolicy
            | S3BucketAcl
            | S3BucketLogging
            | S3BucketVersioning
            | S3BucketObjectLock
            | S3BucketTags
            | S3BucketPolicyStatus => &[S3Buckets],
            IamLoginProfiles => &[IamCredentialReport],
            _ => &[],
        }
    }
}

/// Whether `action` (`kms:DescribeKey`) is `service:name`.
const fn named(action: &str, name: &str) -> bool {
    let (a, n) = (action.as_bytes(), name.as_bytes());
    let mut colon = 0;
    while colon < a.len() && a[colon] != b':' {
        colon += 1;
    }
    if a.len() != colon + 1 + n.len() {
        return false;
    }
    let mut i = 0;
    while i < n.len() {
        if a[colon + 1 + i] != n[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Calls every scan makes whatever checks are selected: who am I, which regions exist.
pub const SCAN_ACTIONS: &[&str] = &["sts:GetCallerIdentity", "ec2:DescribeRegions"];
