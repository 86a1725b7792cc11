//! A fake DynamoDB endpoint that misbehaves on request, and an SDK client of it sending
//! through the functions' HTTP client (`teamsync::transport`).
// Each test binary that includes it uses a part.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region, retry::RetryConfig, timeout::TimeoutConfig};
use aws_sdk_dynamodb::error::SdkError;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// What the fake endpoint does with one request.
#[derive(Clone, Copy)]
pub enum Reply {
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
pub struct FakeDynamoDb {
    pub url: String,
    connections: Arc<AtomicUsize>,
    server: JoinHandle<()>,
}

impl FakeDynamoDb {
    pub async fn start(replies: &[Reply]) -> FakeDynamoDb {
        Self::serving(replies, None).await
    }

    /// The same over TLS, with `acceptor`'s certificate.
    pub async fn start_tls(replies: &[Reply], acceptor: TlsAcceptor) -> FakeDynamoDb {
        Self::serving(replies, Some(acceptor)).await
    }

    async fn serving(replies: &[Reply], tls: Option<TlsAcceptor>) -> FakeDynamoDb {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let replies: Arc<[Reply]> = replies.into();
        let counted = connections.clone();
        let server = tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                counted.fetch_add(1, Ordering::SeqCst);
                let (requests, replies) = (requests.clone(), replies.clone());
                match tls.clone() {
                    None => drop(tokio::spawn(serve(stream, requests, replies))),
                    Some(tls) => drop(tokio::spawn(async move {
                        // A client that refuses the certificate ends the handshake.
                        if let Ok(stream) = tls.accept(stream).await {
                            serve(stream, requests, replies).await;
                        }
                    })),
                }
            }
        });
        FakeDynamoDb { url, connections, server }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for FakeDynamoDb {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, requests: Arc<AtomicUsize>, replies: Arc<[Reply]>) {
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
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> bool {
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

pub fn client(url: &str, attempts: u32, timeouts: TimeoutConfig) -> Client {
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

pub async fn get_item(client: &Client) -> Result<(), SdkError<aws_sdk_dynamodb::operation::get_item::GetItemError>> {
    client
        .get_item()
        .table_name("teamsync")
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("USER#1".into()))
        .send()
        .await
        .map(|_| ())
}
