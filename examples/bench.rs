//! Benchmark: seeds a large account into moto, then scans it with the release binary
//! under `/usr/bin/time -v`, and prints wall time, peak memory and AWS request counts.
//!
//!     bench/run.sh                                   # defaults below
//!     bench/run.sh --users 1000 --buckets 300 --instances 40
//!
//! Figures, never assertions: speed is measured here, not in tests that could flake.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use support::seed::{Bucket, Region, Rule, Scenario, SecurityGroup, Subnet, User, Vpc};

struct Size {
    users: usize,
    buckets: usize,
    instances: usize,
    groups: usize,
    regions: Vec<String>,
}

fn parse_args() -> Size {
    let mut size = Size {
        users: 300,
        buckets: 100,
        instances: 20,
        groups: 10,
        regions: vec![
            "eu-central-1".into(),
            "eu-west-1".into(),
            "us-east-1".into(),
        ],
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or_default();
        let n = || value.parse().expect("a number");
        match pair[0].as_str() {
            "--users" => size.users = n(),
            "--buckets" => size.buckets = n(),
            "--instances" => size.instances = n(),
            "--security-groups" => size.groups = n(),
            "--regions" => size.regions = value.split(',').map(str::to_string).collect(),
            other => panic!(
                "unknown flag {other}: use --users, --buckets, --instances, --security-groups, --regions"
            ),
        }
    }
    size
}

/// `users` users, `buckets` buckets over the regions, and in each region one VPC over
/// three zones with `instances` instances and `groups` security groups.
fn scenario(size: &Size) -> Scenario {
    let users = (0..size.users)
        .map(|i| User {
            name: format!("user-{i:05}"),
            console_password: i % 3 == 0,
            mfa: i % 6 == 0,
            access_keys: (i % 3) as u8,
            ..Default::default()
        })
        .collect();
    let buckets = (0..size.buckets)
        .map(|i| Bucket {
            name: format!("bench-bucket-{i:05}"),
            region: size.regions[i % size.regions.len()].clone(),
            encryption: (i % 2 == 0).then(|| "AES256".to_string()),
            versioning: i % 3 == 0,
            ..Default::default()
        })
        .collect();
    let regions: BTreeMap<String, Region> = size
        .regions
        .iter()
        .map(|r| {
            let subnets = ["a", "b", "c"]
                .iter()
                .enumerate()
                .map(|(i, z)| Subnet {
                    cidr: format!("10.9.{i}.0/24"),
                    az: format!("{r}{z}"),
                })
                .collect();
            let security_groups = (0..size.groups)
                .map(|i| SecurityGroup {
                    name: format!("sg-{i}"),
                    ingress: vec![Rule {
                        protocol: "tcp".into(),
                        from_port: if i % 4 == 0 { 22 } else { 443 },
                        to_port: if i % 4 == 0 { 22 } else { 443 },
                        cidr: "0.0.0.0/0".into(),
                    }],
                })
                .collect();
            let vpc = Vpc {
                cidr: "10.9.0.0/16".into(),
                subnets,
                instances: (0..size.instances).map(|i| i % 3).collect(),
                security_groups,
            };
            (
                r.clone(),
                Region {
                    ebs_encryption_by_default: true,
                    vpcs: vec![vpc],
                    kms_keys: vec![true, false],
                    guardduty: true,
                    ..Default::default()
                },
            )
        })
        .collect();
    Scenario {
        description: "benchmark account".into(),
        users,
        buckets,
        regions,
        ..Default::default()
    }
}

fn tomscan_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("own path");
    // target/<profile>/examples/bench -> target/<profile>/tomscan
    let bin = exe
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .join("tomscan");
    assert!(
        bin.exists(),
        "{} is missing: run bench/run.sh, which builds it",
        bin.display()
    );
    bin
}

fn main() {
    let size = parse_args();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let moto = support::Moto::start();
    let s = scenario(&size);
    let seeding = Instant::now();
    runtime.block_on(support::seed::seed(&moto, &s));
    println!(
        "seeded {} users, {} buckets, {} instances and {} security groups in {} regions in {:.1} s",
        size.users,
        size.buckets,
        size.instances * size.regions.len(),
        size.groups * size.regions.len(),
        size.regions.len(),
        seeding.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.json");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-v")
        .arg(tomscan_binary())
        .args(["scan", "--format", "json", "--output"])
        .arg(&report_path);
    for r in &size.regions {
        cmd.args(["--region", r]);
    }
    for (k, v) in moto.scan_env() {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("/usr/bin/time (Debian package `time`)");
    let rusage = String::from_utf8_lossy(&out.stderr);
    let field = |name: &str| {
        rusage
            .lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
            .unwrap_or_else(|| "?".into())
    };
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("report written"))
            .unwrap();
    println!("scan exit code        {}", out.status.code().unwrap_or(-1));
    println!(
        "wall time             {}",
        field("Elapsed (wall clock) time (h:mm:ss or m:ss):")
    );
    println!(
        "peak memory (KiB)     {}",
        field("Maximum resident set size (kbytes):")
    );
    println!(
        "cpu user / sys (s)    {} / {}",
        field("User time (seconds):"),
        field("System time (seconds):")
    );
    println!("AWS requests          {}", report["stats"]["requests"]);
    println!("retries               {}", report["stats"]["retries"]);
    println!(
        "findings              {}",
        report["findings"].as_array().map_or(0, Vec::len)
    );
    println!(
        "score / coverage      {} / {}",
        report["score"], report["coverage"]
    );
    println!("requests per operation:");
    if let Some(ops) = report["stats"]["operations"].as_object() {
        for (op, n) in ops {
            println!("  {n:>6}  {op}");
        }
    }
    formats(&std::fs::read_to_string(&report_path).unwrap());
}

/// Every output format of this scan's report: its size, and the time to render it (the
/// median of five, in this process, so start-up and the scan are not counted).
fn formats(json: &str) {
    use clap::ValueEnum;
    use tomscan::render::Format;
    let report = tomscan::report::Report::from_json(json).expect("the report reads back");
    let time = |render: &dyn Fn() -> String| {
        let mut runs: Vec<(f64, usize)> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let text = render();
                (started.elapsed().as_secs_f64() * 1000.0, text.len())
            })
            .collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        runs[2]
    };
    println!("report formats ({} findings):", report.findings.len());
    println!(
        "  {:<10} {:>12} {:>12}",
        "format", "size (KiB)", "render (ms)"
    );
    let mut rows: Vec<(String, (f64, usize))> = Format::value_variants()
        .iter()
        .map(|f| (f.extension().to_string(), time(&|| f.render(&report))))
        .collect();
    rows.push((
        "metrics".into(),
        time(&|| tomscan::render::metrics::render(&report)),
    ));
    for (name, (ms, bytes)) in rows {
        println!("  {name:<10} {:>12.1} {ms:>12.1}", bytes as f64 / 1024.0);
    }
}
