//! The functions' HTTP client under an AWS SDK client, against a server that misbehaves as a
//! network and AWS endpoints sometimes do: the SDK must retry what it retried on its own
//! client (a connection cut before the answer, a 500 on a fresh connection) and give up with
//! a timeout where the answer or the connection does not come.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, retry::RetryConfig, timeout::TimeoutConfig};
use aws_sdk_dynamodb::error::SdkError;
use aws_smithy_runtime_api::client::result::DispatchFailure;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the fake endpoint does with one request.
#[derive(Clone, Copy)]
enum Reply {
    /// An empty GetItem answer, the connection kept open.
    Found,
    /// A 500, the connection kept open.
    Fail,
    /// Closes the connection without an answer, as a dying host or a NAT timeout does.
    Hangup,
    /// Never answers.
    Silence,
}

/// A DynamoDB endpoint that replies to the requests it gets, across all its connections, in
/// the order of `replies` (then `Found`), counting the connections made to it.
struct FakeDynamoDb {
    url: String,
    connections: Arc<AtomicUsize>,
    server: JoinHandle<()>,
}

impl FakeDynamoDb {
    async fn start(replies: &[Reply]) -> FakeDynamoDb {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let replies: Arc<[Reply]> = replies.into();
        let counted = connections.clone();
        let server = tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(stream, requests.clone(), replies.clone()));
            }
        });
        FakeDynamoDb { url, connections, server }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for FakeDynamoDb {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(mut stream: TcpStream, requests: Arc<AtomicUsize>, replies: Arc<[Reply]>) {
    while read_request(&mut stream).await {
        let reply = replies.get(requests.fetch_add(1, Ordering::SeqCst)).copied().unwrap_or(Reply::Found);
        let (status, body) = match reply {
            Reply::Found => ("200 OK", "{}"),
            Reply::Fail => ("500 Internal Server Error", r#"{"__type":"InternalServerError","message":"try again"}"#),
            Reply::Hangup => return,
            Reply::Silence => std::future::pending().await,
        };
        let answer = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads one whole request (its head and its `content-length` of body); false once the
/// client has closed the connection.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut request = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |n| n.trim().parse::<usize>().unwrap());
            if request.len() >= end + 4 + length {
                return true;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
    }
}

fn client(url: &str, attempts: u32, timeouts: TimeoutConfig) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .endpoint_url(url)
        .http_client(teamsync::transport::https_client().unwrap())
        .retry_config(
            RetryConfig::standard().with_max_attempts(attempts).with_initial_backoff(Duration::from_millis(1)),
        )
        .timeout_config(timeouts)
        .build();
    Client::from_conf(config)
}

async fn get_item(client: &Client) -> Result<(), SdkError<aws_sdk_dynamodb::operation::get_item::GetItemError>> {
    client
        .get_item()
        .table_name("teamsync")
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("USER#1".into()))
        .send()
        .await
        .map(|_| ())
}

/// The failure of a request that got no answer, not one an answer made.
fn failure_to_send<E: std::fmt::Debug, R: std::fmt::Debug>(error: &SdkError<E, R>) -> &DispatchFailure {
    match error {
        SdkError::DispatchFailure(failure) => failure,
        other => panic!("expected no answer, got {other:?}"),
    }
}

fn no_timeouts() -> TimeoutConfig {
    TimeoutConfig::disabled()
}

#[tokio::test]
async fn requests_share_one_kept_alive_connection() {
    let endpoint = FakeDynamoDb::start(&[]).await;
    let client = client(&endpoint.url, 1, no_timeouts());
    for _ in 0..3 {
        get_item(&client).await.unwrap();
    }
    assert_eq!(endpoint.connections(), 1);
}

#[tokio::test]
async fn a_connection_cut_before_its_answer_is_retried_on_a_new_one() {
    let endpoint = FakeDynamoDb::start(&[Reply::Hangup]).await;
    let client = client(&endpoint.url, 2, no_timeouts());
    get_item(&client).await.expect("the second attempt is answered");
    assert_eq!(endpoint.connections(), 2);
}

#[tokio::test]
async fn a_retry_after_a_server_error_goes_out_on_a_new_connection() {
    // The SDK poisons the connection of a transient failure: the host behind it may be the
    // one failing, and the retry should reach another.
    let endpoint = FakeDynamoDb::start(&[Reply::Fail]).await;
    let client = client(&endpoint.url, 2, no_timeouts());
    get_item(&client).await.expect("the retry is answered");
    assert_eq!(endpoint.connections(), 2);
}

#[tokio::test]
async fn an_endpoint_that_refuses_connections_is_an_io_failure() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let error = get_item(&client(&url, 2, no_timeouts())).await.unwrap_err();
    let failure = failure_to_send(&error);
    assert!(failure.is_io(), "{failure:?}");
}

#[tokio::test]
async fn an_answer_slower_than_the_read_timeout_is_a_timeout() {
    let endpoint = FakeDynamoDb::start(&[Reply::Silence]).await;
    let timeouts = TimeoutConfig::builder().read_timeout(Duration::from_millis(200)).build();
    let error = get_item(&client(&endpoint.url, 1, timeouts)).await.unwrap_err();
    let failure = failure_to_send(&error);
    assert!(failure.is_timeout(), "{failure:?}");
}

#[tokio::test]
async fn a_tls_handshake_that_never_finishes_is_a_connect_timeout() {
    // A host that takes the TCP connection and never answers the TLS hello: the connect
    // timeout covers the handshake, not only the TCP connection.
    let mute = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}", mute.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut streams = Vec::new();
        loop {
            streams.push(mute.accept().await.unwrap().0);
        }
    });
    let timeouts = TimeoutConfig::builder().connect_timeout(Duration::from_millis(200)).build();
    let error = get_item(&client(&url, 1, timeouts)).await.unwrap_err();
    held.abort();
    let failure = failure_to_send(&error);
    assert!(failure.is_timeout(), "{failure:?}");
}
