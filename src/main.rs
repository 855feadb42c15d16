use std::process::ExitCode;

use clap::Parser;
use tomscan::cli::{self, Cli, exit};
use tomscan::interrupt;

fn main() -> ExitCode {
    // Without unwinding no destructor removes the outputs being staged: a panic leaves
    // nothing half-written all the same.
    #[cfg(panic = "abort")]
    {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            report(info);
            interrupt::remove_staged();
        }));
    }
    let cli = Cli::parse();
    tomscan::logging::init(cli.verbose, cli.quiet);
    let runtime = match tomscan::scan::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let outcome = runtime.block_on(async {
        let interrupted = interrupt::install();
        tokio::select! {
            // A run that finished is reported as it finished, even when a signal came
            // while it wrote: its outputs are whole.
            biased;
            outcome = cli::run(cli) => Some(outcome),
            () = interrupted => None,
        }
    });
    // Whatever the dropped run left in flight (a request, a retry's sleep) is not waited for.
    runtime.shutdown_background();
    let Some(outcome) = outcome else {
        eprintln!("{}", interrupt::Interrupted);
        return ExitCode::from(exit::INTERRUPTED);
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is::<interrupt::Interrupted>() => {
            eprintln!("{e}");
            ExitCode::from(exit::INTERRUPTED)
        }
        Err(e) => {
            // An endpoint's error message can carry escapes and bidi controls.
            eprintln!(
                "error: {}",
                tomscan::render::sanitize_lines(&tomscan::redact::text(&message(&e)))
            );
            ExitCode::from(exit::USAGE)
        }
    }
}

/// The error and its causes, as `{:#}` writes them, but a cause its parent already quotes
/// (thiserror messages that name their `source`) is not said twice.
fn message(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
