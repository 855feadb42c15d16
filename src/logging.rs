//! Logs go to stderr, so stdout stays the report.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// `quiet`: errors only (warnings such as an expired waiver are silenced too).
pub fn init(verbose: u8, quiet: bool) {
    let default = match verbose {
        _ if quiet => "error",
        0 => "warn",
        1 => "tomscan=info,warn",
        _ => "tomscan=debug,info",
    };
    // TOMSCAN_LOG wins; RUST_LOG works as in every Rust program.
    let filter = EnvFilter::try_from_env("TOMSCAN_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new(default))
        // At trace level the SDK's orchestrator logs whole response bodies: the IAM
        // credential report, policy documents, every resource of the account. Logs
        // end up in CI output and log stores; bodies never go there.
        .add_directive(
            "aws_smithy_runtime::client::orchestrator=debug"
                .parse()
                .expect("a fixed directive"),
        );
    // Colour only for a person at a terminal: log files and CI logs get plain text.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // A second init (tests, the demo) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
