//! The functions' HTTP client over TLS, as it reaches AWS: rustls on ring, trusting the
//! system's roots (here a root of the test's own, through `SSL_CERT_FILE`, which the roots'
//! loader honours) and refusing an endpoint whose certificate no root vouches for. Alone in
//! its test binary: it sets the process's environment.

mod support;

use std::sync::Arc;

use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::error::SdkError;
use rcgen::CertifiedKey;
use rustls::pki_types::PrivateKeyDer;
use support::{FakeDynamoDb, client, get_item};
use tokio_rustls::TlsAcceptor;

/// A self-signed certificate for 127.0.0.1 (PEM), and a TLS acceptor that presents it.
fn certificate() -> (String, TlsAcceptor) {
    let CertifiedKey { cert, signing_key } = rcgen::generate_simple_self_signed(["127.0.0.1".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .unwrap();
    (cert.pem(), TlsAcceptor::from(Arc::new(config)))
}

#[tokio::test]
async fn an_https_endpoint_is_reached_only_with_a_certificate_a_trusted_root_vouches_for() {
    let (trusted, acceptor) = certificate();
    let roots = std::env::temp_dir().join(format!("teamsync-roots-{}.pem", std::process::id()));
    std::fs::write(&roots, trusted).unwrap();
    // SAFETY: this binary's only test, set before any client (or other thread) reads it.
    unsafe { std::env::set_var("SSL_CERT_FILE", &roots) };

    let endpoint = FakeDynamoDb::start_tls(&[], acceptor).await;
    let answered = get_item(&client(&endpoint.url, 1, TimeoutConfig::disabled())).await;
    assert!(answered.is_ok(), "{answered:?}");

    let (_, stranger) = certificate();
    let impostor = FakeDynamoDb::start_tls(&[], stranger).await;
    let refused = get_item(&client(&impostor.url, 1, TimeoutConfig::disabled())).await.unwrap_err();
    std::fs::remove_file(&roots).unwrap();
    match &refused {
        SdkError::DispatchFailure(failure) => assert!(failure.is_io(), "{failure:?}"),
        other => panic!("expected the handshake to be refused, got {other:?}"),
    }
}
