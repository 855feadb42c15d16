//! AWS Config recorders: what they record, and whether they are recording.

use super::{action, regional};
use crate::aws::unavailable;
use crate::inventory::{ConfigRecorder, Unavailable};

regional! {
    ConfigRecorders => config_recorders: config, config_recorders;
}

pub async fn config_recorders(
    client: &aws_sdk_config::Client,
) -> Result<Vec<ConfigRecorder>, Unavailable> {
    let (recorders, status) = tokio::join!(
        client.describe_configuration_recorders().send(),
        client.describe_configuration_recorder_status().send(),
    );
    let recorders = recorders
        .map_err(|e| unavailable(action!(ConfigRecorders, DescribeConfigurationRecorders), e))?;
    let status = status.map_err(|e| {
        unavailable(
            action!(ConfigRecorders, DescribeConfigurationRecorderStatus),
            e,
        )
    })?;
    Ok(recorders
        .configuration_recorders()
        .iter()
        .map(|r| {
            let name = r.name().unwrap_or_default().to_string();
            let group = r.recording_group();
            let state = status
                .configuration_recorders_status()
                .iter()
                .find(|s| s.name() == Some(name.as_str()));
            ConfigRecorder {
                all_supported: group.is_some_and(|g| g.all_supported()),
                include_global_resource_types: group
                    .is_some_and(|g| g.include_global_resource_types()),
                resource_types: group
                    .map(|g| {
                        g.resource_types()
                            .iter()
                            .map(|t| t.as_str().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
                recording: state.is_some_and(|s| s.recording()),
                // AWS spells it `Success`/`Failure` in the model and `SUCCESS`/`FAILURE`
                // on the wire; keep one spelling.
                last_status: state
                    .and_then(|s| s.last_status())
                    .map(|v| v.as_str().to_ascii_uppercase()),
                last_error_code: state.and_then(|s| s.last_error_code()).map(str::to_string),
                last_error_message: state
                    .and_then(|s| s.last_error_message())
                    .map(str::to_string),
                name,
            }
        })
        .collect())
}
