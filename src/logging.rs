//! Logs go to stderr, so stdout stays the report.

use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "tomscan=info,warn",
        _ => "tomscan=debug,info",
    };
    let filter = EnvFilter::try_from_env("TOMSCAN_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // A second init (tests, the demo) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
