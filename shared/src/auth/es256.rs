//! ES256 for `jsonwebtoken`, on ring: the crypto the functions' HTTPS client already links.
//! `jsonwebtoken` keeps the token format and its checks (algorithm, expiry, issuer,
//! audience); this provider signs and verifies, and knows no other algorithm, so a token
//! that names one is refused before any key is used.

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::signature::{Error as SignatureError, Signer, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, UnparsedPublicKey};

/// Makes this provider the process's: before the first token is signed or checked.
pub(crate) fn install() {
    // Fails only where it is installed already, which is as good.
    let _ = PROVIDER.install_default();
}

static PROVIDER: CryptoProvider =
    CryptoProvider { signer_factory: signer, verifier_factory: verifier, key_utils: KeyUtils::new_unimplemented() };

/// The bytes of a signing key here: the private scalar (32 bytes), then the public point
/// (65 bytes, uncompressed). ring takes both and checks that they belong together.
pub(crate) fn signing_key(scalar: &[u8; 32], point: &[u8]) -> EncodingKey {
    EncodingKey::from_ec_der(&[scalar.as_slice(), point].concat())
}

/// The pair of a scalar and its public point, if they are one.
pub(crate) fn key_pair(scalar: &[u8], point: &[u8]) -> Option<EcdsaKeyPair> {
    EcdsaKeyPair::from_private_key_and_public_key(&ECDSA_P256_SHA256_FIXED_SIGNING, scalar, point, &SystemRandom::new())
        .ok()
}

/// `jsonwebtoken` asks for a signer per token; identity signs only at login and refresh, so
/// the pair is made (and checked) each time rather than kept.
fn signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    if *algorithm != Algorithm::ES256 || key.family() != AlgorithmFamily::Ec {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    let (scalar, point) = key.as_bytes().split_at_checked(32).ok_or(ErrorKind::InvalidEcdsaKey)?;
    Ok(Box::new(Es256Signer(key_pair(scalar, point).ok_or(ErrorKind::InvalidEcdsaKey)?)))
}

fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    if *algorithm != Algorithm::ES256 || key.family() != AlgorithmFamily::Ec {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    Ok(Box::new(Es256Verifier(key.try_get_as_bytes()?.to_vec())))
}

struct Es256Signer(EcdsaKeyPair);

impl Signer<Vec<u8>> for Es256Signer {
    fn try_sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, SignatureError> {
        let signature = self.0.sign(&SystemRandom::new(), message).map_err(|_| SignatureError::new())?;
        Ok(signature.as_ref().to_vec())
    }
}

impl JwtSigner for Es256Signer {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
}

/// The uncompressed public point.
struct Es256Verifier(Vec<u8>);

impl Verifier<Vec<u8>> for Es256Verifier {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> std::result::Result<(), SignatureError> {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &self.0)
            .verify(message, signature)
            .map_err(|_| SignatureError::new())
    }
}

impl JwtVerifier for Es256Verifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::ES256
    }
}
