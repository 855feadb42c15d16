//! Fuzzing of every parser that reads outside input, on stable Rust inside `cargo test`:
//! tomscan.toml, attestations, waivers, framework files, saved inventories and reports,
//! the IAM credential report and IAM policy documents.
//!
//! Each target starts from its corpus (`fuzz/corpus/<target>/`, kept in the repository)
//! and mutates it for a bounded time (`TOMSCAN_FUZZ_MS` per target, default 3000):
//! byte flips, insertions of the format's own tokens, deletions, duplications, splices
//! and truncations. An input passes when the parser returns, within a second, without
//! panicking, and a rejection is a clear error (non-empty; naming the file for the file
//! parsers). A failing input is written to `target/fuzz-failures/<target>/` and the seed
//! printed, so `TOMSCAN_FUZZ_SEED=<seed>` replays the run; once fixed, add the input to
//! the corpus so it is tried first forever after.
//!
//! Why not cargo-fuzz: it needs a nightly compiler and libFuzzer, and CI runs stable.
//! A mutation loop this small finds what matters here (panics, hangs, silent defaults)
//! and runs on every `cargo test`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tomscan::framework::Framework;

/// A parser under test: `Ok(())` accepted, `Err(message)` rejected with that message.
type Parse = fn(&[u8]) -> Result<(), String>;

const FILE: &str = "fuzz.toml";

fn text(input: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(input)
}

fn config(input: &[u8]) -> Result<(), String> {
    tomscan::config::Config::parse(&text(input), Path::new(FILE))
        .map(drop)
        .map_err(|e| e.to_string())
}

fn attestations(input: &[u8]) -> Result<(), String> {
    static BUILTIN: std::sync::OnceLock<Framework> = std::sync::OnceLock::new();
    let framework = BUILTIN.get_or_init(Framework::builtin);
    tomscan::attest::Attestations::parse(&text(input), FILE, framework)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn waivers(input: &[u8]) -> Result<(), String> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    tomscan::waiver::Waivers::parse(&text(input), FILE, today)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn framework(input: &[u8]) -> Result<(), String> {
    let known = tomscan::framework::known_check_ids();
    Framework::parse(&text(input), FILE, &known)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn inventory(input: &[u8]) -> Result<(), String> {
    tomscan::inventory::Inventory::from_json(&text(input))
        .map(drop)
        .map_err(|e| e.to_string())
}

fn report(input: &[u8]) -> Result<(), String> {
    tomscan::report::Report::from_json(&text(input))
        .map(drop)
        .map_err(|e| e.to_string())
}

fn credential_report(input: &[u8]) -> Result<(), String> {
    tomscan::collect::iam::parse_credential_report(input)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn policy(input: &[u8]) -> Result<(), String> {
    tomscan::inventory::policy::PolicyDocument::parse(&text(input))
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Tokens that mean something in each format, so mutations reach past the tokenizer.
const TOML_TOKENS: &[&str] = &[
    "[[",
    "]]",
    "[",
    "]",
    "=",
    "\"",
    "'",
    "\n",
    "#",
    ",",
    "{",
    "}",
    ".",
    "true",
    "-1",
    "2027-02-30",
    "2026-11-28T10:00:00Z",
    "99999999999999999999",
    "1e999",
    "nan",
    "\"\"\"",
    "\\u0000",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "check",
    "measure",
    "expires",
    "resource",
    "*",
    "IAM-06",
    "4.c",
];
const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "null",
    "true",
    "-0",
    "1e999",
    "99999999999999999999",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "\"Statement\"",
    "\"Effect\"",
    "\"Allow\"",
    "\"Deny\"",
    "\"Condition\"",
    "\"Principal\"",
    "\"*\"",
    "\"NotAction\"",
    "\"format_version\"",
    "\"schema_version\"",
    "\"status\"",
];
const CSV_TOKENS: &[&str] = &[
    ",",
    "\n",
    "\r\n",
    "\"",
    "true",
    "false",
    "N/A",
    "no_information",
    "not_supported",
    "<root_account>",
    "2026-11-27 10:00:00",
    "2026-13-01T00:00:00+00:00",
    "",
];

struct Target {
    name: &'static str,
    parse: Parse,
    tokens: &'static [&'static str],
    /// Rejections of a file parser name the file.
    names_file: bool,
    /// Repository files used as seeds besides the corpus.
    extra_seeds: &'static [&'static str],
}

const TARGETS: &[Target] = &[
    Target {
        name: "config",
        parse: config,
        tokens: TOML_TOKENS,
        names_file: true,
        extra_seeds: &[],
    },
    Target {
        name: "attestations",
        parse: attestations,
        tokens: TOML_TOKENS,
        names_file: true,
        extra_seeds: &[],
    },
    Target {
        name: "waivers",
        parse: waivers,
        tokens: TOML_TOKENS,
        names_file: true,
        extra_seeds: &[],
    },
    Target {
        name: "framework",
        parse: framework,
        tokens: TOML_TOKENS,
        names_file: true,
        extra_seeds: &["checks/frameworks/collab-tom.toml"],
    },
    Target {
        name: "inventory",
        parse: inventory,
        tokens: JSON_TOKENS,
        names_file: false,
        extra_seeds: &[],
    },
    Target {
        name: "report",
        parse: report,
        tokens: JSON_TOKENS,
        names_file: false,
        extra_seeds: &[],
    },
    Target {
        name: "credential_report",
        parse: credential_report,
        tokens: CSV_TOKENS,
        names_file: false,
        extra_seeds: &[],
    },
    Target {
        name: "policy",
        parse: policy,
        tokens: JSON_TOKENS,
        names_file: false,
        extra_seeds: &[],
    },
];

/// xorshift64*: deterministic from its seed, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = tokens[rng.below(tokens.len())].as_bytes();
                data.splice(at..at, t.iter().copied());
            }
            2 if !data.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 if !data.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                let piece = data[at.min(end)..end].to_vec();
                data.splice(at.min(end)..at.min(end), piece);
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                let piece = other[from..(from + rng.below(128)).min(other.len())].to_vec();
                data.splice(at..at, piece);
            }
            5 => data.truncate(at),
            _ => data.insert(at, rng.next() as u8),
        }
    }
    data
}

fn seeds(target: &Target) -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("fuzz/corpus").join(target.name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.extend(target.extra_seeds.iter().map(|p| root.join(p)));
    let seeds: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!seeds.is_empty(), "{} has no seed", dir.display());
    seeds
}

/// What is wrong with this input's outcome, if anything.
fn judge(target: &Target, input: &[u8]) -> Option<String> {
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| (target.parse)(input)));
    let took = started.elapsed();
    if took > Duration::from_secs(1) {
        return Some(format!("took {took:?}"));
    }
    match outcome {
        Err(panic) => Some(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
        Ok(Err(message)) if message.trim().is_empty() => Some("an empty error message".into()),
        Ok(Err(message)) if target.names_file && !message.contains(FILE) => {
            Some(format!("the error does not name the file: {message}"))
        }
        Ok(_) => None,
    }
}

fn fuzz(name: &str) {
    let target = TARGETS.iter().find(|t| t.name == name).unwrap();
    let budget = Duration::from_millis(
        std::env::var("TOMSCAN_FUZZ_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3000),
    );
    let seed = std::env::var("TOMSCAN_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let corpus = seeds(target);
    // The corpus itself first: every kept input must still pass.
    for input in &corpus {
        if let Some(problem) = judge(target, input) {
            panic!("{name}: a corpus input fails: {problem}");
        }
    }
    // The inputs run on a worker with a main thread's stack (parsers recurse) while this
    // thread watches for a hang, which no check after the call could see.
    enum Event {
        Passed,
        Failed(Vec<u8>, String),
        Done(u64),
    }
    let current = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = {
        let current = current.clone();
        let tokens = target.tokens;
        let corpus = corpus.clone();
        let target_name = target.name;
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                let target = TARGETS.iter().find(|t| t.name == target_name).unwrap();
                let mut rng = Rng(seed);
                let started = Instant::now();
                let mut runs = 0u64;
                while started.elapsed() < budget {
                    let input = mutate(&mut rng, &corpus, tokens);
                    runs += 1;
                    *current.lock().unwrap() = input.clone();
                    let event = match judge(target, &input) {
                        Some(problem) => Event::Failed(input, problem),
                        None => Event::Passed,
                    };
                    let failed = matches!(event, Event::Failed(..));
                    if tx.send(event).is_err() || failed {
                        return;
                    }
                }
                let _ = tx.send(Event::Done(runs));
            })
            .unwrap()
    };
    let failure = |input: &[u8], problem: &str, runs: u64| -> ! {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("../fuzz-failures")
            .join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{seed}-{runs}"));
        std::fs::write(&file, input).unwrap();
        panic!(
            "{name}: {problem}\ninput ({} bytes) saved to {}\nreplay: TOMSCAN_FUZZ_SEED={seed} cargo test --test fuzz {name}",
            input.len(),
            file.display()
        );
    };
    let mut runs = 0u64;
    loop {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Event::Passed) => runs += 1,
            Ok(Event::Failed(input, problem)) => failure(&input, &problem, runs + 1),
            Ok(Event::Done(total)) => {
                worker.join().unwrap();
                eprintln!("{name}: {total} inputs in {budget:?}, seed {seed}");
                assert!(total > 0);
                return;
            }
            Err(_) => {
                let input = current.lock().unwrap().clone();
                failure(&input, "hangs (no answer within 10 s)", runs + 1)
            }
        }
    }
}

#[test]
fn fuzz_config() {
    fuzz("config");
}
#[test]
fn fuzz_attestations() {
    fuzz("attestations");
}
#[test]
fn fuzz_waivers() {
    fuzz("waivers");
}
#[test]
fn fuzz_framework() {
    fuzz("framework");
}
#[test]
fn fuzz_inventory() {
    fuzz("inventory");
}
#[test]
fn fuzz_report() {
    fuzz("report");
}
#[test]
fn fuzz_credential_report() {
    fuzz("credential_report");
}
#[test]
fn fuzz_policy() {
    fuzz("policy");
}

/// The harness finds what it is for: a parser that panics on some input is caught.
#[test]
fn the_harness_catches_a_panicking_parser() {
    fn fragile(input: &[u8]) -> Result<(), String> {
        if input.contains(&b'{') {
            panic!("brace");
        }
        Ok(())
    }
    let target = Target {
        name: "fragile",
        parse: fragile,
        tokens: &["{"],
        names_file: false,
        extra_seeds: &[],
    };
    assert_eq!(judge(&target, b"plain"), None);
    assert_eq!(judge(&target, b"{").as_deref(), Some("panicked: brace"));
    let named = Target {
        names_file: true,
        parse: |_| Err("bad".into()),
        ..target
    };
    assert!(
        judge(&named, b"x")
            .unwrap()
            .contains("does not name the file")
    );
}
