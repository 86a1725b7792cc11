//! Password hashing with argon2id (OWASP's parameters: 19 MiB, 2 passes). Hashing runs on
//! the blocking pool: it is deliberately slow and must not stall other requests of the
//! local gateway's runtime.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::Error;
use crate::identity::model::Password;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: &Password) -> Result<String, Error> {
    let secret = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(Error::caused)?
    .map_err(Error::caused)
}

/// Checks a password against a stored hash. With no stored hash (an unknown user) a dummy
/// hash is checked anyway, so a wrong username takes as long as a wrong password.
pub async fn verify(password: &Password, stored: Option<&str>) -> Result<bool, Error> {
    let secret = password.expose().to_owned();
    let stored = stored.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let encoded = stored.unwrap_or_else(dummy_hash);
        let parsed = PasswordHash::new(&encoded).map_err(Error::caused)?;
        Ok(argon2().verify_password(secret.as_bytes(), &parsed).is_ok() && known)
    })
    .await
    .map_err(Error::caused)?
}

fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            argon2().hash_password(b"not-a-password-of-anyone", &salt).map(|h| h.to_string()).unwrap_or_default()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let right = Password::parse("correct horse").unwrap();
        let wrong = Password::parse("wrong horse!").unwrap();
        let stored = hash(&right).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(&right, Some(&stored)).await.unwrap());
        assert!(!verify(&wrong, Some(&stored)).await.unwrap());
        assert!(!verify(&right, None).await.unwrap());
    }
}
