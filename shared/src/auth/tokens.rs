//! Signed tokens: ES256 JWTs whose public key is published as a JWKS, so API Gateway's
//! JWT authorizer (or anyone) can check them without our code.
//!
//! The P-256 key is derived from a secret seed. In AWS, Secrets Manager generates that
//! seed (template.yaml); locally it is generated once into the state directory. A seed
//! rather than a PEM means no key material is ever made or copied by hand. Deployment
//! derives the public key once ([`public_key_of_seed`]) and hands it to every function as
//! configuration; only the function that signs (identity) also reads the seed, and checks
//! that the two belong together. The signatures are ring's (`es256`).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::auth::es256;
use crate::config::ConfigError;
use crate::error::{Error, TokenProblem};
use crate::identity::model::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenUse {
    Access,
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The session id: every request checks that this session still exists.
    pub sid: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub token_use: TokenUse,
    /// Refresh tokens only: which rotation of the session this token is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// Access tokens only: the session's role and team when the token was signed. A claim,
    /// not the authority: a request starts its reads as this caller while the session is
    /// read, and the session's word is final (see [`crate::store::WriteGate`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<u64>,
}

pub struct TokenKeys {
    /// `None` where only the public key is configured: such a function verifies, never signs.
    encoding: Option<EncodingKey>,
    decoding: DecodingKey,
    kid: String,
    /// The public key, the uncompressed point (`0x04 || x || y`).
    point: Vec<u8>,
    issuer: String,
    audience: String,
    /// Access tokens already checked, by their exact text, and their claims: a warm function
    /// sees a token again on each of its holder's requests for its fifteen minutes, and the
    /// ECDSA check is a tenth of such a request's CPU. Expiry is checked again on every use;
    /// the session is read on every request all the same.
    verified: Mutex<HashMap<String, Claims>>,
}

/// How many checked access tokens a function keeps (about 200 KiB); when full, it forgets
/// them all and checks again.
const VERIFIED_KEPT: usize = 256;

/// Seconds of clock skew an expiry allows.
const LEEWAY_SECONDS: u64 = 5;

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Signing and verifying keys: the secret seed, and its public key as configuration
    /// ([`public_key_of_seed`]), which must be the seed's.
    pub fn from_seed(seed: &[u8], public_key: &str, issuer: &str, audience: &str) -> Result<TokenKeys, ConfigError> {
        let scalar = private_scalar(seed)?;
        let mut keys = TokenKeys::from_public_key(public_key, issuer, audience)?;
        es256::key_pair(&scalar, &keys.point)
            .ok_or_else(|| ConfigError("TEAMSYNC_JWT_PUBLIC_KEY is not the public key of the signing seed".into()))?;
        keys.encoding = Some(es256::signing_key(&scalar, &keys.point));
        Ok(keys)
    }

    /// Verifying keys only, from the text [`TokenKeys::public_key`] gives: the uncompressed
    /// P-256 point (`0x04 || x || y`), base64url.
    pub fn from_public_key(text: &str, issuer: &str, audience: &str) -> Result<TokenKeys, ConfigError> {
        let point = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| ConfigError("TEAMSYNC_JWT_PUBLIC_KEY is not base64url".into()))?;
        if point.len() != 65 || point[0] != 0x04 {
            return Err(ConfigError("the token public key is not an uncompressed P-256 point".into()));
        }
        es256::install();
        Ok(TokenKeys {
            encoding: None,
            decoding: DecodingKey::from_ec_der(&point),
            kid: hex::encode(&Sha256::digest(&point)[..8]),
            point,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            verified: Mutex::default(),
        })
    }

    /// The public key as configuration text: the uncompressed point, base64url.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.point)
    }

    /// Claims for a token of `token_use` issued at `now`, living `ttl`.
    pub fn claims(
        &self,
        user_id: u64,
        session_id: &str,
        token_use: TokenUse,
        now: Timestamp,
        expires: Timestamp,
    ) -> Claims {
        Claims {
            sub: user_id.to_string(),
            sid: session_id.to_owned(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.as_second(),
            exp: expires.as_second(),
            token_use,
            jti: None,
            role: None,
            team_id: None,
        }
    }

    /// Fails where only the public key is configured: signing is identity's alone.
    pub fn sign(&self, claims: &Claims) -> Result<String, Error> {
        let encoding = self.encoding.as_ref().ok_or_else(|| Error::bug("this function has no signing key"))?;
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, encoding).map_err(Error::caused)
    }

    /// Checks signature, algorithm (ES256 only: `none` and HMAC tricks fail here), issuer,
    /// audience, expiry and use.
    pub fn verify(&self, token: &str, expected: TokenUse) -> Result<Claims, TokenProblem> {
        self.verify_at(token, expected, Timestamp::now())
    }

    /// [`TokenKeys::verify`], an access token checked before answering from what was kept,
    /// its expiry compared with `now`.
    fn verify_at(&self, token: &str, expected: TokenUse, now: Timestamp) -> Result<Claims, TokenProblem> {
        if expected == TokenUse::Access
            && let Some(claims) = self.kept().get(token).cloned()
        {
            let expired = claims.exp.saturating_add_unsigned(LEEWAY_SECONDS) < now.as_second();
            return if expired { Err(TokenProblem::Expired) } else { Ok(claims) };
        }
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => TokenProblem::Expired,
            _ => TokenProblem::Invalid,
        })?;
        if data.claims.token_use != expected {
            return Err(TokenProblem::Invalid);
        }
        if expected == TokenUse::Access {
            let mut kept = self.kept();
            if kept.len() >= VERIFIED_KEPT {
                kept.clear();
            }
            kept.insert(token.to_owned(), data.claims.clone());
        }
        Ok(data.claims)
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<String, Claims>> {
        // Entries are only inserted whole or all cleared: a panic cannot leave one half-made.
        self.verified.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The JSON Web Key Set that verifies our tokens.
    pub fn jwks(&self) -> Value {
        let (x, y) = self.point[1..].split_at(32);
        json!({"keys": [{
            "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig",
            "kid": self.kid, "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
        }]})
    }
}

/// The public key text (`TEAMSYNC_JWT_PUBLIC_KEY`) of a signing seed: what deployment hands
/// the functions. The one place the point is computed from the scalar (ring keeps that
/// arithmetic to itself), so only the binaries that derive the key link it.
pub fn public_key_of_seed(seed: &[u8]) -> Result<String, ConfigError> {
    let scalar = private_scalar(seed)?;
    let secret = p256::SecretKey::from_slice(&scalar)
        .map_err(|_| ConfigError("cannot derive a signing key from the seed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(secret.public_key().to_encoded_point(false).as_bytes()))
}

/// The P-256 private scalar of a seed: SHA-256(label, counter, seed) for the first counter
/// whose value is a valid scalar (in 1..n; another counter is needed with odds of 2^-32).
fn private_scalar(seed: &[u8]) -> Result<[u8; 32], ConfigError> {
    if seed.len() < 32 {
        return Err(ConfigError("the token signing seed must be at least 32 bytes".into()));
    }
    (0u8..8)
        .map(|counter| -> [u8; 32] {
            Sha256::new()
                .chain_update(b"teamsync-es256-v1")
                .chain_update([counter])
                .chain_update(seed)
                .finalize()
                .into()
        })
        .find(|scalar| scalar.iter().any(|byte| *byte != 0) && scalar.as_slice() < P256_ORDER.as_slice())
        .ok_or_else(|| ConfigError("cannot derive a signing key from the seed".into()))
}

/// n, the order of P-256's base point, big-endian.
const P256_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa,
    0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(seed: &str) -> TokenKeys {
        let public_key = public_key_of_seed(seed.as_bytes()).unwrap();
        TokenKeys::from_seed(seed.as_bytes(), &public_key, "teamsync", "teamsync-api").unwrap()
    }

    fn fresh(keys: &TokenKeys, token_use: TokenUse) -> Claims {
        let now = Timestamp::now();
        keys.claims(7, "sid", token_use, now, now + jiff::SignedDuration::from_mins(15))
    }

    #[test]
    fn same_seed_same_key_and_tokens_round_trip() {
        let (a, b) = (keys(&"s".repeat(40)), keys(&"s".repeat(40)));
        assert_eq!(a.jwks(), b.jwks());
        let claims = fresh(&a, TokenUse::Access);
        let token = a.sign(&claims).unwrap();
        assert_eq!(b.verify(&token, TokenUse::Access).unwrap(), claims);
        assert_eq!(b.verify(&token, TokenUse::Refresh), Err(TokenProblem::Invalid));
    }

    #[test]
    fn foreign_tampered_none_and_expired_tokens_are_refused() {
        let ours = keys(&"a".repeat(40));
        let theirs = keys(&"b".repeat(40));
        let token = theirs.sign(&fresh(&theirs, TokenUse::Access)).unwrap();
        assert_eq!(ours.verify(&token, TokenUse::Access), Err(TokenProblem::Invalid));

        let token = ours.sign(&fresh(&ours, TokenUse::Access)).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        claims["sub"] = json!("1");
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        assert_eq!(ours.verify(&parts.join("."), TokenUse::Access), Err(TokenProblem::Invalid));

        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{}.", parts[1]);
        assert_eq!(ours.verify(&unsigned, TokenUse::Access), Err(TokenProblem::Invalid));

        let long_ago = Timestamp::now() - jiff::SignedDuration::from_hours(2);
        let expired = ours.claims(7, "sid", TokenUse::Access, long_ago, long_ago + jiff::SignedDuration::from_mins(15));
        assert_eq!(ours.verify(&ours.sign(&expired).unwrap(), TokenUse::Access), Err(TokenProblem::Expired));
        assert_eq!(ours.verify("garbage", TokenUse::Access), Err(TokenProblem::Invalid));
    }

    #[test]
    fn a_kept_access_token_still_expires_and_a_tampered_copy_is_still_checked() {
        let keys = keys(&"k".repeat(40));
        let claims = fresh(&keys, TokenUse::Access);
        let token = keys.sign(&claims).unwrap();
        assert_eq!(keys.verify(&token, TokenUse::Access).unwrap(), claims);
        assert_eq!(keys.verify(&token, TokenUse::Access).unwrap(), claims, "again, from what was kept");
        let later = Timestamp::from_second(claims.exp + 6).unwrap();
        assert_eq!(keys.verify_at(&token, TokenUse::Access, later), Err(TokenProblem::Expired));
        assert_eq!(keys.verify(&token, TokenUse::Refresh), Err(TokenProblem::Invalid));
        let mut tampered = token.clone();
        tampered.push('A');
        assert_eq!(keys.verify(&tampered, TokenUse::Access), Err(TokenProblem::Invalid));
    }

    #[test]
    fn the_public_key_alone_verifies_but_cannot_sign() {
        let signer = keys(&"p".repeat(40));
        let verifier = TokenKeys::from_public_key(&signer.public_key(), "teamsync", "teamsync-api").unwrap();
        assert_eq!(verifier.jwks(), signer.jwks());
        let claims = fresh(&signer, TokenUse::Access);
        assert_eq!(verifier.verify(&signer.sign(&claims).unwrap(), TokenUse::Access).unwrap(), claims);
        assert!(verifier.sign(&claims).is_err(), "a verifier signs nothing");
        let other = keys(&"q".repeat(40));
        assert_eq!(verifier.verify(&other.sign(&claims).unwrap(), TokenUse::Access), Err(TokenProblem::Invalid));
        assert!(TokenKeys::from_public_key("not a key", "i", "a").is_err());
        assert!(TokenKeys::from_public_key(&URL_SAFE_NO_PAD.encode([4u8; 33]), "i", "a").is_err());
    }

    #[test]
    fn short_seeds_and_another_seeds_public_key_are_refused() {
        assert!(public_key_of_seed(b"short").is_err());
        let other = public_key_of_seed(&[7u8; 40]).unwrap();
        assert!(TokenKeys::from_seed(b"short", &other, "i", "a").is_err());
        assert!(TokenKeys::from_seed(&[8u8; 40], &other, "i", "a").is_err(), "a seed signs only with its own key");
    }

    /// A seed's key never changes: deployed tokens and every function's configured public
    /// key stay valid across releases. The value is the seed's scalar times P-256's base
    /// point as another implementation (Python's `cryptography`) computes it.
    #[test]
    fn a_seeds_public_key_is_what_it_always_was() {
        assert_eq!(
            public_key_of_seed(&[b's'; 40]).unwrap(),
            "BDqRxZW-tE-rtrrcNmlVRD8JKPvRgmB2a3r3YkQeKWp8ZRDpBcRzh9i9bdUgHvkXvLpXWJwuf_nqSDq8B4iMk0o"
        );
    }
}
