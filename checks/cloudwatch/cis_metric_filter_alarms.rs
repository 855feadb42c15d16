use super::watch;
use crate::check::{Check, Cx, Severity};
use crate::inventory::Source;

pub static CHECK: Check = Check {
    id: "CW-01",
    slug: "cis-metric-filter-alarms",
    title: "Metric filters and alarms watch for unauthorized calls, console sign-in without MFA and root use",
    severity: Severity::Medium,
    sources: &[
        Source::CloudTrailTrails,
        Source::LogMetricFilters,
        Source::CloudWatchAlarms,
        Source::SnsTopics,
    ],
    rationale: "The TOM promises that attempted unauthorised access is not only logged but noticed. A metric filter on the CloudWatch Logs group of the trail that records every management event (the one CT-01 accepts) with an alarm that notifies someone turns denied calls, console sign-ins without MFA and any use of root into a message within minutes.",
    remediation: "On the log group of the multi-region trail: aws logs put-metric-filter --log-group-name GROUP --filter-name root-account-usage --metric-transformations metricName=RootAccountUsage,metricNamespace=CISBenchmark,metricValue=1 --filter-pattern '{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" }'; then aws cloudwatch put-metric-alarm --alarm-name root-account-usage --metric-name RootAccountUsage --namespace CISBenchmark --statistic Sum --period 300 --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 --alarm-actions SNS_TOPIC_ARN. Likewise for '{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") }' and '{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }'. In a member account whose organization trail delivers to a log group of the management account, the filters and alarms belong there: this account is reported as failing, with the trail and the account that owns the group named.",
    references: &[
        "CIS AWS 4.1",
        "CIS AWS 4.2",
        "CIS AWS 4.3",
        "Security Hub CloudWatch.1",
        "Security Hub CloudWatch.2",
        "Security Hub CloudWatch.3",
    ],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    watch::run(
        cx,
        &[
            watch::UNAUTHORIZED_API_CALLS,
            watch::CONSOLE_SIGNIN_WITHOUT_MFA,
            watch::ROOT_ACCOUNT_USAGE,
        ],
    );
}
