//! The quick-start demo: starts `moto_server` on a free 127.0.0.1 port, seeds a sample
//! account (`mocks/scenarios/demo.json`) through the AWS APIs, and scans it with the
//! same code path as `tomscan scan`, printing the table.
//!
//!     cargo run --example demo                   # the table
//!     cargo run --example demo -- --format json  # any `tomscan scan` flag passes through
//!
//! Seeding lives here and in the tests, never in the `tomscan` binary, which only reads.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::ExitCode;

use clap::Parser;
use tomscan::cli::{self, Cli};

fn main() -> ExitCode {
    // SAFETY: set before any thread exists (the runtime is built below). The demo's
    // credentials are the emulator's dummies; a developer's own AWS setup is kept out.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", support::ACCESS_KEY);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", support::SECRET_KEY);
        std::env::set_var("AWS_CONFIG_FILE", "/dev/null");
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        std::env::remove_var("AWS_PROFILE");
        std::env::remove_var("AWS_SESSION_TOKEN");
    }
    let runtime = tomscan::scan::runtime().expect("tokio runtime");
    runtime.block_on(demo())
}

async fn demo() -> ExitCode {
    let path = support::scenario_path("demo");
    let scenario = support::load_scenario(&path);
    eprintln!("Starting moto_server on 127.0.0.1 ...");
    let moto = support::Moto::start_with(scenario.root.as_ref(), &[]);
    eprintln!(
        "Seeding {} ({} users, {} buckets, {} regions) through the AWS APIs ...",
        scenario.description,
        scenario.users.len(),
        scenario.buckets.len(),
        scenario.region_names().len(),
    );
    support::seed::seed(&moto, &scenario).await;

    let regions = scenario.region_names();
    let mut args = vec![
        "tomscan".to_string(),
        "scan".into(),
        "--endpoint-url".into(),
        moto.url.clone(),
    ];
    for r in &regions {
        args.extend(["--region".to_string(), r.clone()]);
    }
    args.extend(std::env::args().skip(1));
    eprintln!("Scanning: {}\n", args.join(" "));
    let code = match cli::run(Cli::parse_from(&args)).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let meaning = match code {
        cli::exit::OK => "clean",
        cli::exit::BREACH => "policy breach (--fail-on / --fail-under)",
        cli::exit::INCOMPLETE => {
            "finished, but some checks could not be evaluated (moto lacks Client VPN, for one)"
        }
        _ => "could not run",
    };
    eprintln!("\n`tomscan scan` would exit {code}: {meaning}. The demo itself succeeded.");
    ExitCode::SUCCESS
}
