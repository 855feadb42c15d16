use std::process::ExitCode;

use clap::Parser;
use tomscan::cli::{self, Cli, exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tomscan::logging::init(cli.verbose, cli.quiet);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // An endpoint's error message can carry escapes and bidi controls.
            eprintln!(
                "error: {}",
                tomscan::render::sanitize_lines(&tomscan::redact::text(&format!("{e:#}")))
            );
            ExitCode::from(exit::USAGE)
        }
    }
}
