use serde::Serialize;

/// A unit of collection: one kind of fact, gathered by a fixed set of read calls.
///
/// Checks name the sources they read; the scan collects only those, and
/// `tomscan permissions` derives the least-privilege policy from their actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    IamCredentialReport,
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
}

impl Source {
    /// The IAM actions the collector calls for this source.
    pub fn actions(self) -> &'static [&'static str] {
        use Source::*;
        match self {
            IamCredentialReport => &["iam:GenerateCredentialReport", "iam:GetCredentialReport"],
            IamAccountSummary => &["iam:GetAccountSummary"],
            IamPasswordPolicy => &["iam:GetAccountPasswordPolicy"],
            IamAuthorization => &["iam:GetAccountAuthorizationDetails"],
            IamVirtualMfaDevices => &["iam:ListVirtualMFADevices"],
            S3Buckets => &["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
            S3BucketEncryption => &["s3:GetEncryptionConfiguration"],
            S3BucketPublicAccessBlock => &["s3:GetBucketPublicAccessBlock"],
            S3BucketPolicy => &["s3:GetBucketPolicy"],
            S3BucketAcl => &["s3:GetBucketAcl"],
            S3BucketLogging => &["s3:GetBucketLogging"],
            S3BucketVersioning => &["s3:GetBucketVersioning"],
            S3BucketObjectLock => &["s3:GetBucketObjectLockConfiguration"],
            S3BucketTags => &["s3:GetBucketTagging"],
            S3AccountPublicAccessBlock => &["s3:GetAccountPublicAccessBlock"],
            S3BucketPolicyStatus => &["s3:GetBucketPolicyStatus"],
            CloudTrailTrails => &[
                "cloudtrail:DescribeTrails",
                "cloudtrail:GetTrailStatus",
                "cloudtrail:GetEventSelectors",
            ],
            Ec2Instances => &["ec2:DescribeInstances"],
            Ec2Vpcs => &["ec2:DescribeVpcs"],
            Ec2Subnets => &["ec2:DescribeSubnets"],
            Ec2SecurityGroups => &["ec2:DescribeSecurityGroups"],
            Ec2ClientVpnEndpoints => &["ec2:DescribeClientVpnEndpoints"],
            Ec2EbsEncryptionByDefault => &["ec2:GetEbsEncryptionByDefault"],
            AccountSecurityContact => &["account:GetAlternateContact"],
            Ec2NetworkAcls => &["ec2:DescribeNetworkAcls"],
            Ec2FlowLogs => &["ec2:DescribeFlowLogs"],
            Ec2Volumes => &["ec2:DescribeVolumes"],
            Ec2Snapshots => &["ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"],
            Ec2Images => &["ec2:DescribeImages"],
            Ec2VpnConnections => &["ec2:DescribeVpnConnections"],
            LoadBalancers => &[
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeListeners",
            ],
            AutoScalingGroups => &["autoscaling:DescribeAutoScalingGroups"],
            RdsInstances => &["rds:DescribeDBInstances"],
            KmsKeys => &[
                "kms:ListKeys",
                "kms:DescribeKey",
                "kms:GetKeyRotationStatus",
            ],
            BackupPlans => &[
                "backup:ListBackupPlans",
                "backup:ListBackupSelections",
                "backup:GetBackupSelection",
            ],
            GuardDutyDetectors => &["guardduty:ListDetectors", "guardduty:GetDetector"],
            SecurityHub => &["securityhub:DescribeHub", "securityhub:GetEnabledStandards"],
            ConfigRecorders => &[
                "config:DescribeConfigurationRecorders",
                "config:DescribeConfigurationRecorderStatus",
            ],
            AccessAnalyzers => &["access-analyzer:ListAnalyzers"],
            LogMetricFilters => &["logs:DescribeMetricFilters"],
            CloudWatchAlarms => &["cloudwatch:DescribeAlarms"],
        }
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
            _ => &[],
        }
    }
}

/// Calls every scan makes whatever checks are selected: who am I, which regions exist.
pub const SCAN_ACTIONS: &[&str] = &["sts:GetCallerIdentity", "ec2:DescribeRegions"];
