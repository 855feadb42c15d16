//! CloudTrail: trails, their status and event selectors (logging).

use aws_sdk_cloudtrail::operation::describe_trails::{DescribeTrailsError, DescribeTrailsOutput};
use aws_sdk_cloudtrail::operation::get_event_selectors::{
    GetEventSelectorsError, GetEventSelectorsOutput,
};
use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
use aws_sdk_cloudtrail::types::{
    AdvancedEventSelector, AdvancedFieldSelector, EventSelector, ReadWriteType, Trail,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use tomscan::check::{Cx, Outcome, Status};
use tomscan::config::Settings;
use tomscan::inventory::{CloudTrail, Collected, Inventory};

const ACCOUNT: &str = "123456789012";

fn trail(name: &str, account: &str, multi_region: bool) -> Trail {
    Trail::builder()
        .name(name)
        .trail_arn(format!(
            "arn:aws:cloudtrail:eu-west-1:{account}:trail/{name}"
        ))
        .home_region("eu-west-1")
        .is_multi_region_trail(multi_region)
        .is_organization_trail(account != ACCOUNT)
        .log_file_validation_enabled(true)
        .s3_bucket_name("logs")
        .build()
}

fn listing(trails: Vec<Trail>) -> Rule {
    mock!(aws_sdk_cloudtrail::Client::describe_trails).then_output(move || {
        DescribeTrailsOutput::builder()
            .set_trail_list(Some(trails.clone()))
            .build()
    })
}

fn logging() -> Rule {
    mock!(aws_sdk_cloudtrail::Client::get_trail_status).then_output(|| {
        GetTrailStatusOutput::builder()
            .is_logging(true)
            .latest_cloud_watch_logs_delivery_time(aws_smithy_types::DateTime::from_secs(
                1_780_000_000,
            ))
            .build()
    })
}

fn all_management_events() -> Rule {
    mock!(aws_sdk_cloudtrail::Client::get_event_selectors).then_output(|| {
        GetEventSelectorsOutput::builder()
            .event_selectors(
                EventSelector::builder()
                    .read_write_type(ReadWriteType::All)
                    .include_management_events(true)
                    .build(),
            )
            .build()
    })
}

fn judge(check: &str, cloudtrail: CloudTrail, regions: &[&str]) -> Vec<Outcome> {
    let inv = Inventory {
        account_id: ACCOUNT.into(),
        regions: regions.iter().map(|r| r.to_string()).collect(),
        cloudtrail,
        ..Default::default()
    };
    let settings = Settings::default();
    let mut cx = Cx::new(&inv, &settings, chrono::Utc::now());
    (tomscan::checks::find(check).unwrap().run)(&mut cx);
    cx.into_outcomes()
}

fn regions(list: &[&str]) -> Vec<String> {
    list.iter().map(|r| r.to_string()).collect()
}

/// One region's DescribeTrails failure stays in that region: the trails the other
/// regions listed are kept and judged, and only the failed region is an error.
#[tokio::test]
async fn a_region_that_cannot_list_trails_does_not_hide_the_others() {
    let list = listing(vec![trail("main", ACCOUNT, true)]);
    let (status, selectors) = (logging(), all_management_events());
    let readable = mock_client!(
        aws_sdk_cloudtrail,
        RuleMode::MatchAny,
        &[&list, &status, &selectors]
    );
    let scp = mock!(aws_sdk_cloudtrail::Client::describe_trails).then_error(|| {
        DescribeTrailsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("explicit deny in a service control policy")
                .build(),
        )
    });
    let denied_region = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, &[&scp]);
    let ct = tomscan::collect::cloudtrail::trails(
        |r| {
            if r == "ap-east-1" {
                denied_region.clone()
            } else {
                readable.clone()
            }
        },
        &regions(&["ap-east-1", "eu-west-1"]),
        "eu-west-1",
    )
    .await;
    let Collected::Ok(trails) = &ct.trails else {
        panic!(
            "the readable region's trails were discarded: {:?}",
            ct.trails
        );
    };
    assert_eq!(trails.len(), 1);
    assert_eq!(
        ct.unlisted_regions["ap-east-1"].action,
        "cloudtrail:DescribeTrails"
    );
    assert_eq!(
        trails[0]
            .status
            .ok()
            .unwrap()
            .latest_cloudwatch_logs_delivery_time
            .unwrap()
            .timestamp(),
        1_780_000_000
    );

    // The multi-region trail covers ap-east-1 too: CT-01 passes.
    let ct01 = judge("CT-01", ct.clone(), &["ap-east-1", "eu-west-1"]);
    assert_eq!(
        ct01.iter().map(|o| o.status).collect::<Vec<_>>(),
        [Status::Pass]
    );
    // A per-trail check judges the trail it has, and errs for ap-east-1 alone.
    let ct02 = judge("CT-02", ct, &["ap-east-1", "eu-west-1"]);
    let mut got: Vec<(Status, &str)> = ct02.iter().map(|o| (o.status, o.region.as_str())).collect();
    got.sort();
    assert_eq!(
        got,
        [(Status::Pass, "eu-west-1"), (Status::Error, "ap-east-1")]
    );
    assert!(
        ct02.iter()
            .any(|o| o.message.contains("cloudtrail:DescribeTrails"))
    );

    // No region answered: nothing is known, not even "no trails".
    let none = tomscan::collect::cloudtrail::trails(
        |_| denied_region.clone(),
        &regions(&["ap-east-1"]),
        "eu-west-1",
    )
    .await;
    assert!(
        matches!(none.trails, Collected::Unavailable(ref u) if u.action == "cloudtrail:DescribeTrails")
    );
}

/// Selectors are read as AWS states them: every operator of an advanced field
/// selector, `ExcludeManagementEventSources`, and an empty answer as empty.
#[tokio::test]
async fn event_selectors_are_read_as_given_and_empty_stays_empty() {
    let list = listing(vec![
        trail("advanced", ACCOUNT, true),
        trail("basic", ACCOUNT, true),
        trail("bare", ACCOUNT, true),
    ]);
    let status = logging();
    let advanced = mock!(aws_sdk_cloudtrail::Client::get_event_selectors)
        .match_requests(|r| r.trail_name().is_some_and(|n| n.ends_with("/advanced")))
        .then_output(|| {
            GetEventSelectorsOutput::builder()
                .advanced_event_selectors(
                    AdvancedEventSelector::builder()
                        .name("Management without KMS")
                        .field_selectors(
                            AdvancedFieldSelector::builder()
                                .field("eventCategory")
                                .equals("Management")
                                .build()
                                .unwrap(),
                        )
                        .field_selectors(
                            AdvancedFieldSelector::builder()
                                .field("eventSource")
                                .not_equals("kms.amazonaws.com")
                                .not_starts_with("rdsdata")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let basic = mock!(aws_sdk_cloudtrail::Client::get_event_selectors)
        .match_requests(|r| r.trail_name().is_some_and(|n| n.ends_with("/basic")))
        .then_output(|| {
            GetEventSelectorsOutput::builder()
                .event_selectors(
                    EventSelector::builder()
                        .read_write_type(ReadWriteType::All)
                        .include_management_events(true)
                        .exclude_management_event_sources("kms.amazonaws.com")
                        .build(),
                )
                .build()
        });
    let bare = mock!(aws_sdk_cloudtrail::Client::get_event_selectors)
        .match_requests(|r| r.trail_name().is_some_and(|n| n.ends_with("/bare")))
        .then_output(|| GetEventSelectorsOutput::builder().build());
    let client = mock_client!(
        aws_sdk_cloudtrail,
        RuleMode::MatchAny,
        &[&list, &status, &advanced, &basic, &bare]
    );
    let ct = tomscan::collect::cloudtrail::trails(
        |_| client.clone(),
        &regions(&["eu-west-1"]),
        "eu-west-1",
    )
    .await;
    let trails = ct.trails.ok().unwrap();
    let sel = |name: &str| {
        trails
            .iter()
            .find(|t| t.name == name)
            .unwrap()
            .selectors
            .ok()
            .unwrap()
            .clone()
    };
    let adv = sel("advanced");
    let source = &adv.advanced[0].fields[1];
    assert_eq!(source.field, "eventSource");
    assert_eq!(source.not_equals, ["kms.amazonaws.com"]);
    assert_eq!(source.not_starts_with, ["rdsdata"]);
    assert_eq!(
        sel("basic").basic[0].exclude_management_event_sources,
        ["kms.amazonaws.com"]
    );
    let bare = sel("bare");
    assert!(
        bare.basic.is_empty() && bare.advanced.is_empty(),
        "an empty answer must not become \"all management events\": {bare:?}"
    );
    // None of the three logs every management event.
    let ct01 = judge("CT-01", ct, &["eu-west-1"]);
    assert_eq!(
        ct01.iter().map(|o| o.status).collect::<Vec<_>>(),
        [Status::Fail]
    );
}

/// A member account sees the organization trail; its selectors are the management
/// account's. GetTrailStatus, by ARN, still answers, and the trail is judged from
/// its flags and status, saying whose selectors they are.
#[tokio::test]
async fn organization_trail_of_the_management_account_is_judged_from_its_flags() {
    let org = trail("org-trail", "999988887777", true);
    let list = listing(vec![org]);
    let status = mock!(aws_sdk_cloudtrail::Client::get_trail_status)
        .match_requests(|r| {
            r.name() == Some("arn:aws:cloudtrail:eu-west-1:999988887777:trail/org-trail")
        })
        .then_output(|| GetTrailStatusOutput::builder().is_logging(true).build());
    let selectors = mock!(aws_sdk_cloudtrail::Client::get_event_selectors).then_error(|| {
        GetEventSelectorsError::generic(
            ErrorMetadata::builder()
                .code("TrailNotFoundException")
                .message("Unknown trail for the user: 123456789012")
                .build(),
        )
    });
    let client = mock_client!(
        aws_sdk_cloudtrail,
        RuleMode::MatchAny,
        &[&list, &status, &selectors]
    );
    let ct = tomscan::collect::cloudtrail::trails(
        |_| client.clone(),
        &regions(&["eu-west-1"]),
        "eu-west-1",
    )
    .await;
    let t = &ct.trails.ok().unwrap()[0];
    assert!(t.organization_trail);
    assert!(t.status.ok().unwrap().is_logging);
    assert!(
        matches!(&t.selectors, Collected::Unavailable(u) if u.action == "cloudtrail:GetEventSelectors")
    );
    let ct01 = judge("CT-01", ct, &["eu-west-1"]);
    assert_eq!(ct01.len(), 1);
    assert_eq!(ct01[0].status, Status::Pass);
    assert!(
        ct01[0].evidence["management_events"]
            .as_str()
            .unwrap()
            .contains("management account 999988887777"),
        "{}",
        ct01[0].evidence
    );
}
