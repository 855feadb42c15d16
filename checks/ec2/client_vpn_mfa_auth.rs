use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{ClientVpnEndpoint, ClientVpnStatus, Collected, Directory, Source};

pub static CHECK: Check = Check {
    id: "EC2-04",
    slug: "client-vpn-mfa-auth",
    title: "Client VPN endpoints require MFA: SAML federation or a directory with RADIUS MFA",
    severity: Severity::High,
    sources: &[
        Source::Ec2ClientVpnEndpoints,
        Source::DirectoryServiceDirectories,
    ],
    rationale: "The TOM promises a VPN with a second factor. Mutual certificate authentication alone is one factor held by a device (a file that can be copied). Active Directory authentication is a password unless the directory has RADIUS MFA configured (Directory Service RadiusStatus Completed). SAML federation puts MFA at the identity provider, whose policy no AWS API shows: such an endpoint is manual, naming the provider, never a pass on faith.",
    remediation: "Use federated (SAML) authentication with MFA required at the identity provider, or enable RADIUS MFA on the directory the endpoint authenticates against: aws ds enable-radius --directory-id DIRECTORY --radius-settings ...; an endpoint with certificates alone must be recreated with user authentication.",
    references: &[
        "AWS Client VPN: client authentication",
        "AWS Directory Service: multi-factor authentication",
    ],
    run,
    module: module_path!(),
};

const FEDERATED: &str = "federated-authentication";
const DIRECTORY: &str = "directory-service-authentication";
/// The RADIUS status of a directory whose MFA is set up and working.
const RADIUS_READY: &str = "Completed";

fn run(cx: &mut Cx<'_>) {
    let mut endpoints = 0;
    for (region, facts) in cx.regions() {
        let Some(list) = cx.get(&facts.client_vpn_endpoints, region) else {
            continue;
        };
        for ep in list.iter().filter(|e| e.status != ClientVpnStatus::Deleted) {
            endpoints += 1;
            let arn = super::ec2_arn(cx.inv, region, "client-vpn-endpoint", &ep.id);
            judge(cx, region, &arn, ep, &facts.directories);
        }
    }
    if endpoints == 0 {
        cx.not_applicable(GLOBAL, "no Client VPN endpoints in the scanned regions");
    }
}

fn judge<'a>(
    cx: &mut Cx<'a>,
    region: &str,
    arn: &str,
    ep: &ClientVpnEndpoint,
    directories: &'a Collected<Vec<Directory>>,
) {
    let has = |kind: &str| ep.authentication.iter().any(|a| a == kind);
    let mut evidence = json!({ "endpoint_id": ep.id, "authentication": ep.authentication });
    if has(FEDERATED) {
        // Whether the identity provider asks for a second factor is its own setting;
        // no AWS API shows it, so the evidence names where to look.
        let providers = if ep.saml_provider_arns.is_empty() {
            "the endpoint's SAML identity provider".to_string()
        } else {
            ep.saml_provider_arns.join(", ")
        };
        evidence["saml_providers"] = json!(ep.saml_provider_arns);
        cx.manual(
            region,
            arn,
            format!(
                "users authenticate through SAML federation ({providers}); whether it requires MFA is the identity provider's setting, which AWS does not expose: confirm it there, or attest it"
            ),
            evidence,
        );
        return;
    }
    if !has(DIRECTORY) {
        cx.fail(
            region,
            arn,
            "users authenticate with certificates alone, without a second factor",
            evidence,
        );
        return;
    }
    if ep.directory_ids.is_empty() {
        cx.error(
            region,
            arn,
            "could not be evaluated: the endpoint uses directory authentication, but the inventory does not name the directory",
            evidence,
        );
        return;
    }
    let Some(known) = cx.get_for(directories, region, arn) else {
        return;
    };
    let mut judged: Vec<Value> = Vec::new();
    for id in &ep.directory_ids {
        match known.iter().find(|d| &d.id == id) {
            Some(d) => judged.push(json!({
                "directory_id": d.id,
                "name": d.name,
                "type": d.kind,
                "radius_status": d.radius_status,
            })),
            None => {
                evidence["directory_id"] = json!(id);
                cx.error(
                    region,
                    arn,
                    format!(
                        "could not be evaluated: directory {id} is not among those ds:DescribeDirectories lists, so its RADIUS MFA cannot be read"
                    ),
                    evidence,
                );
                return;
            }
        }
    }
    let with_mfa = |d: &Value| d["radius_status"] == RADIUS_READY;
    let ok = judged.iter().all(with_mfa);
    evidence["directories"] = json!(judged);
    if ok {
        cx.pass(
            region,
            arn,
            "users authenticate against a directory with RADIUS MFA",
            evidence,
        );
    } else {
        let without: Vec<String> = judged
            .iter()
            .filter(|d| !with_mfa(d))
            .map(|d| {
                format!(
                    "{} (RADIUS {})",
                    d["directory_id"].as_str().unwrap_or_default(),
                    d["radius_status"].as_str().unwrap_or("not configured")
                )
            })
            .collect();
        cx.fail(
            region,
            arn,
            format!(
                "users authenticate against a directory without RADIUS MFA: {}; a password (and a device certificate) is not a second factor",
                without.join(", ")
            ),
            evidence,
        );
    }
}
