//! The scan deadline (`--timeout`): what has not finished when it passes is recorded as
//! unavailable (code `Deadline`), so its checks say `error`, and the report is still
//! written. Durations are written as `90s`, `15m`, `1h30m`.
//!
//! The deadline is ambient for a collection (a task-local set by
//! [`crate::collect::collect`]) rather than a parameter of every collector: every source
//! already passes through one function ([`within`]), and collectors stay unchanged.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::inventory::{Source, Unavailable};
use crate::requests::Metrics;

/// The error code of a source cut off by the scan deadline.
pub const DEADLINE_CODE: &str = "Deadline";

/// After the deadline, how long a source may still take to hand in what its cut-off
/// parts left: a bucket list whose per-bucket reads were cut is still a bucket list.
const WRAP_UP: Duration = Duration::from_millis(250);

/// When the scan must end, and the limit it was derived from (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub at: Instant,
    pub limit: Duration,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Deadline {
        Deadline {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// The fact recorded for `what` (its IAM actions) when the deadline cut it off.
    pub fn reached(&self, action: &str, what: &str) -> Unavailable {
        Unavailable {
            action: action.to_string(),
            code: DEADLINE_CODE.into(),
            message: format!(
                "the scan deadline (--timeout {}) was reached before {what} finished",
                format_duration(self.limit)
            ),
        }
    }
}

/// What a collection runs under: its deadline, and the request figures that say whether
/// an unfinished call was being throttled.
#[derive(Clone)]
struct Budget {
    deadline: Option<Deadline>,
    metrics: Arc<Metrics>,
}

tokio::task_local! {
    static BUDGET: Budget;
    /// The region a regional collection is for, to find its throttled calls.
    static REGION: String;
}

/// Runs a collection under `deadline` (none: unbounded), with `metrics` to explain cut-off
/// and timed-out calls.
///
/// Boxed here, as it is handed over, and not once polled (as an `async fn` would): a
/// whole account's collection is a future of some 200 KB, too large for the stack of the
/// thread that blocks on it (debug builds overflow 8 MiB), and every future that held it
/// by value until then (the account's task, the scan's queue of accounts) would keep a
/// copy's room for as long as the account is in flight: its three copies were over a
/// quarter of the heap at the peak of a thousand accounts (heaptrack).
pub fn scoped<F: Future>(
    deadline: Option<Deadline>,
    metrics: Arc<Metrics>,
    collection: F,
) -> impl Future<Output = F::Output> {
    BUDGET.scope(Budget { deadline, metrics }, Box::pin(collection))
}

/// Runs a regional collection, so its unfinished calls are explained from this region's
/// answers; boxed as it is handed over, as [`scoped`] is.
pub fn in_region<F: Future>(region: &str, collection: F) -> impl Future<Output = F::Output> {
    REGION.scope(region.to_string(), Box::pin(collection))
}

/// The deadline of the collection this runs in, if any.
pub fn current() -> Option<Deadline> {
    BUDGET.try_with(|b| b.deadline).ok().flatten()
}

/// Collects `source` unless the scan deadline passes first; a call that timed out or was
/// cut off while its answers were throttling says so.
pub async fn within<T>(
    source: Source,
    fetch: impl Future<Output = Result<T, Unavailable>>,
) -> Result<T, Unavailable> {
    let actions = source.actions();
    let what = format!("{} ({})", kebab(source), actions.join(", "));
    let action = actions.first().copied().unwrap_or_default();
    let result = bounded(fetch, |d| d.reached(action, &what)).await;
    result.map_err(|u| explain_throttling(actions, u))
}

/// Runs a collection that is not one source (several steps, or its own fallbacks) until
/// the deadline; past it, `cut_off` makes its facts from the [`Deadline`] fact.
pub async fn bounded_or<T>(
    action: &str,
    what: &str,
    work: impl Future<Output = T>,
    cut_off: impl FnOnce(Unavailable) -> T,
) -> T {
    let r = bounded(async { Ok(work.await) }, |d| d.reached(action, what)).await;
    match r {
        Ok(v) => v,
        Err(u) => cut_off(u),
    }
}

async fn bounded<T>(
    fetch: impl Future<Output = Result<T, Unavailable>>,
    reached: impl FnOnce(&Deadline) -> Unavailable,
) -> Result<T, Unavailable> {
    // On the heap: a scan joins dozens of these, and their timers would otherwise make
    // the joined future too large for a thread's stack.
    let mut fetch = Box::pin(fetch);
    let Some(deadline) = current() else {
        return fetch.await;
    };
    if Instant::now() < deadline.at
        && let Ok(r) = tokio::time::timeout_at(deadline.at, &mut fetch).await
    {
        return r;
    }
    // Nested sources were cut at the deadline itself; let this one hand in the rest.
    match tokio::time::timeout_at(deadline.at + WRAP_UP, &mut fetch).await {
        Ok(r) => r,
        Err(_) => Err(reached(&deadline)),
    }
}

/// A source that timed out or hit the deadline while its answers were throttling was
/// throttled: that is the cause to fix (request a quota, scan fewer regions at once), not
/// a slow network.
fn explain_throttling(actions: &[&str], u: Unavailable) -> Unavailable {
    if u.code != DEADLINE_CODE && u.code != "Timeout" {
        return u;
    }
    let Ok(budget) = BUDGET.try_with(Budget::clone) else {
        return u;
    };
    let region = REGION.try_with(String::clone).ok();
    let throttled: Vec<(String, u64)> = actions
        .iter()
        .filter_map(|a| {
            let op = a.split(':').nth(1)?;
            let n = budget.metrics.throttled(region.as_deref(), op);
            (n > 0).then(|| (a.to_string(), n))
        })
        .collect();
    let Some((action, n)) = throttled.first() else {
        return u;
    };
    let code = if u.code == DEADLINE_CODE {
        DEADLINE_CODE
    } else {
        "Throttling"
    };
    Unavailable {
        action: action.clone(),
        code: code.into(),
        message: format!(
            "throttled: {action} was answered with throttling {n} time(s) and never succeeded; {}",
            u.message
        ),
    }
}

fn kebab(source: Source) -> String {
    serde_json::to_value(source)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{source:?}"))
}

/// Error of [`parse_duration`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a duration: write a number and a unit (ms, s, m, h), e.g. 90s, 15m, 1h30m")]
pub struct DurationError(String);

/// `90s`, `15m`, `1h30m`, `500ms`; a bare number is seconds. Zero is refused: a scan that
/// must end before it starts reads nothing.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let err = || DurationError(text.to_string());
    let s = text.trim();
    if s.is_empty() {
        return Err(err());
    }
    if let Ok(secs) = s.parse::<u64>() {
        return (secs > 0)
            .then(|| Duration::from_secs(secs))
            .ok_or_else(err);
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(err)?;
        if digits == 0 {
            return Err(err());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| err())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(1),
            "s" | "sec" | "secs" => Duration::from_secs(1),
            "m" | "min" | "mins" => Duration::from_secs(60),
            "h" | "hr" | "hrs" => Duration::from_secs(3600),
            _ => return Err(err()),
        };
        rest = &rest[unit_len..];
        let part = unit
            .checked_mul(u32::try_from(n).map_err(|_| err())?)
            .ok_or_else(err)?;
        total = total.checked_add(part).ok_or_else(err)?;
    }
    if total.is_zero() {
        return Err(err());
    }
    Ok(total)
}

/// The shortest of `1h30m`, `90s`, `500ms` that states `d`.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_the_usual_units() {
        for (text, secs) in [
            ("90s", 90),
            ("15m", 900),
            ("1h30m", 5400),
            ("2h", 7200),
            ("45", 45),
            (" 10m ", 600),
            ("1m30s", 90),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn nonsense_and_zero_are_refused_with_the_fix() {
        for text in [
            "",
            "0",
            "0s",
            "ten",
            "10x",
            "m",
            "-5s",
            "1.5m",
            "99999999999999h",
        ] {
            let e = parse_duration(text).unwrap_err().to_string();
            assert!(e.contains("e.g. 90s"), "{text}: {e}");
        }
    }

    #[test]
    fn durations_print_as_they_are_written() {
        for text in ["90ms", "45s", "15m", "1h30m", "2h5s"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }

    #[tokio::test]
    async fn a_source_past_the_deadline_is_unavailable_naming_it() {
        let metrics = Arc::new(Metrics::default());
        let deadline = Deadline::after(Duration::from_millis(300));
        let (slow, quick) = scoped(Some(deadline), metrics, async {
            tokio::join!(
                within(Source::KmsKeys, async {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    Ok(1)
                }),
                within(Source::Ec2Vpcs, async { Ok(2) }),
            )
        })
        .await;
        assert_eq!(quick, Ok(2), "a source that finished keeps its facts");
        let u = slow.unwrap_err();
        assert_eq!(u.code, "Deadline");
        assert_eq!(u.action, "kms:ListKeys");
        assert!(
            u.message.contains("--timeout 300ms") && u.message.contains("kms-keys"),
            "{}",
            u.message
        );
    }

    #[tokio::test]
    async fn a_source_whose_parts_were_cut_still_hands_in_the_rest() {
        let metrics = Arc::new(Metrics::default());
        let deadline = Deadline::after(Duration::from_millis(300));
        let outer = scoped(Some(deadline), metrics, async {
            within(Source::S3Buckets, async {
                let inner = within(Source::S3BucketPolicy, async {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    Ok(())
                })
                .await;
                Ok(inner)
            })
            .await
        })
        .await;
        let inner = outer.expect("the bucket list itself finished");
        assert_eq!(inner.unwrap_err().code, "Deadline");
    }

    #[tokio::test]
    async fn without_a_deadline_nothing_is_cut() {
        assert_eq!(within(Source::KmsKeys, async { Ok(3) }).await, Ok(3));
    }
}
