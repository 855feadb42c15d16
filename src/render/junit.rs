//! JUnit XML, the test report every CI reads (Jenkins, GitLab, Azure DevOps): a test
//! suite per TOM section, a test case per check and resource. `fail` is a failure,
//! `error` an error, and what was not judged (`manual`, `not_applicable`, `waived`) is
//! skipped with the reason. quick-junit writes and escapes the XML.

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use crate::check::Status;
use crate::report::{Finding, Report};

pub fn render(report: &Report) -> String {
    let mut junit = quick_junit::Report::new("tomscan");
    junit.set_timestamp(report.scanned_at);
    for section in report.sections.iter().filter(|s| s.parent.is_none()) {
        let mut suite = TestSuite::new(format!("{} {}", section.id, section.title));
        let in_section = |measure: &str| {
            measure == section.id
                || measure
                    .strip_prefix(section.id.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        for f in report
            .findings
            .iter()
            .filter(|f| f.sections.iter().any(|m| in_section(m)))
        {
            suite.add_test_case(test_case(&f));
        }
        junit.add_test_suite(suite);
    }
    let mut xml = junit
        .to_string()
        .expect("a report of strings serialises to XML");
    xml.push('\n');
    xml
}

fn test_case(f: &Finding) -> TestCase {
    let what = if f.resource.is_empty() {
        f.region.as_str()
    } else {
        f.resource.as_str()
    };
    let details = || {
        let evidence = if f.evidence.is_null() {
            String::new()
        } else {
            format!("evidence: {}\n", f.evidence)
        };
        format!(
            "{}\n{evidence}account: {}, region: {}\nfix: {}",
            f.message, f.account, f.region, f.remediation
        )
    };
    let status = match f.status {
        Status::Pass | Status::Attested => TestCaseStatus::success(),
        Status::Fail | Status::Error => {
            let kind = if f.status == Status::Fail {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(f.message.as_str())
                .set_type(f.severity.as_str())
                .set_description(details());
            s
        }
        Status::Manual | Status::NotApplicable | Status::Waived => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(format!("{}: {}", f.status.as_str(), f.message));
            s
        }
    };
    let mut case = TestCase::new(format!("{} {what}", f.check_id), status);
    case.set_classname(format!("tomscan.{}", f.sections.join("+")));
    case
}
