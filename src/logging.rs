//! Logs go to stderr, so stdout stays the report.

use std::io::{IsTerminal, Write};

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, FilterExt, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry};

/// `quiet`: errors only (warnings such as an expired waiver are silenced too).
pub fn init(verbose: u8, quiet: bool) {
    // TOMSCAN_LOG wins; RUST_LOG works as in every Rust program.
    let filter = EnvFilter::try_from_env("TOMSCAN_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new(default_directives(verbose, quiet)));
    // Colour only for a person at a terminal: log files and CI logs get plain text.
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_writer(RedactedStderr)
        .with_target(false)
        .with_filter(filter.and(filter_fn(carries_no_body)));
    // A second init (tests, the demo) keeps the first subscriber.
    let _ = Registry::default().with(layer).try_init();
}

fn default_directives(verbose: u8, quiet: bool) -> &'static str {
    match verbose {
        _ if quiet => "error",
        0 => "warn",
        1 => "tomscan=info,warn",
        _ => "tomscan=debug,info",
    }
}

/// The SDK's orchestrator logs whole response bodies at trace: the IAM credential
/// report, policy documents, every resource of the account. Logs end up in CI output
/// and log stores, and bodies never go there. This only ever removes events, so it
/// caps the orchestrator at debug without raising it above what the filter asked for.
fn carries_no_body(meta: &Metadata<'_>) -> bool {
    !(*meta.level() == Level::TRACE
        && meta
            .target()
            .starts_with("aws_smithy_runtime::client::orchestrator"))
}

/// Stderr, with every event masked by [`crate::redact::text`] before it is written:
/// the SDK prints the credentials' access key id in its debug lines.
struct RedactedStderr;

impl<'a> MakeWriter<'a> for RedactedStderr {
    type Writer = Event;

    fn make_writer(&'a self) -> Event {
        Event(Vec::new())
    }
}

/// One event's text, written (masked) to stderr when the formatter is done with it.
struct Event(Vec<u8>);

impl Write for Event {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.0);
        let _ = std::io::stderr()
            .lock()
            .write_all(crate::redact::text(&text).as_bytes());
    }
}
