use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{BackupPlan, BackupSelection, Collected, Source, TagCondition, Tags};

pub static CHECK: Check = Check {
    id: "BAK-01",
    slug: "backup-coverage",
    title: "Every EBS volume, RDS instance and DB cluster is covered by a backup plan",
    severity: Severity::Medium,
    sources: &[
        Source::BackupPlans,
        Source::BackupOptIn,
        Source::Ec2Volumes,
        Source::RdsInstances,
        Source::RdsClusters,
    ],
    rationale: "The TOM promises a high and redundant level of availability for customer data; only a backup taken on a schedule, outside the volume or database itself, brings data back after deletion, corruption or ransomware. A resource counts as covered only as AWS Backup would select it: Resources or ListOfTags, ANDed with every Conditions entry, minus NotResources, of a resource type the region has opted in (unless the selection names the type, which Aurora, Neptune and DocumentDB do not escape); Aurora and the other clusters are backed up at the cluster.",
    remediation: "Assign the resources to a backup plan in their region: aws backup create-backup-selection --backup-plan-id PLAN --backup-selection '{\"SelectionName\":\"all-ebs-rds\",\"IamRoleArn\":\"arn:aws:iam::ACCOUNT:role/service-role/AWSBackupDefaultServiceRole\",\"Resources\":[\"arn:aws:ec2:*:*:volume/*\",\"arn:aws:rds:*:*:db:*\",\"arn:aws:rds:*:*:cluster:*\"]}', or select them by a tag that every volume and database carries; opt the types in: aws backup update-region-settings --resource-type-opt-in-preference EBS=true,RDS=true,Aurora=true.",
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
    /// The resource type's name in AWS Backup's opt-in settings.
    backup_type: &'static str,
    /// The ARN's service and resource type, which a selection may name explicitly.
    service: &'static str,
    resource_type: &'static str,
}

/// Types that need the region's opt-in even when a selection names them.
const ALWAYS_OPT_IN: &[&str] = &["Aurora", "DocumentDB", "Neptune"];

fn cluster_backup_type(engine: &str) -> &'static str {
    if engine.starts_with("aurora") {
        "Aurora"
    } else if engine == "docdb" {
        "DocumentDB"
    } else if engine == "neptune" {
        "Neptune"
    } else {
        // Multi-AZ DB clusters of MySQL and PostgreSQL are RDS resources.
        "RDS"
    }
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut judged = 0;
    for (region, facts) in cx.regions() {
        // Read them all, so each unreadable source is reported.
        let plans = cx.get(&facts.backup_plans, region);
        let volumes = cx.get(&facts.volumes, region);
        let dbs = cx.get(&facts.db_instances, region);
        let clusters = cx.get(&facts.db_clusters, region);
        let Some(plans) = plans else {
            continue;
        };
        let mut targets: Vec<Target<'_>> = volumes
            .into_iter()
            .flatten()
            .map(|v| Target {
                arn: inv.arn("ec2", region, &format!("volume/{}", v.id)),
                kind: "ebs-volume",
                id: &v.id,
                tags: &v.tags,
                backup_type: "EBS",
                service: "ec2",
                resource_type: "volume",
            })
            .collect();
        for db in dbs.into_iter().flatten() {
            // Cluster members are backed up with their cluster, judged below.
            if db.cluster_id.is_some() {
                continue;
            }
            let arn = crate::checks::rds::db_arn(inv, region, db);
            if db.engine.starts_with("aurora") || matches!(db.engine.as_str(), "docdb" | "neptune")
            {
                judged += 1;
                cx.error(
                    region,
                    &arn,
                    format!(
                        "could not be evaluated: a {} instance is backed up with its cluster, and the inventory does not say which",
                        db.engine
                    ),
                    json!({ "db_instance": db.id, "engine": db.engine }),
                );
                continue;
            }
            targets.push(Target {
                arn,
                kind: "rds-instance",
                id: &db.id,
                tags: &db.tags,
                backup_type: "RDS",
                service: "rds",
                resource_type: "db",
            });
        }
        for c in clusters.into_iter().flatten() {
            targets.push(Target {
                arn: if c.arn.is_empty() {
                    inv.arn("rds", region, &format!("cluster:{}", c.id))
                } else {
                    c.arn.clone()
                },
                kind: "rds-cluster",
                id: &c.id,
                tags: &c.tags,
                backup_type: cluster_backup_type(&c.engine),
                service: "rds",
                resource_type: "cluster",
            });
        }
        for target in &targets {
            judged += 1;
            judge(cx, region, plans, &facts.backup_opt_in, target);
        }
    }
    if judged == 0 {
        cx.not_applicable(
            GLOBAL,
            "no EBS volumes, RDS instances or DB clusters in the scanned regions",
        );
    }
}

/// One selection that picks the resource.
struct Match<'p> {
    plan: &'p BackupPlan,
    selection: &'p BackupSelection,
    matched_by: Value,
    /// The selection names the resource's type (or the resource) in `Resources`.
    explicit: bool,
}

fn judge<'p>(
    cx: &mut Cx<'p>,
    region: &str,
    plans: &'p [BackupPlan],
    opt_in: &'p Collected<BTreeMap<String, bool>>,
    target: &Target<'_>,
) {
    let mut excluded = Vec::new();
    let mut unmet = Vec::new();
    let mut matches = Vec::new();
    for plan in plans {
        for selection in &plan.selections {
            match selects(selection, target) {
                Selected::Yes { matched_by, explicit } => matches.push(Match {
                    plan,
                    selection,
                    matched_by,
                    explicit,
                }),
                Selected::Excluded(pattern) => excluded.push(
                    json!({ "plan": plan.name, "selection": selection.name, "not_resources": pattern }),
                ),
                Selected::Unmet(condition) => unmet.push(
                    json!({ "plan": plan.name, "selection": selection.name, "condition": condition }),
                ),
                Selected::No => {}
            }
        }
    }
    let plan_names: Vec<&str> = plans.iter().map(|p| p.name.as_str()).collect();
    if matches.is_empty() {
        cx.fail(
            region,
            &target.arn,
            if plans.is_empty() {
                "the region has no backup plan".to_string()
            } else if !excluded.is_empty() {
                "the resource is excluded from every backup selection that would select it"
                    .to_string()
            } else if !unmet.is_empty() {
                "the resource fails the tag conditions of every backup selection that names it"
                    .to_string()
            } else {
                format!(
                    "no selection of the region's {} backup plan(s) selects the resource",
                    plans.len()
                )
            },
            json!({ "resource_type": target.kind, "id": target.id, "tags": target.tags, "plans": plan_names, "excluded_by": excluded, "conditions_not_met": unmet }),
        );
        return;
    }
    let covered = |m: &Match<'_>, opted_in: Option<bool>| json!({ "resource_type": target.kind, "id": target.id, "plan": m.plan.name, "plan_id": m.plan.id, "selection": m.selection.name, "matched_by": m.matched_by, "opt_in": { "type": target.backup_type, "opted_in": opted_in, "named_explicitly": m.explicit } });
    // AWS Backup includes a resource type a selection names explicitly whatever its
    // opt-in, except Aurora, Neptune and DocumentDB; by tag or "*" the opt-in decides.
    if !ALWAYS_OPT_IN.contains(&target.backup_type)
        && let Some(m) = matches.iter().find(|m| m.explicit)
    {
        cx.pass(
            region,
            &target.arn,
            format!(
                "covered by backup plan {} (selection {}, which names the resource type)",
                m.plan.name, m.selection.name
            ),
            covered(m, None),
        );
        return;
    }
    let Some(opt_in) = cx.get_for(opt_in, region, &target.arn) else {
        return;
    };
    let m = &matches[0];
    match opt_in.get(target.backup_type) {
        Some(true) => cx.pass(
            region,
            &target.arn,
            format!(
                "covered by backup plan {} (selection {})",
                m.plan.name, m.selection.name
            ),
            covered(m, Some(true)),
        ),
        Some(false) => cx.fail(
            region,
            &target.arn,
            format!(
                "selected by backup plan {} (selection {}), but the region has opted {} out of AWS Backup, so it is not backed up",
                m.plan.name, m.selection.name, target.backup_type
            ),
            covered(m, Some(false)),
        ),
        None => cx.error(
            region,
            &target.arn,
            format!(
                "could not be evaluated: selected by backup plan {}, but the region's opt-in settings do not name {}",
                m.plan.name, target.backup_type
            ),
            covered(m, None),
        ),
    }
}

enum Selected {
    /// Selected, by this pattern or tag; `explicit` when `Resources` names the type.
    Yes {
        matched_by: Value,
        explicit: bool,
    },
    /// Would be selected, but this `not_resources` pattern excludes it.
    Excluded(String),
    /// Named by `Resources` or `ListOfTags`, but this condition of `Conditions` fails.
    Unmet(Value),
    No,
}

/// Whether a backup selection picks the resource, as AWS Backup combines the parts:
/// `Resources` patterns and `ListOfTags` tags are alternatives (OR; neither given means
/// every resource), every `Conditions` entry must also hold (AND), and `NotResources`
/// removes what it matches.
fn selects(selection: &BackupSelection, target: &Target<'_>) -> Selected {
    let arn = target.arn.as_str();
    let explicit = selection
        .resources
        .iter()
        .any(|p| glob(p, arn) && names_type(p, target));
    let matched_by = if selection.resources.is_empty() && selection.tags.is_empty() {
        json!({ "resources": "none given: every resource" })
    } else if let Some(p) = selection.resources.iter().find(|p| glob(p, arn)) {
        json!({ "resources": p })
    } else if let Some((k, v)) = selection
        .tags
        .iter()
        .find(|(k, v)| target.tags.get(k).is_some_and(|t| t == v))
    {
        json!({ "tag": { "key": k, "value": v } })
    } else {
        return Selected::No;
    };
    if let Some(c) = selection
        .conditions
        .iter()
        .find(|c| !condition_holds(c, target.tags))
    {
        return Selected::Unmet(json!({ "operator": c.operator, "key": c.key, "value": c.value }));
    }
    match selection.not_resources.iter().find(|p| glob(p, arn)) {
        Some(p) => Selected::Excluded(p.clone()),
        None => {
            let mut matched_by = matched_by;
            if !selection.conditions.is_empty() {
                matched_by["conditions"] = json!(selection.conditions);
            }
            Selected::Yes {
                matched_by,
                explicit,
            }
        }
    }
}

/// One `Conditions` entry against the resource's tags. The negated operators hold for a
/// resource without the tag, as in IAM; an operator tomscan does not know never holds.
fn condition_holds(c: &TagCondition, tags: &Tags) -> bool {
    let value = tags.get(&c.key).map(String::as_str);
    match c.operator.as_str() {
        "StringEquals" => value == Some(c.value.as_str()),
        "StringNotEquals" => value != Some(c.value.as_str()),
        "StringLike" => value.is_some_and(|v| glob(&c.value, v)),
        "StringNotLike" => !value.is_some_and(|v| glob(&c.value, v)),
        _ => false,
    }
}

/// Whether an ARN pattern names the target's resource type itself
/// (`arn:aws:ec2:*:*:volume/*`, or the resource's own ARN), not only its service
/// (`arn:aws:ec2:*`) or everything (`*`).
fn names_type(pattern: &str, target: &Target<'_>) -> bool {
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let [_, _, service, _, _, resource] = parts[..] else {
        return false;
    };
    service == target.service
        && resource
            .strip_prefix(target.resource_type)
            .is_some_and(|rest| rest.starts_with(['/', ':']))
}

/// `pattern` matches all of `text`, where `*` stands for any run of characters
/// (colons and slashes included), `?` for any one character (tag conditions; ARNs have
/// none) and every other character for itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    // Where the last `*` was, and where in `text` it currently stops matching.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == t[ti] || p[pi] == b'?') {
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
        assert!(glob("data-?", "data-1"));
        assert!(!glob("data-?", "data-12"));
    }
}
