//! GuardDuty detectors and whether each is enabled.

use super::{action, paged, regional, word};
use crate::aws::unavailable;
use futures_util::future::join_all;

use crate::inventory::{GuardDutyDetector, Unavailable};

regional! {
    GuardDutyDetectors => guardduty_detectors: guardduty, guardduty_detectors;
}

pub async fn guardduty_detectors(
    client: &aws_sdk_guardduty::Client,
) -> Result<Vec<GuardDutyDetector>, Unavailable> {
    let ids = paged(
        action!(GuardDutyDetectors, ListDetectors),
        client.list_detectors().into_paginator().items().send(),
    )
    .await?;
    let detectors = join_all(ids.iter().map(|id| async move {
        let d = client
            .get_detector()
            .detector_id(id)
            .send()
            .await
            .map_err(|e| unavailable(action!(GuardDutyDetectors, GetDetector), e))?;
        Ok::<_, Unavailable>(GuardDutyDetector {
            id: id.clone(),
            status: word(d.status().map(|s| s.as_str())),
        })
    }))
    .await;
    detectors.into_iter().collect()
}
