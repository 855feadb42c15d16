//! Directory Service: which directories exist, and whether RADIUS MFA is set up on
//! them (Client VPN's Active Directory authentication is a second factor only then).

use super::{action, paged, regional};
use crate::inventory::{Directory, Unavailable};

regional! {
    DirectoryServiceDirectories => directories: ds, directories;
}

pub async fn directories(
    client: &aws_sdk_directory::Client,
) -> Result<Vec<Directory>, Unavailable> {
    let list = paged(
        action!(DirectoryServiceDirectories, DescribeDirectories),
        client
            .describe_directories()
            .into_paginator()
            .items()
            .send(),
    )
    .await?;
    Ok(list
        .iter()
        .map(|d| Directory {
            id: d.directory_id().unwrap_or_default().to_string(),
            name: d.name().unwrap_or_default().to_string(),
            kind: d
                .r#type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            stage: d
                .stage()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            radius_status: d.radius_status().map(|s| s.as_str().to_string()),
        })
        .collect())
}
