//! The repository over DynamoDB: the one place that talks to the table.
//!
//! Items are (de)serialised with serde_dynamo. Every call answers a [`StoreError`] when it
//! fails: the [`Guard`] whose condition did not hold, throttling, or another failure with
//! the SDK's error as its cause.

mod expr;
mod gate;
mod record;
mod ride;
mod transaction;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeValue, DeleteRequest, KeysAndAttributes, PutRequest, ReturnValue, WriteRequest,
};
use jiff::Timestamp;
use serde::de::DeserializeOwned;

use expr::Expressions;
pub use expr::{Change, Condition};
pub use gate::{GateKeeper, WriteGate};
pub use record::{Changed, IndexKey, Indexes, Record, at_version, differences, item_of};
pub use ride::{Ride, Seat};
pub use transaction::{MAX_ACTIONS, Transaction, fit};

use crate::error::StoreError;
use crate::keys::{self, Key};

pub type Item = HashMap<String, AttributeValue>;

#[derive(Clone, Debug)]
pub struct Db {
    client: Client,
    table: String,
    /// What every write waits for, in a request whose caller is not confirmed yet.
    gate: Option<WriteGate>,
    /// In a request, a key that its first point read takes along (see [`ride`]).
    seat: Option<Seat>,
}

impl Db {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Db { client, table: table.into(), gate: None, seat: None }
    }

    /// This table for one request: its writes wait for `gate` (see [`WriteGate`]), and its
    /// first point read takes along the key waiting in `seat` (see [`Ride`]).
    pub fn for_request(&self, gate: WriteGate, seat: Seat) -> Db {
        Db { gate: Some(gate), seat: Some(seat), ..self.clone() }
    }

    /// Waits for the request's gate, if it has one: a write of an unconfirmed caller fails.
    pub(crate) async fn may_write(&self) -> Result<(), StoreError> {
        match &self.gate {
            Some(gate) if !gate.opens().await => Err(StoreError::Unconfirmed),
            _ => Ok(()),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Reads one item with a strongly consistent read.
    pub async fn get<T: DeserializeOwned>(&self, key: &Key) -> Result<Option<T>, StoreError> {
        let mut found = self.get_many(std::slice::from_ref(key)).await?;
        found.remove(key).map(from_item).transpose()
    }

    /// Reads distinct items with consistent reads, in one round trip. Returns them by key;
    /// missing items are absent.
    pub async fn get_many(&self, keys: &[Key]) -> Result<HashMap<Key, Item>, StoreError> {
        // A key waiting for a ride goes along when it fits in the one request.
        let rider = match &self.seat {
            Some(seat) if keys.len() < 100 => seat.take(),
            _ => None,
        };
        let Some(rider) = rider else { return self.read_keys(keys).await };
        // (A send that fails means the ride's side is gone: nobody waits for the item.)
        if keys.contains(&rider.key) {
            let found = self.read_keys(keys).await?;
            let _ = rider.item.send(found.get(&rider.key).cloned());
            return Ok(found);
        }
        let mut found = self.read_keys(&[keys, std::slice::from_ref(&rider.key)].concat()).await?;
        let _ = rider.item.send(found.remove(&rider.key));
        Ok(found)
    }

    /// One key with GetItem; more with BatchGetItem, 100 to a request (DynamoDB's limit)
    /// and the requests in parallel.
    async fn read_keys(&self, keys: &[Key]) -> Result<HashMap<Key, Item>, StoreError> {
        if let [key] = keys {
            let output = self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(key_item(key)))
                .consistent_read(true)
                .send()
                .await
                .map_err(storage_error)?;
            return Ok(output.item.map(|item| (key.clone(), item)).into_iter().collect());
        }
        let batches = futures_util::future::try_join_all(keys.chunks(100).map(|chunk| self.get_batch(chunk))).await?;
        Ok(batches.into_iter().flatten().collect())
    }

    async fn get_batch(&self, keys: &[Key]) -> Result<HashMap<Key, Item>, StoreError> {
        let mut found = HashMap::new();
        let mut request = KeysAndAttributes::builder().consistent_read(true);
        for key in keys {
            request = request.keys(key_item(key));
        }
        let mut pending = Some(request.build().map_err(StoreError::caused)?);
        // DynamoDB may hand back unprocessed keys under load; ask again for just those.
        while let Some(request) = pending.take() {
            let output =
                self.client.batch_get_item().request_items(&self.table, request).send().await.map_err(storage_error)?;
            for item in output.responses.unwrap_or_default().remove(&self.table).unwrap_or_default() {
                let key = Key { pk: string_attr(&item, keys::PK), sk: string_attr(&item, keys::SK) };
                found.insert(key, item);
            }
            pending = output.unprocessed_keys.and_then(|mut rest| rest.remove(&self.table));
        }
        Ok(found)
    }

    /// Every item of a partition (optionally of an index) whose sort key begins with a
    /// prefix (all of it for `""`), following DynamoDB's pages.
    pub async fn query_prefix(
        &self,
        index: Option<IndexKeys>,
        pk: &str,
        sk_prefix: &str,
    ) -> Result<Vec<Item>, StoreError> {
        // DynamoDB refuses begins_with on an empty string: no prefix means the whole partition.
        let range = if sk_prefix.is_empty() { SortRange::All } else { SortRange::Prefix(sk_prefix) };
        self.query(index, pk, range).await
    }

    /// Every item of a partition (optionally of an index) whose sort key is at most `last`.
    pub async fn query_up_to(&self, index: Option<IndexKeys>, pk: &str, last: &str) -> Result<Vec<Item>, StoreError> {
        self.query(index, pk, SortRange::AtMost(last)).await
    }

    /// Every item of a partition (optionally of an index) whose sort key is from `first` to
    /// `last`, both included.
    pub async fn query_between(
        &self,
        index: Option<IndexKeys>,
        pk: &str,
        first: &str,
        last: &str,
    ) -> Result<Vec<Item>, StoreError> {
        self.query(index, pk, SortRange::Between(first, last)).await
    }

    async fn query(&self, index: Option<IndexKeys>, pk: &str, range: SortRange<'_>) -> Result<Vec<Item>, StoreError> {
        let (index_name, pk_name, sk_name) = match index {
            Some(index) => (Some(index.name), index.pk, index.sk),
            None => (None, keys::PK, keys::SK),
        };
        let (condition, bound, first) = match range {
            SortRange::All => ("#pk = :pk", None, None),
            SortRange::Prefix(prefix) => ("#pk = :pk AND begins_with(#sk, :bound)", Some(prefix), None),
            SortRange::AtMost(last) => ("#pk = :pk AND #sk <= :bound", Some(last), None),
            SortRange::Between(first, last) => ("#pk = :pk AND #sk BETWEEN :first AND :bound", Some(last), Some(first)),
        };
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index_name.map(str::to_owned))
                .key_condition_expression(condition)
                .expression_attribute_names("#pk", pk_name)
                .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
                .set_exclusive_start_key(start);
            if let Some(bound) = bound {
                request = request
                    .expression_attribute_names("#sk", sk_name)
                    .expression_attribute_values(":bound", AttributeValue::S(bound.to_owned()));
            }
            if let Some(first) = first {
                request = request.expression_attribute_values(":first", AttributeValue::S(first.to_owned()));
            }
            let output = request.send().await.map_err(storage_error)?;
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Every item of one partition, with a strongly consistent read: a record and what
    /// hangs on it (a user and their sessions), in one round trip.
    pub async fn read_partition(&self, pk: &str) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_values(":pk", AttributeValue::S(pk.to_owned()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(storage_error)?;
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Writes many whole items, 25 to a request, retrying what the service hands back
    /// unprocessed. Not atomic (the benchmark's seeding).
    pub async fn put_all(&self, items: Vec<Item>) -> Result<(), StoreError> {
        let requests: Vec<WriteRequest> = items
            .into_iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
                    .map_err(StoreError::caused)
            })
            .collect::<Result<_, _>>()?;
        self.write_batches(requests).await
    }

    /// Deletes many items, 25 to a request (DynamoDB's batch limit), retrying what the
    /// service hands back unprocessed. Not atomic: callers order deletions so that a partial
    /// run can simply be repeated.
    pub async fn delete_all(&self, keys: &[Key]) -> Result<(), StoreError> {
        let requests: Vec<WriteRequest> = keys
            .iter()
            .map(|key| {
                DeleteRequest::builder()
                    .set_key(Some(key_item(key)))
                    .build()
                    .map(|delete| WriteRequest::builder().delete_request(delete).build())
                    .map_err(StoreError::caused)
            })
            .collect::<Result<_, _>>()?;
        self.write_batches(requests).await
    }

    async fn write_batches(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        self.may_write().await?;
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            while !pending.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(storage_error)?;
                pending = output.unprocessed_items.and_then(|mut rest| rest.remove(&self.table)).unwrap_or_default();
            }
        }
        Ok(())
    }

    /// Allocates the next integer id of a kind with an atomic counter. An id taken by a
    /// write that later fails is simply skipped: ids are unique, not gapless.
    pub async fn next_id(&self, kind: &str) -> Result<u64, StoreError> {
        Ok(self.next_ids(kind, 1).await?.start)
    }

    /// Allocates `count` consecutive ids of a kind in one atomic counter update. It does
    /// not wait for the request's gate, so that it can overlap the first read: a counter
    /// moved for a caller who turns out not to be signed in only leaves a gap in the ids.
    pub async fn next_ids(&self, kind: &str, count: u64) -> Result<std::ops::Range<u64>, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(&keys::counter(kind))))
            .update_expression("ADD #value :count")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":count", AttributeValue::N(count.to_string()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(storage_error)?;
        let last: u64 = output
            .attributes
            .as_ref()
            .and_then(|a| a.get("value"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| StoreError::bug("counter update returned no value"))?;
        Ok(last + 1 - count..last + 1)
    }

    /// Writes what changed from `before` to `after` as one update (see
    /// [`Transaction::save`]); the failed guard when the record is no longer as read.
    pub async fn save<R: Record>(&self, before: &R, after: &mut R, now: Timestamp) -> Result<Vec<Changed>, StoreError> {
        let Some(update) = record::update_of(before, after, now)? else {
            return Ok(Vec::new());
        };
        let (condition, guard) = update.condition;
        match self.update(&update.key, update.change, Some(condition)).await? {
            true => Ok(update.changes),
            false => Err(StoreError::Guard(guard)),
        }
    }

    /// Writes a whole item. With a condition, answers `Ok(false)` when it did not hold.
    pub async fn put(&self, item: Item, condition: Option<Condition>) -> Result<bool, StoreError> {
        self.may_write().await?;
        let e = Expressions::of(None, condition);
        let request = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values);
        match request.send().await {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(storage_error(error)),
        }
    }

    /// Changes attributes of one item. With a condition, answers `Ok(false)` when it did
    /// not hold (and nothing changed).
    pub async fn update(&self, key: &Key, change: Change, condition: Option<Condition>) -> Result<bool, StoreError> {
        self.may_write().await?;
        let e = Expressions::of(Some(change), condition);
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_item(key)))
            .set_update_expression(e.update)
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values);
        match request.send().await {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(storage_error(error)),
        }
    }

    pub async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        self.delete_with(key, None).await.map(|_| ())
    }

    /// Deletes one item if `condition` holds; `Ok(false)` when it did not (nothing deleted).
    pub async fn delete_if(&self, key: &Key, condition: Condition) -> Result<bool, StoreError> {
        self.delete_with(key, Some(condition)).await
    }

    async fn delete_with(&self, key: &Key, condition: Option<Condition>) -> Result<bool, StoreError> {
        self.may_write().await?;
        let e = Expressions::of(None, condition);
        let request = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_item(key)))
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values);
        match request.send().await {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(storage_error(error)),
        }
    }

    pub fn transaction(&self) -> Transaction {
        Transaction::new(self.clone())
    }
}

/// Which sort keys of a partition a query reads.
enum SortRange<'a> {
    All,
    Prefix(&'a str),
    AtMost(&'a str),
    Between(&'a str, &'a str),
}

/// Names of a secondary index and its key attributes.
#[derive(Debug, Clone, Copy)]
pub struct IndexKeys {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

/// Overloaded index 1: a team's users, a user's projects, a user's tasks (see `keys`).
pub const GSI1: IndexKeys = IndexKeys { name: keys::GSI1, pk: keys::GSI1_PK, sk: keys::GSI1_SK };
/// Overloaded index 2: the directories of all users and all projects (see `keys`).
pub const GSI2: IndexKeys = IndexKeys { name: keys::GSI2, pk: keys::GSI2_PK, sk: keys::GSI2_SK };
/// Index 3: the tasks owed a reminder, by day (see `reminders`).
pub const GSI3: IndexKeys = IndexKeys { name: keys::GSI3, pk: keys::GSI3_PK, sk: keys::GSI3_SK };

pub fn key_item(key: &Key) -> Item {
    HashMap::from([
        (keys::PK.to_owned(), AttributeValue::S(key.pk.clone())),
        (keys::SK.to_owned(), AttributeValue::S(key.sk.clone())),
    ])
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::caused)
}

pub fn string_attr(item: &Item, name: &str) -> String {
    item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
}

/// A failed SDK call as a [`StoreError`], the SDK's error kept as its cause.
pub fn storage_error<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    const THROTTLED: &[&str] =
        &["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"];
    match error.code() {
        Some(code) if THROTTLED.contains(&code) => StoreError::Throttled(Box::new(error)),
        _ => StoreError::Other(Box::new(error)),
    }
}

/// Whether a single-item write failed on its condition (the race was lost, the item moved).
pub fn is_condition_failure<E, R>(error: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata,
{
    error.code() == Some("ConditionalCheckFailedException")
}

impl StoreError {
    /// A fault of ours in using storage (a request or item that cannot be built or read).
    pub fn bug(context: impl std::fmt::Display) -> StoreError {
        StoreError::Other(context.to_string().into())
    }

    pub fn caused<E: std::error::Error + Send + Sync + 'static>(cause: E) -> StoreError {
        StoreError::Other(Box::new(cause))
    }
}
