//! Fault injection: the built binary scans a seeded moto through a proxy that answers
//! chosen requests with throttling, 5xx, denials, expired tokens, garbage, resets or
//! nothing at all. For each fault: the scan ends in bounded time; every finding the
//! fault cannot touch is what the fault-free baseline scan found; what it touches is
//! `error` naming the action and the real cause (never a `pass` that was not read); the
//! exit code is 3, or 2 when the account could not even be identified.
//!
//! One moto and one baseline scan serve every case (libtest-mimic main), so the suite
//! costs one seeding; each case runs its own proxy.

#[path = "support/fault_proxy.rs"]
mod fault_proxy;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fault_proxy::{Fault, FaultProxy, Match, Rule};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use support::{Moto, Scan, load_scenario, scenario_path, seed, tomscan};

/// An opt-in region, scanned beside the scenario's: the one that answers AuthFailure.
const OPT_IN_REGION: &str = "af-south-1";
/// The scenario's own region, where the regional faults are injected.
const REGION: &str = "eu-west-1";
/// Per call, retries included: generous, as moto answers slowly while several scans run;
/// the hang case shortens it.
const REQUEST_TIMEOUT: &str = "30s";

struct World {
    moto: Moto,
    /// The scenario's regions and the opt-in one.
    regions: Vec<String>,
    /// The report of the fault-free scan.
    baseline: Value,
    baseline_time: Duration,
}

/// What a case expects.
enum Expect {
    /// The scan finishes (exit 3). Findings of checks that read `action` (any check when
    /// `None`), in `region` (and account-wide ones) when given, may become `error`; at
    /// least one says `action` and every `cause`; everything else is the baseline.
    Errors {
        action: Option<&'static str>,
        region: Option<&'static str>,
        causes: &'static [&'static str],
        /// Words the message must not use (a wrong cause).
        not: &'static [&'static str],
    },
    /// The account cannot be identified: exit 2, no report, stderr names the cause.
    Unidentified { cause: &'static str },
}

struct Case {
    name: &'static str,
    rules: Vec<Rule>,
    args: Vec<String>,
    expect: Expect,
    /// How long beyond the baseline the scan may take.
    allowance: Duration,
}

fn on(
    service: Option<&'static str>,
    operation: Option<&'static str>,
    region: Option<&'static str>,
    fault: Fault,
) -> Vec<Rule> {
    vec![Rule {
        when: Match {
            service,
            operation,
            region,
        },
        fault,
    }]
}

/// The cases; `baseline_time` is how long the fault-free scan took.
fn cases(baseline_time: Duration) -> Vec<Case> {
    let secs = |d: Duration| format!("{}s", d.as_secs());
    // Longer than a whole fault-free scan, so only the faulty call can be cut off by it.
    let deadline = baseline_time * 2 + Duration::from_secs(4);
    let short = Duration::from_secs(25);
    vec![
        Case {
            name: "throttling_400_query_protocol",
            rules: on(
                Some("iam"),
                Some("GetAccountPasswordPolicy"),
                None,
                Fault::Error {
                    status: 400,
                    code: "Throttling",
                },
            ),
            args: vec![],
            expect: Expect::Errors {
                action: Some("iam:GetAccountPasswordPolicy"),
                region: None,
                causes: &["Throttling", "throttled"],
                not: &["Timeout"],
            },
            allowance: short,
        },
        Case {
            name: "slow_down_503_s3",
            rules: on(
                Some("s3"),
                Some("GET ?encryption"),
                None,
                Fault::Error {
                    status: 503,
                    code: "SlowDown",
                },
            ),
            args: vec![],
            expect: Expect::Errors {
                action: Some("s3:GetEncryptionConfiguration"),
                region: None,
                causes: &["SlowDown", "throttled"],
                not: &["Timeout"],
            },
            // Every bucket's call is throttled, and the S3 client's adaptive rate limiter
            // then slows all of them: 25 s past the baseline was measured at 25.2 s in a
            // fresh-clone CI run, too close to hold.
            allowance: Duration::from_secs(40),
        },
        Case {
            name: "throttling_json_protocol_in_one_region",
            rules: on(
                Some("kms"),
                Some("ListKeys"),
                Some(REGION),
                Fault::Error {
                    status: 400,
                    code: "ThrottlingException",
                },
            ),
            args: vec![],
            expect: Expect::Errors {
                action: Some("kms:ListKeys"),
                region: Some(REGION),
                causes: &["ThrottlingException", "throttled"],
                not: &["Timeout"],
            },
            allowance: short,
        },
        Case {
            name: "bare_500",
            rules: on(
                Some("ec2"),
                Some("DescribeVolumes"),
                Some(REGION),
                Fault::Bare(500),
            ),
            args: vec![],
            expect: Expect::Errors {
                action: Some("ec2:DescribeVolumes"),
                region: Some(REGION),
                causes: &["HTTP 500"],
                not: &["NotImplemented"],
            },
            allowance: short,
        },
        Case {
            name: "access_denied",
            rules: on(
                Some("iam"),
                Some("GetAccountAuthorizationDetails"),
                None,
                Fault::Error {
                    status: 403,
                    code: "AccessDenied",
                },
            ),
            args: vec![],
            expect: Expect::Errors {
                action: Some("iam:GetAccountAuthorizationDetails"),
                region: None,
                causes: &["AccessDenied"],
                not: &[],
            },
            allowance: short,
        },
        Case {
            name: "auth_failure_in_an_opt_in_region",
            rules: on(
                None,
                None,
                Some(OPT_IN_REGION),
                Fault::Error {
                    status: 401,
                    code: "AuthFailure",
                },
            ),
            args: vec![],
            expect: Expect::Errors {
                action: None,
                region: Some(OPT_IN_REGION),
                causes: &["AuthFailure"],
                not: &[],
            },
            allowance: short,
        },
        Case {
            name: "expired_token",
            rules: on(
                None,
                None,
                None,
                Fault::Error {
                    status: 403,
                    code: "ExpiredToken",
                },
            ),
            args: vec![],
            expect: Expect::Unidentified {
                cause: "ExpiredToken",
            },
            allowance: short,
        },
        Case {
            name: "garbage_body",
            rules: on(
                Some("ec2"),
                Some("DescribeVpcs"),
                Some(REGION),
                Fault::Garbage,
            ),
            args: vec![],
            expect: Expect::Errors {
                action: Some("ec2:DescribeVpcs"),
                region: Some(REGION),
                causes: &["InvalidResponse", "HTTP 200"],
                not: &[],
            },
            allowance: short,
        },
        Case {
            name: "connection_reset",
            rules: on(
                Some("ec2"),
                Some("DescribeSubnets"),
                Some(REGION),
                Fault::Reset,
            ),
            args: vec![],
            expect: Expect::Errors {
                action: Some("ec2:DescribeSubnets"),
                region: Some(REGION),
                causes: &["ConnectionFailed", "connection"],
                not: &["no credentials"],
            },
            allowance: short,
        },
        Case {
            name: "hang_ends_at_the_request_timeout",
            rules: on(
                Some("ec2"),
                Some("DescribeSecurityGroups"),
                Some(REGION),
                Fault::Hang,
            ),
            args: vec!["--request-timeout".into(), "3s".into()],
            expect: Expect::Errors {
                action: Some("ec2:DescribeSecurityGroups"),
                region: Some(REGION),
                causes: &["Timeout", "--request-timeout"],
                not: &[],
            },
            allowance: short,
        },
        Case {
            name: "hang_ends_at_the_scan_deadline",
            rules: on(
                Some("ec2"),
                Some("DescribeNetworkAcls"),
                Some(REGION),
                Fault::Hang,
            ),
            args: vec![
                "--request-timeout".into(),
                "10m".into(),
                "--timeout".into(),
                secs(deadline),
            ],
            expect: Expect::Errors {
                action: Some("ec2:DescribeNetworkAcls"),
                region: Some(REGION),
                causes: &["Deadline", "scan deadline", "--timeout"],
                not: &[],
            },
            allowance: deadline + Duration::from_secs(5),
        },
        Case {
            name: "throttling_past_the_scan_deadline",
            rules: on(
                Some("kms"),
                Some("ListKeys"),
                Some(REGION),
                Fault::Error {
                    status: 400,
                    code: "ThrottlingException",
                },
            ),
            args: vec![
                "--max-attempts".into(),
                "20".into(),
                "--request-timeout".into(),
                "10m".into(),
                "--timeout".into(),
                secs(deadline),
            ],
            expect: Expect::Errors {
                action: Some("kms:ListKeys"),
                region: Some(REGION),
                causes: &["throttled", "scan deadline"],
                not: &[],
            },
            allowance: deadline + Duration::from_secs(5),
        },
    ]
}

fn main() {
    let mut args = Arguments::from_args();
    // The cases wait on the network and on moto, not on the CPU.
    args.test_threads.get_or_insert(4);
    if args.list {
        let trials = cases(Duration::ZERO)
            .into_iter()
            .map(|c| Trial::test(c.name, || Ok(())))
            .collect();
        libtest_mimic::run(&args, trials).exit();
    }
    let world = Arc::new(world());
    let trials = cases(world.baseline_time)
        .into_iter()
        .map(|case| {
            let world = world.clone();
            Trial::test(case.name, move || run(&world, case))
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    // Stops moto: statics are never dropped, so the world is not one.
    drop(world);
    conclusion.exit();
}

/// moto seeded with the non-compliant scenario, and its fault-free scan through a proxy
/// with no rules (which also proves the proxy itself changes nothing).
fn world() -> World {
    let scenario = load_scenario(&scenario_path("noncompliant"));
    let moto = Moto::start_with(scenario.root.as_ref(), &[]);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    runtime.block_on(seed::seed(&moto, &scenario));
    let mut regions = scenario.region_names();
    regions.push(OPT_IN_REGION.to_string());
    let world = World {
        moto,
        regions,
        baseline: Value::Null,
        baseline_time: Duration::ZERO,
    };
    let proxy = FaultProxy::start(&world.moto.url, world.account());
    let started = Instant::now();
    let scan = scan(&world, &proxy, &[]);
    let baseline_time = started.elapsed();
    assert!(
        scan.code == 0 || scan.code == 3,
        "the baseline scan failed ({}): {}",
        scan.code,
        scan.stderr
    );
    assert!(
        scan.report.is_object(),
        "the baseline wrote no report: {}",
        scan.stderr
    );
    eprintln!(
        "baseline: {} findings in {:.1}s, {} requests through the proxy",
        scan.report["findings"].as_array().map_or(0, Vec::len),
        baseline_time.as_secs_f64(),
        proxy.seen().len()
    );
    World {
        baseline: scan.report,
        baseline_time,
        ..world
    }
}

impl World {
    /// The account's own answers, after each case's rules: it has enabled only the
    /// scanned regions (moto lists every region there is, and the footprint of measure 3
    /// would send hundreds of calls per scan to it).
    fn account(&self) -> Vec<Rule> {
        let items: String = self
            .regions
            .iter()
            .map(|r| {
                format!(
                    "<item><regionName>{r}</regionName><regionEndpoint>ec2.{r}.amazonaws.com</regionEndpoint><optInStatus>opted-in</optInStatus></item>"
                )
            })
            .collect();
        vec![Rule {
            when: Match {
                service: Some("ec2"),
                operation: Some("DescribeRegions"),
                region: None,
            },
            fault: Fault::Reply(
                200,
                "text/xml",
                format!(
                    r#"<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>regions</requestId><regionInfo>{items}</regionInfo></DescribeRegionsResponse>"#
                ),
            ),
        }]
    }
}

fn scan(world: &World, proxy: &FaultProxy, extra: &[String]) -> Scan {
    let mut args: Vec<&str> = vec!["--endpoint-url", &proxy.url];
    if !extra.iter().any(|a| a == "--request-timeout") {
        args.extend(["--request-timeout", REQUEST_TIMEOUT]);
    }
    for r in &world.regions {
        args.extend(["--region", r.as_str()]);
    }
    args.extend(extra.iter().map(String::as_str));
    tomscan(&world.moto, &args)
}

/// (check, account, region, resource) -> (status, message) of every finding.
type Findings = BTreeMap<(String, String, String, String), (String, String)>;

fn findings(report: &Value) -> Findings {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (
                (s("check_id"), s("account"), s("region"), s("resource")),
                (s("status"), s("message")),
            )
        })
        .collect()
}

/// The checks that read `action`, through any source they need.
fn checks_reading(action: &str) -> BTreeSet<String> {
    tomscan::checks::ALL
        .iter()
        .filter(|c| {
            tomscan::collect::expand(c.sources.iter().copied())
                .iter()
                .any(|s| s.actions().contains(&action))
        })
        .map(|c| c.id.to_string())
        .collect()
}

fn run(world: &World, case: Case) -> Result<(), Failed> {
    let mut rules = case.rules;
    rules.extend(world.account());
    let proxy = FaultProxy::start(&world.moto.url, rules);
    let started = Instant::now();
    let scan = scan(world, &proxy, &case.args);
    let took = started.elapsed();
    let bound = world.baseline_time + case.allowance;
    if took > bound {
        return Err(format!("the scan took {took:?}, more than {bound:?}").into());
    }
    if proxy.hits(0) == 0 {
        return Err(format!(
            "the fault was never injected: no request matched; seen: {:?}",
            proxy
                .seen()
                .iter()
                .map(|s| format!("{} {} {}", s.service, s.region, s.operation))
                .collect::<BTreeSet<_>>()
        )
        .into());
    }
    match case.expect {
        Expect::Unidentified { cause } => {
            if scan.code != 2 {
                return Err(format!("exit {} instead of 2: {}", scan.code, scan.stderr).into());
            }
            if !scan.report.is_null() {
                return Err("a report was written for an account nobody identified".into());
            }
            if !scan.stderr.contains(cause) {
                return Err(format!("stderr does not say {cause}: {}", scan.stderr).into());
            }
            Ok(())
        }
        Expect::Errors {
            action,
            region,
            causes,
            not,
        } => {
            if scan.code != 3 {
                return Err(format!("exit {} instead of 3: {}", scan.code, scan.stderr).into());
            }
            // The report counts AWS's "slow down" answers, and only those.
            let throttled = scan.report["stats"]["throttled"].as_u64();
            if throttled.is_none_or(|n| (n > 0) != causes.contains(&"throttled")) {
                return Err(format!("stats.throttled is {throttled:?}").into());
            }
            let affected_checks = action.map(checks_reading);
            let in_scope = |(check, _, r, _): &(String, String, String, String)| {
                affected_checks.as_ref().is_none_or(|c| c.contains(check))
                    && region.is_none_or(|want| r == want || r == "global")
            };
            compare(
                &findings(&world.baseline),
                &findings(&scan.report),
                in_scope,
            )?;
            let named = findings(&scan.report)
                .into_iter()
                .filter(|(key, (status, message))| {
                    in_scope(key)
                        && status == "error"
                        && action.is_none_or(|a| message.contains(a))
                        && causes.iter().all(|c| message.contains(c))
                })
                .map(|(_, (_, message))| message)
                .collect::<Vec<_>>();
            let Some(example) = named.first() else {
                return Err(format!(
                    "no error finding names {action:?} and {causes:?}; errors: {:#?}",
                    findings(&scan.report)
                        .into_iter()
                        .filter(|(_, (s, _))| s == "error")
                        .map(|(k, (_, m))| format!("{k:?}: {m}"))
                        .collect::<Vec<_>>()
                )
                .into());
            };
            for message in &named {
                if let Some(word) = not.iter().find(|w| message.contains(*w)) {
                    return Err(format!("the cause is misnamed {word:?}: {message}").into());
                }
            }
            eprintln!("{}: {} error(s), e.g. {example}", case.name, named.len());
            Ok(())
        }
    }
}

/// Findings out of the fault's scope are exactly the baseline's (both ways); findings in
/// scope are the baseline's or `error`, never a verdict the baseline did not reach.
fn compare(
    baseline: &Findings,
    faulty: &Findings,
    in_scope: impl Fn(&(String, String, String, String)) -> bool,
) -> Result<(), Failed> {
    let mut wrong = Vec::new();
    for (key, (status, message)) in faulty {
        let before = baseline.get(key);
        let same = before.is_some_and(|(s, _)| s == status);
        if in_scope(key) {
            if !same && status != "error" {
                wrong.push(format!(
                    "{key:?}: {status} ({message}), baseline {before:?}"
                ));
            }
        } else if !same {
            wrong.push(format!(
                "{key:?} out of the fault's reach changed: {status} ({message}), baseline {before:?}"
            ));
        }
    }
    for (key, before) in baseline {
        if !in_scope(key) && !faulty.contains_key(key) {
            wrong.push(format!(
                "{key:?} out of the fault's reach vanished: baseline {before:?}"
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}
