//! `Idempotency-Key` on creates: a retry with the same key and body within 24 hours gets the
//! first answer and creates nothing; the same key with another body gets 422.
//!
//! The record is written in the same transaction as what it creates, under a condition that
//! it is new. Of two concurrent requests with one key, one creates; the other's transaction
//! fails on that condition, and it answers with the winner's stored response.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::error::{Error, Guard};
use crate::keys::{self, Key};
use crate::messages::Msg;
use crate::store::{Condition, Db, Record, Transaction};

const LIFETIME: SignedDuration = SignedDuration::from_hours(24);

#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: Key,
    request_hash: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredResponse {
    request_hash: String,
    /// The `data` of the first answer, as JSON text.
    data: String,
    expires_at: i64,
    /// The caller's key (the item's, not stored in it).
    #[serde(skip)]
    key: Key,
}

impl Record for StoredResponse {
    fn key(&self) -> Key {
        self.key.clone()
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.expires_at)
    }
}

impl IdempotencyKey {
    /// A client's key (`value`), scoped to the caller, and bound to the method, path and
    /// body of the request it came with.
    pub fn new(caller: &Caller, value: &str, method: &str, path: &str, body: &Value) -> Result<IdempotencyKey, Error> {
        let value = value.trim();
        if value.is_empty() || value.len() > 255 {
            return Err(Error::field("Idempotency-Key", Msg::TooLong { max: 255 }));
        }
        let key_hash = hex::encode(Sha256::digest(value.as_bytes()));
        let request_hash = hex::encode(
            Sha256::new()
                .chain_update(method)
                .chain_update(b" ")
                .chain_update(path.trim_end_matches('/'))
                .chain_update(b"\n")
                .chain_update(body.to_string())
                .finalize(),
        );
        Ok(IdempotencyKey { key: keys::idempotency(caller.user_id, &key_hash), request_hash })
    }

    /// Stages the record of the creation's answer, `data`, under the condition that the key
    /// is free ([`Guard::IdempotencyKeyFree`]).
    pub fn stage(&self, tx: Transaction, data: &impl Serialize, now: Timestamp) -> Result<Transaction, Error> {
        let stored = StoredResponse {
            request_hash: self.request_hash.clone(),
            data: serde_json::to_string(data).map_err(Error::caused)?,
            expires_at: (now + LIFETIME).as_second(),
            key: self.key.clone(),
        };
        // An expired record may linger until DynamoDB's TTL sweep; it no longer holds the key.
        let free = Condition::new("attribute_not_exists(pk) OR #exp <= :now")
            .name("#exp", keys::EXPIRES_AT)
            .value(":now", AttributeValue::N(now.as_second().to_string()));
        Ok(tx.replace_if(&stored, free, Guard::IdempotencyKeyFree))
    }
}

/// The first answer to a request with `key`, if one was stored and has not expired; 422
/// when the key came with another request.
pub async fn replay(db: &Db, key: &IdempotencyKey, now: Timestamp) -> Result<Option<Value>, Error> {
    let Some(stored) = db.get::<StoredResponse>(&key.key).await? else {
        return Ok(None);
    };
    if stored.expires_at <= now.as_second() {
        return Ok(None);
    }
    if stored.request_hash != key.request_hash {
        return Err(Error::rule("Idempotency-Key", Msg::IdempotencyKeyReused));
    }
    serde_json::from_str(&stored.data).map(Some).map_err(Error::caused)
}
