use super::watch;
use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CW-03",
    slug: "cloudtrail-config-change-alarm",
    title: "A metric filter and alarm watch for CloudTrail configuration changes",
    severity: Severity::Medium,
    sources: &[
        Source::CloudTrailTrails,
        Source::LogMetricFilters,
        Source::CloudWatchAlarms,
        Source::SnsTopics,
    ],
    rationale: "The TOM promises that access and attempted access are logged. The first thing an intruder with enough rights does is stop that: StopLogging, DeleteTrail, or an UpdateTrail that sends the logs elsewhere. A metric filter on the log group of the trail that records every management event, with an alarm that notifies someone, makes the attempt itself the alert.",
    remediation: "On the log group of the multi-region trail: aws logs put-metric-filter --log-group-name GROUP --filter-name cloudtrail-changes --metric-transformations metricName=CloudTrailChanges,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }'; then aws cloudwatch put-metric-alarm --alarm-name cloudtrail-changes --metric-name CloudTrailChanges --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions SNS_TOPIC_ARN.",
    references: &["CIS AWS 4.5", "Security Hub CloudWatch.5"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    watch::run(cx, &[watch::CLOUDTRAIL_CONFIGURATION_CHANGES]);
}
