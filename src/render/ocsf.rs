//! OCSF 1.5.0 Compliance Finding events (class 2003), one per finding, as a JSON array:
//! what Amazon Security Lake, Splunk, Sentinel and other SIEMs ingest without a parser.
//!
//! Two statuses, because OCSF keeps them apart (as Security Hub does):
//!
//! | tomscan          | `compliance.status_id`   | `status_id` (workflow) |
//! |------------------|--------------------------|------------------------|
//! | `pass`           | 1 Pass                   | 4 Resolved             |
//! | `attested`       | 1 Pass                   | 4 Resolved             |
//! | `fail`           | 3 Fail                   | 1 New                  |
//! | `waived`         | 3 Fail                   | 3 Suppressed           |
//! | `error`          | 2 Warning                | 1 New                  |
//! | `manual`         | 2 Warning                | 1 New                  |
//! | `not_applicable` | 99 Other, "Not Applicable" | 4 Resolved           |
//!
//! A waiver accepts a failure, it does not make the resource compliant, so `waived` stays
//! Fail and only the workflow says Suppressed. `error` and `manual` are OCSF's Warning,
//! "did not yield a result due to missing information" (a permission, an attestation),
//! and both are open work, like a failure: `status_id = 1` is the to-do list. The
//! tomscan status itself is kept verbatim in `status_code` and `compliance.status_code`.
//!
//! `finding_info.uid` is a SHA-256 of check, account, region and resource: the same
//! finding keeps its uid from scan to scan, so a SIEM can follow it from New to Resolved.
//! Evidence is free-form JSON, so it goes in `unmapped.evidence`. serde_json writes and
//! escapes every value.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::check::{GLOBAL, Severity, Status};
use crate::report::{Finding, Report};

/// The OCSF release the events follow (that of the py-ocsf-models release the tests
/// validate with).
pub const OCSF_VERSION: &str = "1.5.0";

const CLASS_UID: u32 = 2003;
const CATEGORY_UID: u32 = 2;
const ACTIVITY_CREATE: u32 = 1;
/// The ASFF finding-type taxonomy Security Hub and Prowler use for compliance checks.
const FINDING_TYPE: &str = "Software and Configuration Checks/Industry and Regulatory Standards";

pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// The events written one finding at a time, as `serde_json` pretty-prints an array.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use serde::Serializer as _;
    let mut json = serde_json::Serializer::pretty(&mut *out);
    json.collect_seq(report.findings.iter().map(|f| event(report, &f)))?;
    out.write_all(b"\n")
}

fn event(report: &Report, f: &Finding) -> Value {
    let time = report.scanned_at.timestamp_millis();
    let time_dt = report
        .scanned_at
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (severity_id, severity) = severity(f.severity);
    let (compliance_id, compliance) = compliance_status(f.status);
    let (status_id, status) = workflow_status(f.status);
    let regional = (f.region != GLOBAL).then_some(f.region.as_str());
    let partition = partition(&f.resource, &f.region);

    let mut resource = Map::new();
    if f.resource.is_empty() {
        // Not about one resource (an organisational measure, a region's setting): the
        // subject is the account.
        resource.insert("uid".into(), json!(f.account));
        resource.insert("name".into(), json!(f.account));
        resource.insert("type".into(), json!("account"));
    } else {
        resource.insert("uid".into(), json!(f.resource));
        resource.insert("name".into(), json!(resource_name(&f.resource)));
        resource.insert("type".into(), json!(resource_type(&f.resource)));
    }
    if let Some(region) = regional {
        resource.insert("region".into(), json!(region));
    }
    resource.insert("cloud_partition".into(), json!(partition));

    let mut cloud = Map::new();
    cloud.insert("provider".into(), json!("AWS"));
    cloud.insert(
        "account".into(),
        // py-ocsf-models requires a name; the report knows no alias, so the id is it.
        json!({ "uid": f.account, "name": f.account, "type_id": 10, "type": "AWS Account" }),
    );
    if let Some(region) = regional {
        cloud.insert("region".into(), json!(region));
    }

    let titles: Vec<String> = f
        .sections
        .iter()
        .map(|id| match report.sections.iter().find(|s| &s.id == id) {
            Some(s) => format!("{id} {}", s.title),
            None => id.clone(),
        })
        .collect();

    let mut remediation = Map::new();
    remediation.insert("desc".into(), json!(f.remediation));
    if let Some(check) = crate::checks::find(&f.check_id)
        && !check.references.is_empty()
    {
        remediation.insert("references".into(), json!(check.references));
    }

    json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "time_dt": time_dt,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "status_code": f.status.as_str(),
        "status_detail": f.message,
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "uid": "tomscan",
                "name": report.tool.name,
                "vendor_name": "tomscan",
                "version": report.tool.version,
            },
            "profiles": ["cloud", "datetime"],
            "event_code": f.check_id,
        },
        "finding_info": {
            "uid": uid(f),
            "title": f.title,
            "desc": f.message,
            "types": [FINDING_TYPE],
            "created_time": time,
            "created_time_dt": time_dt,
        },
        "compliance": {
            "standards": [report.framework.title],
            "requirements": f.sections,
            "control": f.sections.join(", "),
            "desc": titles.join("; "),
            "status_id": compliance_id,
            "status": compliance,
            "status_code": f.status.as_str(),
            "checks": [{
                "uid": f.check_id,
                "name": f.title,
                "severity_id": severity_id,
                "severity": severity,
                "status_id": compliance_id,
                "status": compliance,
                "standards": [report.framework.id],
            }],
        },
        "resources": [resource],
        "cloud": cloud,
        "remediation": remediation,
        "unmapped": {
            "framework_id": report.framework.id,
            "evidence": f.evidence,
        },
    })
}

fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// `compliance.status_id` / `status` (module docs for the reasons).
fn compliance_status(s: Status) -> (u8, &'static str) {
    match s {
        Status::Pass | Status::Attested => (1, "Pass"),
        Status::Error | Status::Manual => (2, "Warning"),
        Status::Fail | Status::Waived => (3, "Fail"),
        Status::NotApplicable => (99, "Not Applicable"),
    }
}

/// The finding's workflow `status_id` / `status`: New is what needs someone's action.
fn workflow_status(s: Status) -> (u8, &'static str) {
    match s {
        Status::Fail | Status::Error | Status::Manual => (1, "New"),
        Status::Waived => (3, "Suppressed"),
        Status::Pass | Status::Attested | Status::NotApplicable => (4, "Resolved"),
    }
}

fn uid(f: &Finding) -> String {
    let mut hash = Sha256::new();
    // A separator no id contains, so ("a", "bc") and ("ab", "c") differ.
    for part in [&f.check_id, &f.account, &f.region, &f.resource] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// ARN fields: `arn:partition:service:region:account:resource`.
fn arn(resource: &str) -> Option<[&str; 5]> {
    let mut parts = resource.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    Some([
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ])
}

fn partition<'a>(resource: &'a str, region: &str) -> &'a str {
    match arn(resource) {
        Some([partition, ..]) if !partition.is_empty() => partition,
        _ => crate::inventory::partition_of_region(region),
    }
}

/// `service:type` from an ARN (`ec2:vpc`, `iam:user`, `s3:bucket`), the resource-type
/// names of the IAM Service Authorization Reference; `other` for what is not an ARN.
fn resource_type(resource: &str) -> String {
    let Some([_, service, _, _, rest]) = arn(resource) else {
        return "other".into();
    };
    match rest.find(['/', ':']) {
        Some(i) => format!("{service}:{}", &rest[..i]),
        // An S3 ARN without a path is a bucket.
        None if service == "s3" => "s3:bucket".into(),
        None => service.to_string(),
    }
}

/// The resource's own name: the last path segment of an ARN.
fn resource_name(resource: &str) -> &str {
    match arn(resource) {
        Some([.., rest]) => rest.rsplit(['/', ':']).next().unwrap_or(rest),
        None => resource,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_give_partition_type_and_name() {
        let vpc = "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1057e6913ae56c7d6";
        assert_eq!(resource_type(vpc), "ec2:vpc");
        assert_eq!(resource_name(vpc), "vpc-1057e6913ae56c7d6");
        let db = "arn:aws:rds:eu-central-1:123456789012:db:tenant-metadata";
        assert_eq!(resource_type(db), "rds:db");
        assert_eq!(resource_name(db), "tenant-metadata");
        assert_eq!(resource_type("arn:aws:s3:::acme-exports"), "s3:bucket");
        assert_eq!(resource_name("arn:aws:s3:::acme-exports"), "acme-exports");
        assert_eq!(partition("arn:aws-cn:s3:::b", "cn-north-1"), "aws-cn");
        assert_eq!(partition("", "us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("", GLOBAL), "aws");
        assert_eq!(resource_type("not an arn"), "other");
    }

    #[test]
    fn every_status_maps_to_both_ocsf_statuses() {
        // A waiver suppresses the work, not the failure.
        assert_eq!(compliance_status(Status::Waived), (3, "Fail"));
        assert_eq!(workflow_status(Status::Waived), (3, "Suppressed"));
        for s in Status::ALL {
            let (c, _) = compliance_status(s);
            let (w, _) = workflow_status(s);
            assert!([1, 2, 3, 99].contains(&c), "{s:?}");
            assert!([1, 3, 4].contains(&w), "{s:?}");
        }
    }
}
