//! Layer 2: collectors where moto cannot help, one file per service as in `src/collect/`. aws-smithy-mocks stands in for APIs moto
//! lacks (Client VPN) and injects the faults real accounts produce: AccessDenied,
//! throttling, unimplemented operations, multi-page answers.

use std::collections::BTreeSet;

use aws_sdk_ec2::operation::describe_client_vpn_endpoints::{
    DescribeClientVpnEndpointsError, DescribeClientVpnEndpointsOutput,
};
use aws_sdk_ec2::types::{
    ClientVpnAuthentication, ClientVpnAuthenticationType, ClientVpnEndpoint,
    ConnectionLogResponseOptions,
};
use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
use aws_sdk_iam::operation::get_account_password_policy::{
    GetAccountPasswordPolicyError, GetAccountPasswordPolicyOutput,
};
use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
use aws_sdk_iam::types::{PasswordPolicy, ReportStateType};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use tomscan::aws::Turns;
use tomscan::check::{Cx, Status};
use tomscan::collect;
use tomscan::config::Settings;
use tomscan::inventory::{Collected, Inventory, Regional, Source};

#[path = "../support/mod.rs"]
mod support;

mod accessanalyzer;
mod backup;
mod cloudtrail;
mod cloudwatch;
mod config;
mod ec2;
mod elb;
mod iam;
mod kms;
mod rds;
mod residency;
mod s3;
mod securityhub;
mod sns;
mod turns;

fn sources(list: &[Source]) -> BTreeSet<Source> {
    list.iter().copied().collect()
}

/// Runs one check over a one-region inventory holding `regional`.
fn judge(check: &str, regional: tomscan::inventory::Regional) -> Vec<(Status, String)> {
    let mut inv = Inventory {
        account_id: "123456789012".into(),
        regions: vec!["eu-west-1".into()],
        ..Default::default()
    };
    inv.regional.insert("eu-west-1".into(), regional);
    let settings = Settings::default();
    let mut cx = Cx::new(&inv, &settings, chrono::Utc::now());
    (tomscan::checks::find(check).unwrap().run)(&mut cx);
    cx.into_outcomes()
        .into_iter()
        .map(|o| (o.status, o.resource))
        .collect()
}

/// One check's outcomes as (status, resource), sorted by resource.
fn verdicts(outcomes: &[(Status, String)]) -> Vec<(Status, String)> {
    let mut v: Vec<(Status, String)> = outcomes.iter().map(|(s, r)| (*s, r.clone())).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}
