//! S3: bucket regions from ListBuckets, and a location that cannot be read.

use super::*;

#[tokio::test]
async fn bucket_regions_come_from_list_buckets_and_an_unreadable_location_stays_unknown() {
    use aws_sdk_s3::operation::get_bucket_location::{
        GetBucketLocationError, GetBucketLocationOutput,
    };
    use aws_sdk_s3::operation::list_buckets::ListBucketsOutput;
    use aws_sdk_s3::types::{Bucket, BucketLocationConstraint};
    // BucketRegion is only in the answer when the request carries MaxBuckets.
    let list = mock!(aws_sdk_s3::Client::list_buckets)
        .match_requests(|r| r.max_buckets().is_some())
        .then_output(|| {
            ListBucketsOutput::builder()
                .buckets(
                    Bucket::builder()
                        .name("listed")
                        .bucket_region("eu-central-1")
                        .build(),
                )
                .buckets(Bucket::builder().name("legacy-eu").build())
                .buckets(Bucket::builder().name("locked").build())
                .build()
        });
    let legacy = mock!(aws_sdk_s3::Client::get_bucket_location)
        .match_requests(|r| r.bucket() == Some("legacy-eu"))
        .then_output(|| {
            GetBucketLocationOutput::builder()
                .location_constraint(BucketLocationConstraint::Eu)
                .build()
        });
    let locked = mock!(aws_sdk_s3::Client::get_bucket_location)
        .match_requests(|r| r.bucket() == Some("locked"))
        .then_error(|| {
            GetBucketLocationError::generic(
                ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("Access Denied")
                    .build(),
            )
        });
    let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&list, &legacy, &locked]);
    let buckets = tomscan::collect::s3::list_buckets(&client).await.unwrap();
    assert_eq!(list.num_calls(), 1, "the listing carried MaxBuckets");
    assert_eq!(
        buckets[0],
        ("listed".to_string(), Ok("eu-central-1".to_string()))
    );
    assert_eq!(
        buckets[1],
        ("legacy-eu".to_string(), Ok("eu-west-1".to_string()))
    );
    let Err(u) = &buckets[2].1 else {
        panic!(
            "{:?}: a bucket whose location cannot be read is never placed",
            buckets[2]
        );
    };
    assert_eq!(
        (u.action.as_str(), u.code.as_str()),
        ("s3:GetBucketLocation", "AccessDenied")
    );
    assert_eq!(
        (legacy.num_calls(), locked.num_calls()),
        (1, 1),
        "GetBucketLocation only for buckets ListBuckets left without a region"
    );
}
