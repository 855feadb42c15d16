use serde_json::json;

use crate::check::{Check, Cx, GLOBAL, Severity};
use crate::inventory::{Source, Tags};

pub static CHECK: Check = Check {
    id: "ACCT-03",
    slug: "tenant-tag-coverage",
    title: "Every customer-data resource carries the tenant tag",
    severity: Severity::Medium,
    sources: &[
        Source::Ec2Instances,
        Source::Ec2Volumes,
        Source::S3BucketTags,
        Source::RdsInstances,
    ],
    rationale: "The TOM promises that data of different customers is kept apart. That separation can only be shown, enforced with tag-based access conditions, and audited when every instance, volume, bucket and database says which customer (tenant) it serves.",
    remediation: "Tag each listed resource with the tenant tag, e.g. aws resourcegroupstaggingapi tag-resources --resource-arn-list ARN --tags Tenant=CUSTOMER, and enforce it on creation with a tag policy or an SCP that denies creating untagged resources (condition `aws:RequestTag/Tenant`).",
    references: &["TOM 9 tenant separation (tomscan)"],
    run,
    module: module_path!(),
};

/// A resource that holds or processes customer data.
struct Resource<'a> {
    region: String,
    arn: String,
    kind: &'static str,
    tags: &'a Tags,
}

fn run(cx: &mut Cx<'_>) {
    let inv = cx.inv;
    let mut resources = Vec::new();
    for (region, facts) in cx.regions() {
        if let Some(instances) = cx.get(&facts.instances, region) {
            for i in instances
                .iter()
                .filter(|i| !matches!(i.state.as_str(), "terminated" | "shutting-down"))
            {
                resources.push(Resource {
                    region: region.to_string(),
                    arn: inv.arn("ec2", region, &format!("instance/{}", i.id)),
                    kind: "ec2:instance",
                    tags: &i.tags,
                });
            }
        }
        if let Some(volumes) = cx.get(&facts.volumes, region) {
            for v in volumes {
                resources.push(Resource {
                    region: region.to_string(),
                    arn: inv.arn("ec2", region, &format!("volume/{}", v.id)),
                    kind: "ec2:volume",
                    tags: &v.tags,
                });
            }
        }
        if let Some(dbs) = cx.get(&facts.db_instances, region) {
            for db in dbs {
                let arn = if db.arn.is_empty() {
                    inv.arn("rds", region, &format!("db:{}", db.id))
                } else {
                    db.arn.clone()
                };
                resources.push(Resource {
                    region: region.to_string(),
                    arn,
                    kind: "rds:db",
                    tags: &db.tags,
                });
            }
        }
    }
    if let Some(buckets) = cx.get(&inv.s3.buckets, GLOBAL) {
        for b in buckets {
            let arn = format!("arn:{}:s3:::{}", inv.partition_or_default(), b.name);
            let Some(tags) = cx.get_for(&b.tags, &b.region, &arn) else {
                continue;
            };
            resources.push(Resource {
                region: b.region.clone(),
                arn,
                kind: "s3:bucket",
                tags,
            });
        }
    }

    // The facts are read first, so a denied source is reported even when no tag is set.
    let Some(key) = cx.settings.tenant_tag.as_deref() else {
        cx.not_applicable(GLOBAL, "tenant_tag is not configured");
        return;
    };
    if resources.is_empty() {
        cx.not_applicable(
            GLOBAL,
            "no instances, volumes, buckets or DB instances were found",
        );
        return;
    }
    for r in &resources {
        let value = r.tags.get(key).map(|v| v.trim());
        let evidence = json!({ "resource_type": r.kind, "tenant_tag": key, "tags": r.tags });
        match value {
            Some(v) if !v.is_empty() => {
                cx.pass(&r.region, &r.arn, format!("tagged {key}={v}"), evidence)
            }
            Some(_) => cx.fail(
                &r.region,
                &r.arn,
                format!("the {key} tag is empty"),
                evidence,
            ),
            None => cx.fail(
                &r.region,
                &r.arn,
                format!("the {key} tag is missing"),
                evidence,
            ),
        }
    }
}
