use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{BackupPlan, BackupSelection, Source, Tags};

pub static CHECK: Check = Check {
    id: "BAK-01",
    slug: "backup-coverage",
    title: "Every EBS volume and RDS instance is covered by a backup plan",
    severity: Severity::Medium,
    sources: &[
        Source::BackupPlans,
        Source::Ec2Volumes,
        Source::RdsInstances,
    ],
    rationale: "The TOM promises a high and redundant level of availability for customer data; only a backup taken on a schedule, outside the volume or database itself, brings data back after deletion, corruption or ransomware.",
    remediation: "Assign the resources to a backup plan in their region: aws backup create-backup-selection --backup-plan-id PLAN --backup-selection '{\"SelectionName\":\"all-ebs-rds\",\"IamRoleArn\":\"arn:aws:iam::ACCOUNT:role/service-role/AWSBackupDefaultServiceRole\",\"Resources\":[\"arn:aws:ec2:*:*:volume/*\",\"arn:aws:rds:*:*:db:*\"]}', or select them by a tag (ListOfTags) that every volume and database carries.",
    references: &[
        "Security Hub EC2.28",
        "Security Hub RDS.26",
        "AWS Well-Architected REL09-BP01",
    ],
    run,
    module: module_path!(),
};

/// A resource a backup plan can protect.
struct Target<'a> {
    arn: String,
    kind: &'static str,
    id: &'a str,
    tags: &'a Tags,
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut judged = 0;
    for (region, facts) in cx.regions() {
        // Read all three, so each unreadable source is reported.
        let plans = cx.get(&facts.backup_plans, region);
        let volumes = cx.get(&facts.volumes, region);
        let dbs = cx.get(&facts.db_instances, region);
        let Some(plans) = plans else {
            continue;
        };
        let targets = volumes
            .into_iter()
            .flatten()
            .map(|v| Target {
                arn: inv.arn("ec2", region, &format!("volume/{}", v.id)),
                kind: "ebs-volume",
                id: &v.id,
                tags: &v.tags,
            })
            .chain(dbs.into_iter().flatten().map(|db| Target {
                arn: crate::checks::rds::db_arn(inv, region, db),
                kind: "rds-instance",
                id: &db.id,
                tags: &db.tags,
            }));
        for target in targets {
            judged += 1;
            judge(cx, region, plans, &target);
        }
    }
    if judged == 0 {
        cx.not_applicable(
            GLOBAL,
            "no EBS volumes or RDS instances in the scanned regions",
        );
    }
}

fn judge(cx: &mut Cx<'_>, region: &str, plans: &[BackupPlan], target: &Target<'_>) {
    let mut excluded = Vec::new();
    for plan in plans {
        for selection in &plan.selections {
            match selects(selection, &target.arn, target.tags) {
                Selected::Yes(matched_by) => {
                    cx.pass(
                        region,
                        &target.arn,
                        format!(
                            "covered by backup plan {} (selection {})",
                            plan.name, selection.name
                        ),
                        json!({ "resource_type": target.kind, "id": target.id, "plan": plan.name, "plan_id": plan.id, "selection": selection.name, "matched_by": matched_by }),
                    );
                    return;
                }
                Selected::Excluded(pattern) => excluded.push(
                    json!({ "plan": plan.name, "selection": selection.name, "not_resources": pattern }),
                ),
                Selected::No => {}
            }
        }
    }
    let plan_names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    cx.fail(
        region,
        &target.arn,
        if plans.is_empty() {
            "the region has no backup plan".to_string()
        } else if excluded.is_empty() {
            format!(
                "no selection of the region's {} backup plan(s) selects the resource",
                plans.len()
            )
        } else {
            "the resource is excluded from every backup selection that would select it".to_string()
        },
        json!({ "resource_type": target.kind, "id": target.id, "tags": target.tags, "plans": plan_names, "excluded_by": excluded }),
    );
}

enum Selected {
    /// Selected, by this pattern or tag.
    Yes(Value),
    /// Would be selected, but this `not_resources` pattern excludes it.
    Excluded(String),
    No,
}

/// Whether a backup selection picks the resource: by an ARN pattern or by one of its
/// tag conditions, and not excluded by `not_resources` (which applies to both, as in
/// AWS Backup).
fn selects(selection: &BackupSelection, arn: &str, tags: &Tags) -> Selected {
    let matched_by = if let Some(p) = selection.resources.iter().find(|p| glob(p, arn)) {
        json!({ "resources": p })
    } else if let Some((k, v)) = selection
        .tags
        .iter()
        .find(|(k, v)| tags.get(k).is_some_and(|t| t == v))
    {
        json!({ "tag": { "key": k, "value": v } })
    } else {
        return Selected::No;
    };
    match selection.not_resources.iter().find(|p| glob(p, arn)) {
        Some(p) => Selected::Excluded(p.clone()),
        None => Selected::Yes(matched_by),
    }
}

/// `pattern` matches all of `text`, where `*` stands for any run of characters
/// (colons and slashes included) and every other character for itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and where in `text` it currently stops matching.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            // Let the last `*` swallow one more character and retry.
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_matches_only_with_stars() {
        let vol = "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1";
        assert!(glob("*", vol));
        assert!(glob(vol, vol));
        assert!(glob("arn:aws:ec2:*:*:volume/*", vol));
        assert!(glob("arn:aws:ec2:eu-west-1:*:volume/vol-*", vol));
        assert!(glob("*vol-1", vol));
        assert!(glob("arn:*:*:*:*:*", vol));
        assert!(!glob("arn:aws:rds:*:*:db:*", vol));
        assert!(!glob("arn:aws:ec2:*:*:volume/vol-2", vol));
        assert!(!glob("arn:aws:ec2:*:*:volume/vol-", vol));
        assert!(!glob("", vol));
        assert!(glob("", ""));
        assert!(glob("**", ""));
        assert!(!glob("a*b", "acbd"));
        assert!(glob("a*b*", "acbd"));
    }
}
