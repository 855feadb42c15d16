use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Source, VirtualMfaDevice};

pub static CHECK: Check = Check {
    id: "IAM-16",
    slug: "root-hardware-mfa",
    title: "Root account MFA is a hardware device",
    severity: Severity::Medium,
    sources: &[Source::IamAccountSummary, Source::IamVirtualMfaDevices],
    rationale: "The TOM promises strong authentication for privileged access. A virtual MFA app for root lives on a phone that is lost, backed up to the cloud or replaced; a hardware device kept in a safe is the second factor the most powerful identity deserves.",
    remediation: "Sign in as root, open Security credentials, assign a hardware TOTP token or FIDO security key, then deactivate and delete the virtual device (aws iam deactivate-mfa-device / aws iam delete-virtual-mfa-device --serial-number SERIAL). Keep the hardware device in a safe with a documented recovery procedure.",
    references: &["CIS AWS 1.6", "Security Hub IAM.6"],
    run,
    module: module_path!(),
};

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let Some(summary) = cx.get(&inv.iam.account_summary, GLOBAL) else {
        return;
    };
    if summary.root_has_no_credentials() {
        super::root_without_credentials(cx);
        return;
    }
    let root = inv.root_arn();
    if !summary.root_mfa_enabled {
        cx.fail(
            GLOBAL,
            &root,
            "the root account has no MFA at all (IAM-03 reports this too)",
            json!({ "root_mfa_enabled": false }),
        );
        return;
    }
    let Some(devices) = cx.get(&inv.iam.virtual_mfa_devices, GLOBAL) else {
        return;
    };
    let virtual_root: Vec<&VirtualMfaDevice> = devices.iter().filter(|d| is_root(d)).collect();
    let evidence = json!({
        "root_mfa_enabled": true,
        "root_virtual_mfa_devices": virtual_root.iter().map(|d| json!({ "serial_number": d.serial_number, "user_arn": d.user_arn })).collect::<Vec<_>>(),
    });
    cx.verdict(
        virtual_root.is_empty(),
        GLOBAL,
        &root,
        (
            "the root account's MFA is not a virtual device, so it is a hardware device",
            "the root account's MFA is a virtual (software) device",
        ),
        evidence,
    );
}

fn is_root(device: &VirtualMfaDevice) -> bool {
    device
        .user_arn
        .as_deref()
        .is_some_and(|a| a.ends_with(":root"))
        || device.serial_number.ends_with("/root-account-mfa-device")
}
