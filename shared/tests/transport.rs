//! The functions' HTTP client under an AWS SDK client, against a server that misbehaves as a
//! network and AWS endpoints sometimes do: the SDK must retry what it retried on its own
//! client (a connection cut before the answer, a 500 on a fresh connection) and give up with
//! a timeout where the answer or the connection does not come.

mod support;

use std::time::Duration;

use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::SdkError;
use aws_smithy_runtime_api::client::result::DispatchFailure;
use support::{FakeDynamoDb, Reply, client, get_item};
use tokio::net::TcpListener;

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
