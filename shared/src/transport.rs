//! The HTTP client every AWS SDK client of a function sends its requests through, in AWS and
//! locally.
//!
//! It is the HTTP/1.1 path of the SDK's own client (`aws-smithy-http-client`) and nothing
//! else: hyper-util's pooled client over rustls with ring, the SDK's connect and read
//! timeouts, its classes of connection error (which decide what the SDK retries) and
//! connection poisoning. The SDK's client also links HTTP/2, tower, proxy support and its own
//! resolver, 0.6 MB of every bootstrap that a Lambda has no use for: every AWS API the
//! functions call (DynamoDB, S3, EventBridge, the WebSocket management API, Secrets Manager)
//! speaks HTTP/1.1, and a Lambda reaches them without a proxy.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connection::{CaptureSmithyConnection, ConnectionMetadata};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::ErrorKind;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http::Uri;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{CaptureConnection, HttpConnector as TcpConnector, capture_connection};
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// The connector of HTTPS (and, for the local emulators, plain HTTP) URLs: TCP without
/// Nagle's delay, rustls on ring with the system's trusted roots, HTTP/1.1 only.
pub type Https = HttpsConnector<TcpConnector>;

/// The HTTPS connector, with the system's trusted roots loaded: once per process, at init.
/// Fails, saying so, where the system has none.
pub fn https_connector() -> Result<Https, std::io::Error> {
    let mut tcp = TcpConnector::new();
    tcp.enforce_http(false);
    // Requests are small and wait for their answer: don't hold their last segment back.
    tcp.set_nodelay(true);
    let roots = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot load the system's trusted roots: {e}")))?;
    Ok(roots.https_or_http().enable_http1().wrap_connector(tcp))
}

/// The HTTP client to hand every AWS SDK configuration. One per process: the clients built
/// from one `SdkConfig` share its connections.
pub fn https_client() -> Result<SharedHttpClient, std::io::Error> {
    Ok(SharedHttpClient::new(Http1Client { https: https_connector()?, connectors: Mutex::default() }))
}

/// A pool of connections per pair of timeouts the SDK asks for: one pool in practice, since
/// a function's clients are all built from one `SdkConfig`.
struct Http1Client {
    https: Https,
    connectors: Mutex<HashMap<Timeouts, SharedHttpConnector>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Timeouts {
    connect: Option<Duration>,
    read: Option<Duration>,
}

impl fmt::Debug for Http1Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Http1Client")
    }
}

impl HttpClient for Http1Client {
    fn http_connector(&self, settings: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        let timeouts = Timeouts { connect: settings.connect_timeout(), read: settings.read_timeout() };
        let mut connectors = self.connectors.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        connectors
            .entry(timeouts)
            .or_insert_with(|| {
                let mut pool = Client::builder(TokioExecutor::new());
                // Without a timer the pool never closes an idle connection (hyper-util's
                // default idle time, 90 s, then applies).
                pool.pool_timer(TokioTimer::new());
                let connect = ConnectWithin { https: self.https.clone(), limit: timeouts.connect };
                SharedHttpConnector::new(Http1Connector { pool: pool.build(connect), read_timeout: timeouts.read })
            })
            .clone()
    }
}

struct Http1Connector {
    pool: Client<ConnectWithin, SdkBody>,
    /// How long a request may wait for its answer's head, its connection included: the SDK's
    /// meaning of a read timeout.
    read_timeout: Option<Duration>,
}

impl fmt::Debug for Http1Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Http1Connector").field("read_timeout", &self.read_timeout).finish()
    }
}

impl HttpConnector for Http1Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let mut request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(error) => return HttpConnectorFuture::ready(Err(ConnectorError::user(error.into()))),
        };
        // Lets the SDK's retry strategy poison the connection after a transient failure, so
        // that the retry does not go out on it again.
        let connection = capture_connection(&mut request);
        if let Some(capture) = request.extensions().get::<CaptureSmithyConnection>() {
            capture.set_connection_retriever(move || poisonable(&connection));
        }
        let answer = self.pool.request(request);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let answer = match read_timeout {
                None => answer.await,
                Some(limit) => match tokio::time::timeout(limit, answer).await {
                    Ok(answer) => answer,
                    Err(_) => return Err(ConnectorError::timeout(TimedOut { stage: "read", after: limit }.into())),
                },
            };
            match answer {
                Ok(response) => HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                    .map_err(|error| ConnectorError::other(error.into(), None)),
                Err(error) => Err(classify(error)),
            }
        })
    }
}

fn poisonable(connection: &CaptureConnection) -> Option<ConnectionMetadata> {
    connection.connection_metadata().as_ref()?;
    let connection = connection.clone();
    let metadata = ConnectionMetadata::builder().proxied(false).poison_fn(move || {
        if let Some(connected) = connection.connection_metadata().as_ref() {
            connected.poison();
        }
    });
    Some(metadata.build())
}

/// Sorts a failed request into the SDK's classes, as the SDK's own client does: a timeout and
/// a connection that failed or closed are retried, a request the client itself refused is
/// not, and an answer cut off midway (S3 sometimes does it) is a transient error.
fn classify(error: hyper_util::client::legacy::Error) -> ConnectorError {
    let failed_to_connect = error.is_connect();
    let error: BoxError = error.into();
    if find::<TimedOut>(error.as_ref()).is_some() {
        return ConnectorError::timeout(error);
    }
    if let Some(hyper) = find::<hyper::Error>(error.as_ref()) {
        return if hyper.is_timeout() {
            ConnectorError::timeout(error)
        } else if hyper.is_user() {
            ConnectorError::user(error)
        } else if hyper.is_closed() || hyper.is_canceled() || find::<std::io::Error>(hyper).is_some() {
            ConnectorError::io(error)
        } else if hyper.is_incomplete_message() {
            ConnectorError::other(error, Some(ErrorKind::TransientError))
        } else {
            ConnectorError::other(error, None)
        };
    }
    if failed_to_connect || find::<std::io::Error>(error.as_ref()).is_some() {
        return ConnectorError::io(error);
    }
    ConnectorError::other(error, None)
}

fn find<'a, E: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    std::iter::successors(Some(error), |&error| error.source()).find_map(|error| error.downcast_ref::<E>())
}

/// A connection, TLS handshake included, that has `limit` to be made.
#[derive(Clone)]
struct ConnectWithin {
    https: Https,
    limit: Option<Duration>,
}

type Connecting =
    Pin<Box<dyn Future<Output = Result<<Https as tower_service::Service<Uri>>::Response, BoxError>> + Send>>;

impl tower_service::Service<Uri> for ConnectWithin {
    type Response = <Https as tower_service::Service<Uri>>::Response;
    type Error = BoxError;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.https.poll_ready(cx)
    }

    fn call(&mut self, uri: Uri) -> Connecting {
        let connecting = self.https.call(uri);
        let limit = self.limit;
        Box::pin(async move {
            match limit {
                None => connecting.await,
                Some(limit) => match tokio::time::timeout(limit, connecting).await {
                    Ok(connected) => connected,
                    Err(_) => Err(TimedOut { stage: "connect", after: limit }.into()),
                },
            }
        })
    }
}

/// A connection or an answer that took longer than the SDK allows.
#[derive(Debug)]
struct TimedOut {
    stage: &'static str,
    after: Duration,
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} timeout after {:?}", self.stage, self.after)
    }
}

impl StdError for TimedOut {}
