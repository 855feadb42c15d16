//! How far a scan has got, for the progress line on a terminal: accounts, regions and
//! account-wide sources done, requests and retries sent, time elapsed.
//!
//! The counters are process-wide atomics rather than a handle threaded through every
//! collector: a scan is one per process, the counters cost a relaxed add, and a library
//! user who shows no progress pays nothing else. The display ([`Display`]) lives at the
//! edge and only reads them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct Counters {
    accounts_total: AtomicU64,
    accounts_done: AtomicU64,
    regions_total: AtomicU64,
    regions_done: AtomicU64,
    globals_total: AtomicU64,
    globals_done: AtomicU64,
    operations: AtomicU64,
    requests: AtomicU64,
}

static COUNTERS: Counters = Counters {
    accounts_total: AtomicU64::new(0),
    accounts_done: AtomicU64::new(0),
    regions_total: AtomicU64::new(0),
    regions_done: AtomicU64::new(0),
    globals_total: AtomicU64::new(0),
    globals_done: AtomicU64::new(0),
    operations: AtomicU64::new(0),
    requests: AtomicU64::new(0),
};

pub fn counters() -> &'static Counters {
    &COUNTERS
}

fn add(c: &AtomicU64, n: u64) {
    c.fetch_add(n, Ordering::Relaxed);
}

impl Counters {
    pub fn accounts_planned(&self, n: usize) {
        add(&self.accounts_total, n as u64);
    }
    pub fn account_done(&self) {
        add(&self.accounts_done, 1);
    }
    pub fn regions_planned(&self, n: usize) {
        add(&self.regions_total, n as u64);
    }
    pub fn region_done(&self) {
        add(&self.regions_done, 1);
    }
    pub fn globals_planned(&self, n: usize) {
        add(&self.globals_total, n as u64);
    }
    pub fn global_done(&self) {
        add(&self.globals_done, 1);
    }
    pub(crate) fn operation_started(&self) {
        add(&self.operations, 1);
    }
    pub(crate) fn request_sent(&self) {
        add(&self.requests, 1);
    }

    /// One line: `accounts 1/3 · regions 12/17 · account-wide 3/5 · 412 requests (3 retries) · 4.2 s`.
    pub fn line(&self, elapsed: Duration) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut parts = Vec::new();
        if get(&self.accounts_total) > 1 {
            parts.push(format!(
                "accounts {}/{}",
                get(&self.accounts_done),
                get(&self.accounts_total)
            ));
        }
        parts.push(format!(
            "regions {}/{}",
            get(&self.regions_done),
            get(&self.regions_total)
        ));
        parts.push(format!(
            "account-wide {}/{}",
            get(&self.globals_done),
            get(&self.globals_total)
        ));
        let (requests, operations) = (get(&self.requests), get(&self.operations));
        parts.push(format!(
            "{requests} requests ({} retries)",
            requests.saturating_sub(operations)
        ));
        parts.push(format!("{:.1} s", elapsed.as_secs_f64()));
        parts.join(" · ")
    }
}

/// The progress line on stderr while a scan runs; drawn only for a person at a terminal.
pub struct Display {
    bar: indicatif::ProgressBar,
    ticker: tokio::task::JoinHandle<()>,
}

impl Display {
    /// `None` when stderr is not a terminal (cron, CI, a pipe) or the user asked for quiet.
    pub fn start(quiet: bool) -> Option<Display> {
        use std::io::IsTerminal;
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} scanning · {msg}")
                .expect("a fixed template"),
        );
        let started = Instant::now();
        let ticker = {
            let bar = bar.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(120));
                loop {
                    tick.tick().await;
                    bar.set_message(counters().line(started.elapsed()));
                    bar.tick();
                }
            })
        };
        Some(Display { bar, ticker })
    }
}

impl Drop for Display {
    /// The line goes away before the report is printed, whatever way the scan ended.
    fn drop(&mut self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_what_is_done_of_what() {
        let c = Counters::default();
        c.regions_planned(17);
        (0..12).for_each(|_| c.region_done());
        c.globals_planned(5);
        (0..3).for_each(|_| c.global_done());
        (0..409).for_each(|_| c.operation_started());
        (0..412).for_each(|_| c.request_sent());
        assert_eq!(
            c.line(Duration::from_millis(4200)),
            "regions 12/17 · account-wide 3/5 · 412 requests (3 retries) · 4.2 s"
        );
        c.accounts_planned(3);
        c.account_done();
        assert!(c.line(Duration::ZERO).starts_with("accounts 1/3 · "));
    }
}
