//! What a scan asked of AWS: requests, retries and throttled answers per operation,
//! counted by an interceptor on every client. The deadline reads the throttling to name
//! it as the cause of a call it cut off.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Request figures of a scan, filled by [`RequestCounter`] on every client.
#[derive(Debug, Default)]
pub struct Metrics {
    operations_started: AtomicU64,
    requests: AtomicU64,
    per_operation: Mutex<BTreeMap<String, u64>>,
    /// (region or "", operation name) -> throttling answers, to name throttling as the
    /// cause when a call later times out or the scan deadline cuts it off.
    throttled: Mutex<BTreeMap<(String, String), u64>>,
}

impl Metrics {
    /// Requests sent (retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Requests beyond the first attempt of each operation.
    pub fn retries(&self) -> u64 {
        self.requests()
            .saturating_sub(self.operations_started.load(Ordering::Relaxed))
    }

    /// A request made outside the counted clients.
    pub(crate) fn record(&self, operation: &str) {
        self.operations_started.fetch_add(1, Ordering::Relaxed);
        self.requests.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut map) = self.per_operation.lock() {
            *map.entry(operation.to_string()).or_default() += 1;
        }
    }

    pub fn per_operation(&self) -> BTreeMap<String, u64> {
        self.per_operation
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }

    /// Throttling answers to `operation` (`ListKeys`) in `region` (none: from clients
    /// of any region, global ones included).
    pub fn throttled(&self, region: Option<&str>, operation: &str) -> u64 {
        let Ok(map) = self.throttled.lock() else {
            return 0;
        };
        map.iter()
            .filter(|((r, op), _)| {
                op.eq_ignore_ascii_case(operation) && region.is_none_or(|want| r == want)
            })
            .map(|(_, n)| n)
            .sum()
    }

    /// Throttling answers of the whole scan, in any region, to any operation.
    pub fn throttled_total(&self) -> u64 {
        self.throttled
            .lock()
            .map(|m| m.values().sum())
            .unwrap_or_default()
    }

    fn record_throttled(&self, region: &str, operation: &str) {
        if let Ok(mut map) = self.throttled.lock() {
            *map.entry((region.to_string(), operation.to_string()))
                .or_default() += 1;
        }
    }
}

/// Counts every request of the client it is installed on into [`Metrics`].
#[derive(Debug)]
pub(crate) struct RequestCounter {
    metrics: Arc<Metrics>,
    /// The region of a regional client; none for global ones.
    region: Option<String>,
}

impl RequestCounter {
    pub(crate) fn new(metrics: Arc<Metrics>, region: Option<&str>) -> Self {
        RequestCounter {
            metrics,
            region: region.map(str::to_string),
        }
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "tomscan::RequestCounter"
    }

    fn read_before_execution(
        &self,
        _ctx: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.metrics
            .operations_started
            .fetch_add(1, Ordering::Relaxed);
        crate::progress::counters().operation_started();
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.metrics.requests.fetch_add(1, Ordering::Relaxed);
        crate::progress::counters().request_sent();
        if let Some(meta) = cfg.load::<Metadata>() {
            let key = format!("{}:{}", meta.service(), meta.name());
            if let Ok(mut map) = self.metrics.per_operation.lock() {
                *map.entry(key).or_default() += 1;
            }
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        ctx: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(response), Some(meta)) = (ctx.response(), cfg.load::<Metadata>())
            && is_throttling_response(response)
        {
            self.metrics
                .record_throttled(self.region.as_deref().unwrap_or_default(), meta.name());
        }
        Ok(())
    }
}

/// The error codes AWS services answer throttling with.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "ProvisionedThroughputExceededException",
    "BandwidthLimitExceeded",
    "EC2ThrottledException",
    "PriorRequestNotComplete",
];

pub fn is_throttling_code(code: &str) -> bool {
    THROTTLING_CODES.contains(&code)
}

/// Whether an answer is throttling, from its status and the code in its body or
/// `x-amzn-ErrorType`, whatever the protocol (XML `<Code>`, JSON `__type`/`code`).
fn is_throttling_response(response: &HttpResponse) -> bool {
    let status = response.status().as_u16();
    if status == 429 {
        return true;
    }
    if !matches!(status, 400 | 503) {
        return false;
    }
    let header = response
        .headers()
        .get("x-amzn-errortype")
        .unwrap_or_default();
    let body = response
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    THROTTLING_CODES.iter().any(|code| {
        header.split(':').next() == Some(*code)
            || body.contains(&format!("<Code>{code}</Code>"))
            || body.contains(&format!("\"{code}\""))
            || body.contains(&format!("#{code}\""))
    })
}
