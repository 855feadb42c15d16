//! SDK configuration: credentials chain, regions, emulator endpoints, retries, and a
//! request counter on every client.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::inventory::Unavailable;
pub use crate::requests::Metrics;
use crate::requests::{RequestCounter, is_throttling_code};

/// One client constructor per regional service, each with the request counter; and
/// [`RegionClients`], which makes each of them once for a region.
macro_rules! regional_clients {
    ($($name:ident: $krate:ident,)*) => {
        impl Aws {$(
            pub fn $name(&self, region: &str) -> $krate::Client {
                let conf = $krate::config::Builder::from(&self.sdk)
                    .region(Region::new(region.to_string()))
                    .interceptor(self.counter_in(region))
                    .retry_classifier(self.emulator_gaps());
                $krate::Client::from_conf(conf.build())
            }
        )*}

        /// The clients of one region, each made on first use and then shared by every
        /// source of its service: a client owns its HTTP connection pool and TLS
        /// settings, which are worth making once per region, not once per source.
        pub struct RegionClients<'a> {
            aws: &'a Aws,
            region: &'a str,
            $($name: std::sync::OnceLock<$krate::Client>,)*
        }

        impl<'a> RegionClients<'a> {
            pub fn new(aws: &'a Aws, region: &'a str) -> Self {
                RegionClients {
                    aws,
                    region,
                    $($name: std::sync::OnceLock::new(),)*
                }
            }

            $(pub fn $name(&self) -> &$krate::Client {
                self.$name.get_or_init(|| self.aws.$name(self.region))
            })*

            /// Collects one of this region's sources in a turn ([`Aws::in_turn`]).
            pub async fn in_turn<F: Future>(&self, start: impl FnOnce() -> F) -> F::Output {
                self.aws.in_turn(start).await
            }
        }
    };
}

/// Where global calls (IAM, STS, the region list) go when no region is configured.
pub const DEFAULT_REGION: &str = "us-east-1";

#[derive(Debug, Clone)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// Overrides `AWS_ENDPOINT_URL`; both point every client at an emulator.
    pub endpoint_url: Option<String>,
    /// The region for global calls; the chain's region, else [`DEFAULT_REGION`].
    pub region: Option<String>,
    /// Attempts per request, first try included (adaptive retry, so throttling slows the
    /// client down instead of failing the scan).
    pub max_attempts: u32,
    /// One operation, retries included (`--request-timeout`); each attempt gets half.
    pub operation_timeout: Duration,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            endpoint_url: None,
            region: None,
            max_attempts: 5,
            operation_timeout: Duration::from_secs(60),
        }
    }
}

/// A loaded SDK configuration, from which every service client of a scan is made.
#[derive(Clone)]
pub struct Aws {
    sdk: SdkConfig,
    metrics: Arc<Metrics>,
    /// Turns to collect, shared by every account's clients made from this one.
    turns: Turns,
    /// When collection must end (`--timeout`); none: when every call has answered.
    deadline: Option<crate::deadline::Deadline>,
}

/// One HTTPS client for every service client of every account. Left to the SDK, each
/// service client builds its own, with its own connection pool and its own copy of the
/// root certificates: 576 of them for 16 accounts in flight, a third of the heap
/// (heaptrack; README "A thousand accounts"). Built as the SDK builds its default:
/// rustls with aws-lc, the proxy from the environment (`HTTPS_PROXY`, `NO_PROXY`).
fn shared_https_client() -> SharedHttpClient {
    use aws_smithy_http_client::proxy::ProxyConfig;
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    use aws_smithy_http_client::{Builder, ConnectorBuilder};
    let https = Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    });
    SharedHttpClient::new(InFlight {
        inner: https,
        permits: Arc::new(tokio::sync::Semaphore::new(REQUESTS_IN_FLIGHT)),
    })
}

/// Requests awaiting their answer at once, over every account and region of the run.
/// Each holds a connection with its buffers (and, over TLS, its session): unbounded, an
/// organization scan at `--account-concurrency 32` held some 2,000 connections and a
/// quarter of its heap in them (heaptrack; README "A thousand accounts"). 256 answers per
/// round trip is more than a scan uses at AWS's latencies, so the bound costs no time:
/// the CPU that reads the answers is the limit long before. A request waits for its turn
/// inside its attempt's timeout, which is seconds to spare at this bound.
const REQUESTS_IN_FLIGHT: usize = 256;

/// Collections under way at once, over every account of the run ([`Turns`]). A
/// collection is one call or a few: one source in one region, one account-wide source
/// (an IAM source, the bucket listing, one bucket's settings, the trails), or one listing
/// of a region's footprint. One that has started holds its requests built and signed,
/// with their runtime state, until [`REQUESTS_IN_FLIGHT`] lets them through: unbounded,
/// `--account-concurrency 32` started some 3,000 of them for 256 connections, and they
/// were most of the heap (heaptrack: 100 accounts peaked at 171 MB; with every
/// collection in turns, 400 accounts peak at 43 MB; README "A thousand accounts"). A turn
/// is held while the answers are read and parsed too, so more turns keep more requests
/// on the wire, at the price of memory: 1,000 accounts without Resource Explorer took
/// 113 s and 98 MiB with 256, 99 s and 112 MiB with 384.
const COLLECTIONS_UNDER_WAY: usize = REQUESTS_IN_FLIGHT;

/// The HTTP client with [`REQUESTS_IN_FLIGHT`] permits, taken in arrival order.
#[derive(Debug)]
struct InFlight {
    inner: SharedHttpClient,
    permits: Arc<tokio::sync::Semaphore>,
}

impl HttpClient for InFlight {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(InFlightConnector {
            inner: self.inner.http_connector(settings, components),
            permits: self.permits.clone(),
        })
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct InFlightConnector {
    inner: SharedHttpConnector,
    permits: Arc<tokio::sync::Semaphore>,
}

impl HttpConnector for InFlightConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, permits) = (self.inner.clone(), self.permits.clone());
        HttpConnectorFuture::new(async move {
            // Held until the answer's head is in; its body follows on the same connection.
            let _permit = permits
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            inner.call(request).await
        })
    }
}

/// Turns to collect ([`COLLECTIONS_UNDER_WAY`] at once), shared by every account of a run.
/// A collection is a leaf: nothing that holds a turn waits for another, so the bound
/// cannot deadlock.
#[derive(Clone, Debug)]
pub struct Turns(Arc<tokio::sync::Semaphore>);

impl Default for Turns {
    /// A run's bound of its own: a run's first `Aws`, or a test's collector.
    fn default() -> Self {
        Turns::new(COLLECTIONS_UNDER_WAY)
    }
}

impl Turns {
    /// `count` turns, for a bound other than a run's ([`COLLECTIONS_UNDER_WAY`]).
    pub fn new(count: usize) -> Turns {
        Turns(Arc::new(tokio::sync::Semaphore::new(count)))
    }

    /// Runs the collection `start` makes once a turn is free, and holds the turn until it
    /// ends. The collection is made only then, on the heap: one waiting for its turn holds
    /// a pointer's room, not its calls' state. Turns are taken in arrival order, so the
    /// accounts that started first finish first and hand their memory back.
    pub async fn take<F: Future>(&self, start: impl FnOnce() -> F) -> F::Output {
        let _turn = self.turn().await;
        Box::pin(start()).await
    }

    async fn turn(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.0
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }
}

impl Aws {
    pub async fn load(opts: &AwsOptions) -> Aws {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::adaptive().with_max_attempts(opts.max_attempts.max(1)))
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(opts.operation_timeout)
                    .operation_attempt_timeout(opts.operation_timeout / 2)
                    .build(),
            );
        if let Some(profile) = &opts.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &opts.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(region) = &opts.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let sdk = loader.http_client(shared_https_client()).load().await;
        let mut builder = sdk.clone().into_builder();
        if sdk.region().is_none() {
            builder = builder.region(Region::from_static(DEFAULT_REGION));
        }
        // Whatever the chain finds is masked in every log line and message from now on.
        if let Some(provider) = sdk.credentials_provider() {
            builder = builder.credentials_provider(crate::redact::Remembering::shared(provider));
        }
        let sdk = builder.build();
        Aws::from_config(sdk)
    }

    /// Clients made from an SDK configuration built elsewhere (an embedding program's,
    /// or a test's pointed at an emulator), with the same retry classification and
    /// request counting as [`Aws::load`]'s.
    pub fn from_config(sdk: SdkConfig) -> Aws {
        Aws {
            sdk,
            metrics: Arc::default(),
            turns: Turns::default(),
            deadline: None,
        }
    }

    /// Runs the collection `start` makes in a turn of the run's ([`Turns::take`]).
    pub async fn in_turn<F: Future>(&self, start: impl FnOnce() -> F) -> F::Output {
        self.turns.take(start).await
    }

    /// The run's turns, for a collector handed a client rather than an `Aws`.
    pub fn turns(&self) -> &Turns {
        &self.turns
    }

    /// The same clients, taking their turns from `turns` (a test's narrower bound).
    pub fn with_turns(mut self, turns: Turns) -> Aws {
        self.turns = turns;
        self
    }

    /// The same clients, with collection bounded by `deadline`.
    pub fn with_deadline(mut self, deadline: Option<crate::deadline::Deadline>) -> Aws {
        self.deadline = deadline;
        self
    }

    pub fn deadline(&self) -> Option<crate::deadline::Deadline> {
        self.deadline
    }

    /// The region global calls go to.
    pub fn home_region(&self) -> &str {
        self.sdk
            .region()
            .map(Region::as_ref)
            .unwrap_or(DEFAULT_REGION)
    }

    /// Whether an endpoint override (emulator) is in force.
    pub fn is_custom_endpoint(&self) -> bool {
        self.sdk.endpoint_url().is_some()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The request figures, shared with whatever outlives this handle.
    pub fn metrics_handle(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    fn counter(&self) -> RequestCounter {
        RequestCounter::new(self.metrics.clone(), None)
    }

    /// A counter for a regional client, so throttled answers are known per region.
    fn counter_in(&self, region: &str) -> RequestCounter {
        RequestCounter::new(self.metrics.clone(), Some(region))
    }

    fn emulator_gaps(&self) -> EmulatorGaps {
        EmulatorGaps {
            emulator: self.is_custom_endpoint(),
        }
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::config::Builder::from(&self.sdk)
            .interceptor(self.counter())
            .retry_classifier(self.emulator_gaps());
        aws_sdk_sts::Client::from_conf(conf.build())
    }

    /// Organizations is global (answered in us-east-1 of the management account).
    pub fn organizations(&self) -> aws_sdk_organizations::Client {
        let conf = aws_sdk_organizations::config::Builder::from(&self.sdk)
            .interceptor(self.counter())
            .retry_classifier(self.emulator_gaps());
        aws_sdk_organizations::Client::from_conf(conf.build())
    }

    /// The same settings (retries, timeouts, endpoint, region) with a request counter of
    /// its own, so each account of an organization scan reports its own figures.
    pub fn with_own_metrics(&self) -> Aws {
        Aws {
            sdk: self.sdk.clone(),
            metrics: Arc::default(),
            turns: self.turns.clone(),
            deadline: self.deadline,
        }
    }

    /// The clients of another account: `role_arn` assumed with these credentials. The
    /// role is assumed once here so that a role that cannot be assumed is reported as
    /// such, naming the role, instead of as a credentials failure on the first call.
    pub async fn assume_role(
        &self,
        role_arn: &str,
        external_id: Option<&str>,
        session_name: &str,
    ) -> Result<Aws, Unavailable> {
        use aws_credential_types::provider::ProvideCredentials;
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(session_name)
            .configure(&self.sdk);
        if let Some(id) = external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        // The provider's STS client is built inside aws-config, out of reach of the
        // request counter: count its call here. The new clients share this counter, so
        // call it on `with_own_metrics()` for figures of that account alone.
        self.metrics.record("STS:AssumeRole");
        let first = provider
            .provide_credentials()
            .await
            .map_err(|e| assume_failed(role_arn, &e))?;
        let sdk = self
            .sdk
            .clone()
            .into_builder()
            .credentials_provider(crate::redact::Remembering::shared(
                aws_credential_types::provider::SharedCredentialsProvider::new(Assumed {
                    first: Mutex::new(Some(first)),
                    provider,
                }),
            ))
            .build();
        Ok(Aws {
            sdk,
            metrics: self.metrics.clone(),
            turns: self.turns.clone(),
            deadline: self.deadline,
        })
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        let conf = aws_sdk_iam::config::Builder::from(&self.sdk)
            .interceptor(self.counter())
            .retry_classifier(self.emulator_gaps());
        aws_sdk_iam::Client::from_conf(conf.build())
    }

    /// The Account API is global (answered in us-east-1).
    pub fn account(&self) -> aws_sdk_account::Client {
        let conf = aws_sdk_account::config::Builder::from(&self.sdk)
            .interceptor(self.counter())
            .retry_classifier(self.emulator_gaps());
        aws_sdk_account::Client::from_conf(conf.build())
    }

    pub fn s3control(&self) -> aws_sdk_s3control::Client {
        let mut conf = aws_sdk_s3control::config::Builder::from(&self.sdk)
            .interceptor(self.counter())
            .retry_classifier(self.emulator_gaps());
        if self.is_custom_endpoint() {
            // S3 Control prefixes the account id to the host (`123456789012.127.0.0.1`),
            // which no emulator address resolves; a custom endpoint is used as given.
            conf = conf.endpoint_resolver(AsGiven::default());
        }
        aws_sdk_s3control::Client::from_conf(conf.build())
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()))
            // Emulators on 127.0.0.1 cannot serve bucket.host virtual-hosted addresses.
            .force_path_style(self.is_custom_endpoint())
            .interceptor(self.counter())
            .retry_classifier(self.emulator_gaps());
        aws_sdk_s3::Client::from_conf(conf.build())
    }
}

/// An API the emulator does not implement (moto's HTML 500, LocalStack's 501) will not
/// appear on a retry: fail it at once instead of spending the retry budget on backoff
/// (a full scan of a small moto account spent most of its time there). Only against a
/// custom endpoint: real AWS keeps its retries for its genuine 500s.
#[derive(Debug, Clone, Copy)]
struct EmulatorGaps {
    emulator: bool,
}

impl ClassifyRetry for EmulatorGaps {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(response) = ctx.response().filter(|_| self.emulator) else {
            return RetryAction::NoActionIndicated;
        };
        let status = response.status().as_u16();
        let html = response
            .headers()
            .get("content-type")
            .is_some_and(|c| c.starts_with("text/html"));
        if status == 501 || (status == 500 && html) {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "tomscan emulator gaps"
    }

    fn priority(&self) -> RetryClassifierPriority {
        // Before the SDK's classifiers, which would call a 500 transient.
        RetryClassifierPriority::run_before(
            RetryClassifierPriority::modeled_as_retryable_classifier(),
        )
    }
}

/// S3 Control endpoint resolution that leaves a custom endpoint as it is.
#[derive(Debug, Default)]
pub struct AsGiven(aws_sdk_s3control::config::endpoint::DefaultResolver);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for AsGiven {
    fn resolve_endpoint<'a>(
        &'a self,
        params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_smithy_runtime_api::client::endpoint::EndpointFuture<'a> {
        use aws_sdk_s3control::config::endpoint::ResolveEndpoint;
        use aws_smithy_runtime_api::client::endpoint::EndpointFuture;
        match params.endpoint() {
            Some(url) => EndpointFuture::ready(Ok(aws_smithy_types::endpoint::Endpoint::builder()
                .url(url.to_string())
                .build())),
            None => ResolveEndpoint::resolve_endpoint(&self.0, params),
        }
    }
}

/// Credentials of an assumed role: first those got while checking that the role can be
/// assumed (no second AssumeRole for the same thing), then fresh ones from the provider
/// whenever the SDK's cache finds them expiring.
#[derive(Debug)]
struct Assumed {
    first: Mutex<Option<aws_credential_types::Credentials>>,
    provider: aws_config::sts::AssumeRoleProvider,
}

impl aws_credential_types::provider::ProvideCredentials for Assumed {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let first = self.first.lock().ok().and_then(|mut f| f.take());
        match first {
            Some(credentials) => {
                aws_credential_types::provider::future::ProvideCredentials::ready(Ok(credentials))
            }
            None => self.provider.provide_credentials(),
        }
    }
}

/// Why a role could not be assumed, naming the role: the STS error code and message
/// when STS answered, the whole error chain when it did not.
fn assume_failed(
    role_arn: &str,
    err: &aws_credential_types::provider::error::CredentialsError,
) -> Unavailable {
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    let sdk = std::error::Error::source(err)
        .and_then(|e| e.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>());
    let (code, message) = match sdk {
        Some(e) if e.code().is_some() => (
            e.code().unwrap_or_default().to_string(),
            e.message().unwrap_or_default().to_string(),
        ),
        _ => (
            "AssumeRoleFailed".to_string(),
            DisplayErrorContext(err).to_string(),
        ),
    };
    Unavailable {
        action: format!("sts:AssumeRole on {role_arn}"),
        code,
        message: one_line(&message),
    }
}

/// Turns a failed call into the fact checks will report: which action, which code, why.
pub fn unavailable<E>(action: &str, err: SdkError<E, HttpResponse>) -> Unavailable
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (code, message) = match &err {
        SdkError::ServiceError(se) => match se.err().code() {
            // The retries ran out while AWS still said "slow down": the cause is the
            // request rate, and the message must say so whatever the service's wording.
            Some(code) if is_throttling_code(code) => (
                code.to_string(),
                format!(
                    "throttled: {code} until the retries ran out (--max-attempts): {}",
                    se.err().message().unwrap_or_default()
                ),
            ),
            Some(code) => (
                code.to_string(),
                se.err().message().unwrap_or_default().to_string(),
            ),
            // A success status whose body no parser could read: not the service's answer.
            None if se.raw().status().is_success() => (
                "InvalidResponse".to_string(),
                format!(
                    "HTTP {} with a body that is not the service's answer",
                    se.raw().status().as_u16()
                ),
            ),
            None => {
                let status = se.raw().status().as_u16();
                // 501 says "not implemented" itself (LocalStack); a bare 500 says only
                // that something failed, and the message must not claim more.
                let code = if status == 501 {
                    "NotImplemented"
                } else {
                    "HttpError"
                };
                (
                    code.to_string(),
                    format!("HTTP {status} without an AWS error code"),
                )
            }
        },
        _ if is_missing_credentials(&err) => (
            "NoCredentials".into(),
            format!(
                "no credentials found (environment, --profile/AWS_PROFILE, SSO, web identity or instance role): {}",
                DisplayErrorContext(&err)
            ),
        ),
        SdkError::DispatchFailure(_) => (
            "ConnectionFailed".into(),
            DisplayErrorContext(&err).to_string(),
        ),
        SdkError::TimeoutError(_) => {
            // The chain's own words ("operation timeout ... after 2s"), without the
            // Debug dump DisplayErrorContext appends.
            let mut chain = vec![err.to_string()];
            let mut source = std::error::Error::source(&err);
            while let Some(e) = source {
                chain.push(e.to_string());
                source = e.source();
            }
            (
                "Timeout".into(),
                format!(
                    "no answer in time (--request-timeout): {}",
                    chain.join(": ")
                ),
            )
        }
        SdkError::ResponseError(_) => (
            "InvalidResponse".into(),
            DisplayErrorContext(&err).to_string(),
        ),
        _ => (
            "RequestFailed".into(),
            DisplayErrorContext(&err).to_string(),
        ),
    };
    Unavailable {
        action: action.to_string(),
        code,
        message: one_line(&message),
    }
}

/// Error text comes from the network; keep it to one bounded line.
/// The credential chain found nothing: the SDK reports it as a failed dispatch, which
/// would otherwise read as a network fault.
fn is_missing_credentials<E, R>(err: &SdkError<E, R>) -> bool
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let text = DisplayErrorContext(err).to_string();
    text.contains("no credentials") || text.contains("loading credentials")
}

fn one_line(s: &str) -> String {
    let s = crate::redact::text(s);
    let line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(300) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line,
    }
}

regional_clients! {
    ec2: aws_sdk_ec2,
    cloudtrail: aws_sdk_cloudtrail,
    elbv2: aws_sdk_elasticloadbalancingv2,
    autoscaling: aws_sdk_autoscaling,
    rds: aws_sdk_rds,
    kms: aws_sdk_kms,
    backup: aws_sdk_backup,
    guardduty: aws_sdk_guardduty,
    securityhub: aws_sdk_securityhub,
    config: aws_sdk_config,
    accessanalyzer: aws_sdk_accessanalyzer,
    cloudwatch: aws_sdk_cloudwatch,
    logs: aws_sdk_cloudwatchlogs,
    elb: aws_sdk_elasticloadbalancing,
    ds: aws_sdk_directory,
    tagging: aws_sdk_resourcegroupstagging,
    sns: aws_sdk_sns,
    resource_explorer: aws_sdk_resourceexplorer2,
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    /// The bound is the run's, not an account's: the clients of every account made from
    /// one `Aws` take their turns from the same count. Polled by hand, outside a runtime,
    /// whose cooperative budget would make a free turn look taken.
    #[test]
    fn every_account_takes_its_turns_from_the_runs_one_bound() {
        let base = Aws::from_config(SdkConfig::builder().build());
        let (first, second) = (base.with_own_metrics(), base.with_own_metrics());
        let mut held: Vec<_> = (0..COLLECTIONS_UNDER_WAY)
            .map(|_| first.turns.turn().now_or_never().expect("a turn is free"))
            .collect();
        assert!(
            second.turns.turn().now_or_never().is_none(),
            "another account started a collection past the bound"
        );
        held.pop();
        assert!(second.turns.turn().now_or_never().is_some());
    }
}
