use super::watch;
use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CW-04",
    slug: "console-auth-failure-alarm",
    title: "A metric filter and alarm watch for failed console sign-ins",
    severity: Severity::Medium,
    sources: &[
        Source::CloudTrailTrails,
        Source::LogMetricFilters,
        Source::CloudWatchAlarms,
        Source::SnsTopics,
    ],
    rationale: "The TOM promises that attempted access is logged and noticed. A failed console sign-in is attempted access in its plainest form, and a run of them is password guessing. A metric filter on the log group of the trail that records every management event, with an alarm that notifies someone, turns them into a message while they happen.",
    remediation: "On the log group of the multi-region trail: aws logs put-metric-filter --log-group-name GROUP --filter-name console-auth-failures --metric-transformations metricName=ConsoleAuthFailures,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ ($.eventName = ConsoleLogin) && ($.errorMessage = \"Failed authentication\") }'; then aws cloudwatch put-metric-alarm --alarm-name console-auth-failures --metric-name ConsoleAuthFailures --namespace CISBenchmark --statistic Sum --period 300 --threshold 3 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions SNS_TOPIC_ARN.",
    references: &["CIS AWS 4.6", "Security Hub CloudWatch.6"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    watch::run(cx, &[watch::CONSOLE_AUTHENTICATION_FAILURES]);
}
