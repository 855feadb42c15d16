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
    S3Buckets,
    S3BucketEncryption,
    CloudTrailTrails,
    Ec2Instances,
    Ec2Vpcs,
    Ec2Subnets,
    Ec2SecurityGroups,
    Ec2ClientVpnEndpoints,
    Ec2EbsEncryptionByDefault,
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
            S3Buckets => &["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
            S3BucketEncryption => &["s3:GetEncryptionConfiguration"],
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
        }
    }

    /// Sources that must be collected first (a bucket's settings need the bucket list).
    pub fn requires(self) -> &'static [Source] {
        match self {
            Source::S3BucketEncryption => &[Source::S3Buckets],
            _ => &[],
        }
    }
}

/// Calls every scan makes whatever checks are selected: who am I, which regions exist.
pub const SCAN_ACTIONS: &[&str] = &["sts:GetCallerIdentity", "ec2:DescribeRegions"];
