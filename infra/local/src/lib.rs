//! TeamSync's local cloud: everything `make run` and the black-box tests need to run the
//! functions as AWS would, on this machine, with no AWS account.

pub mod calls;
pub mod demo;
pub mod dynamodb;
pub mod event_pattern;
pub mod eventbus;
pub mod gateway;
pub mod openapi;
pub mod reference;
pub mod s3;
pub mod schedules;
pub mod stack;
pub mod table;
pub mod template;
pub mod websocket;

use std::path::PathBuf;

/// The repository's root (template.yaml, .venv, .local): `TEAMSYNC_ROOT`, or where this
/// crate was built from.
pub fn project_root() -> PathBuf {
    std::env::var_os("TEAMSYNC_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// A random secret, hex-encoded, for the local signing seed and generated passwords.
pub fn random_secret(bytes: usize) -> Result<String, String> {
    let mut buffer = vec![0u8; bytes];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut buffer)
        .map_err(|_| "no randomness available".to_owned())?;
    Ok(hex::encode(buffer))
}
