//! rds checks.

pub mod multi_az;
pub mod no_public_instances;
pub mod no_shared_snapshots;
pub mod storage_encrypted;

use crate::check::Check;
use crate::inventory::{DbInstance, Inventory};

pub const CHECKS: &[&Check] = &[
    &storage_encrypted::CHECK,
    &multi_az::CHECK,
    &no_public_instances::CHECK,
    &no_shared_snapshots::CHECK,
];

/// The instance's ARN as RDS reports it, or built from its identifier where the
/// inventory has none.
pub(crate) fn db_arn(inv: &Inventory, region: &str, db: &DbInstance) -> String {
    if db.arn.is_empty() {
        inv.arn("rds", region, &format!("db:{}", db.id))
    } else {
        db.arn.clone()
    }
}
