//! One DynamoDB transaction, where each conditional write names the [`Guard`] it is made
//! under, so that a failure says which one did not hold.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use jiff::Timestamp;

use super::expr::{Change, Condition, Expressions};
use super::record::{Changed, Record, item_of, update_of};
use super::{Db, Item, key_item, storage_error};
use crate::error::{Guard, StoreError};
use crate::keys::Key;

/// DynamoDB's limit on the actions of one transaction.
pub const MAX_ACTIONS: usize = 100;

/// Items of `per_item` actions each, batched by the transaction limit, each transaction
/// with room for `reserved` actions of its own (the change they belong to, its counts): the
/// first batch, and the rest. Which to commit first is the caller's order.
pub fn fit<T>(items: &[T], per_item: usize, reserved: usize) -> (&[T], std::slice::Chunks<'_, T>) {
    let room = (MAX_ACTIONS.saturating_sub(reserved) / per_item).max(1);
    let (fitting, rest) = items.split_at(room.min(items.len()));
    (fitting, rest.chunks(room))
}

pub struct Transaction {
    db: Db,
    actions: Vec<TransactWriteItem>,
    /// For each action, the guard its condition stands for.
    guards: Vec<Option<Guard>>,
    /// Set when an action could not be built; the transaction then commits nothing.
    build_error: Option<StoreError>,
}

impl Transaction {
    pub(super) fn new(db: Db) -> Self {
        Transaction { db, actions: Vec::new(), guards: Vec::new(), build_error: None }
    }

    /// How many actions it holds so far.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Writes a whole item, optionally under a guarded condition.
    pub fn put(self, item: Item, condition: Option<(Condition, Guard)>) -> Self {
        let (condition, guard) = condition.unzip();
        let e = Expressions::of(None, condition);
        let put = Put::builder()
            .table_name(self.db.table())
            .set_item(Some(item))
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values)
            .build();
        self.push(put.map(|p| TransactWriteItem::builder().put(p).build()), guard)
    }

    pub fn update(self, key: &Key, change: Change, condition: Option<(Condition, Guard)>) -> Self {
        let (condition, guard) = condition.unzip();
        let e = Expressions::of(Some(change), condition);
        let update = Update::builder()
            .table_name(self.db.table())
            .set_key(Some(key_item(key)))
            .set_update_expression(e.update)
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values)
            .build();
        self.push(update.map(|u| TransactWriteItem::builder().update(u).build()), guard)
    }

    pub fn delete(self, key: &Key, condition: Option<(Condition, Guard)>) -> Self {
        let (condition, guard) = condition.unzip();
        let e = Expressions::of(None, condition);
        let delete = Delete::builder()
            .table_name(self.db.table())
            .set_key(Some(key_item(key)))
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values)
            .build();
        self.push(delete.map(|d| TransactWriteItem::builder().delete(d).build()), guard)
    }

    /// Writes a new record, whose key must be free: `guard` names what holds the key (a
    /// fresh id, a username).
    pub fn create<R: Record>(self, record: &R, guard: Guard) -> Self {
        match item_of(record) {
            Ok(item) => self.put(item, Some((Condition::absent(), guard))),
            Err(error) => self.fail(error),
        }
    }

    /// Writes a record whole, whatever its key held.
    pub fn replace<R: Record>(self, record: &R) -> Self {
        match item_of(record) {
            Ok(item) => self.put(item, None),
            Err(error) => self.fail(error),
        }
    }

    /// Writes a record whole under a guarded condition on what its key holds now.
    pub fn replace_if<R: Record>(self, record: &R, condition: Condition, guard: Guard) -> Self {
        match item_of(record) {
            Ok(item) => self.put(item, Some((condition, guard))),
            Err(error) => self.fail(error),
        }
    }

    /// Writes what changed from `before` to `after`, and only that, under the condition that
    /// the record is still as read (its version, or its presence). `after` is touched first
    /// (next version, changed now) when anything changed; nothing is written otherwise.
    /// Returns the attributes that change.
    pub fn save<R: Record>(self, before: &R, after: &mut R, now: Timestamp) -> (Self, Vec<Changed>) {
        match update_of(before, after, now) {
            Ok(Some(update)) => (self.update(&update.key, update.change, Some(update.condition)), update.changes),
            Ok(None) => (self, Vec::new()),
            Err(error) => (self.fail(error), Vec::new()),
        }
    }

    /// Writes what changed from `before` to `after` as it is (no new version), under a
    /// condition of the caller's: bookkeeping of the system's, not an edit (a reminder
    /// sent).
    pub fn save_if<R: Record>(self, before: &R, after: &R, condition: (Condition, Guard)) -> Self {
        match super::record::difference_update(before, after) {
            Ok(Some(change)) => self.update(&before.key(), change, Some(condition)),
            Ok(None) => self,
            Err(error) => self.fail(error),
        }
    }

    /// Deletes a record, under its version when it has one.
    pub fn remove<R: Record>(self, record: &R) -> Self {
        let condition = record.version().map(|v| (super::record::at_version(v), Guard::Version));
        self.delete(&record.key(), condition)
    }

    /// Sets the attributes a part of a record serializes to (a member's name and avatar, a
    /// user's last login) on the item at `key`, optionally under a guarded condition.
    pub fn patch<P: serde::Serialize>(self, key: &Key, fields: &P, condition: Option<(Condition, Guard)>) -> Self {
        match super::record::patch_of(fields) {
            Ok(change) => self.update(key, change, condition),
            Err(error) => self.fail(error),
        }
    }

    /// Adds `delta` to a counter of the item at `key`, optionally under a guarded condition.
    pub fn add(self, key: &Key, counter: &str, delta: i64, condition: Option<(Condition, Guard)>) -> Self {
        self.update(key, Change::add(counter, delta), condition)
    }

    /// Adds to several counters of the item at `key` (none, when every delta is zero).
    pub fn add_all(self, key: &Key, counters: &[(&str, i64)]) -> Self {
        let counters: Vec<(&str, i64)> = counters.iter().copied().filter(|(_, delta)| *delta != 0).collect();
        if counters.is_empty() { self } else { self.update(key, Change::add_all(&counters), None) }
    }

    /// Adds `delta` to a counter of a versioned record and moves its version with it.
    pub fn add_versioned(self, key: &Key, counter: &str, delta: i64, condition: Option<(Condition, Guard)>) -> Self {
        self.update(key, Change::add_versioned(counter, delta), condition)
    }

    fn fail(mut self, error: StoreError) -> Self {
        self.build_error.get_or_insert(error);
        self
    }

    /// Writes nothing to the item, but commits only if `condition` holds for it.
    pub fn check(self, key: &Key, condition: Condition, guard: Guard) -> Self {
        let e = Expressions::of(None, Some(condition));
        let check = ConditionCheck::builder()
            .table_name(self.db.table())
            .set_key(Some(key_item(key)))
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values)
            .build();
        self.push(check.map(|c| TransactWriteItem::builder().condition_check(c).build()), Some(guard))
    }

    fn push<E: std::fmt::Display>(mut self, action: Result<TransactWriteItem, E>, guard: Option<Guard>) -> Self {
        // Builders fail only on a missing required field, a bug here: keep the first such
        // error for commit, which then writes nothing at all.
        match action {
            Ok(action) => {
                self.actions.push(action);
                self.guards.push(guard);
            }
            Err(error) => {
                self.build_error.get_or_insert(StoreError::bug(format!("transaction build: {error}")));
            }
        }
        self
    }

    /// Commits all actions or none. A failed condition answers the guard it stands for.
    ///
    /// DynamoDB cancels a transaction that collides with another one in flight
    /// (`TransactionConflict`); it is retried a few times, so that the loser of a race learns
    /// the real outcome (usually a failed guard) instead of a failure.
    pub async fn commit(self) -> Result<(), StoreError> {
        if let Some(error) = self.build_error {
            return Err(error);
        }
        // Even a change that writes nothing waits: what commits it then announces it.
        self.db.may_write().await?;
        if self.actions.is_empty() {
            return Ok(());
        }
        if self.actions.len() > MAX_ACTIONS {
            return Err(StoreError::bug(format!("a transaction of {} actions", self.actions.len())));
        }
        for backoff_ms in [25, 100, 0] {
            let result =
                self.db.client().transact_write_items().set_transact_items(Some(self.actions.clone())).send().await;
            let service = match result {
                Ok(_) => return Ok(()),
                Err(SdkError::ServiceError(service)) => service,
                Err(other) => return Err(storage_error(other)),
            };
            let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err() else {
                return Err(storage_error(SdkError::ServiceError(service)));
            };
            let codes: Vec<Option<&str>> = cancelled.cancellation_reasons().iter().map(|r| r.code()).collect();
            if let Some(index) = codes.iter().position(|c| *c == Some("ConditionalCheckFailed")) {
                return Err(match self.guards.get(index).copied().flatten() {
                    Some(guard) => StoreError::Guard(guard),
                    None => StoreError::bug(format!("action {index} failed a condition it did not have")),
                });
            }
            if !codes.contains(&Some("TransactionConflict")) || backoff_ms == 0 {
                return Err(storage_error(SdkError::ServiceError(service)));
            }
            tokio::time::sleep(std::time::Duration::from_millis(backoff_ms)).await;
        }
        Err(StoreError::bug("transaction retries exhausted"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_fit_around_what_a_transaction_holds_and_the_rest_fill_their_own() {
        let items: Vec<u32> = (0..250).collect();
        let (first, rest) = fit(&items, 2, 2);
        assert_eq!(first.len(), 49, "two actions each, beside two of the change's own");
        let rest: Vec<usize> = rest.map(<[u32]>::len).collect();
        assert_eq!(rest, vec![49, 49, 49, 49, 5], "each with the same room");
        let (all, none) = fit(&items[..3], 1, 7);
        assert_eq!((all.len(), none.count()), (3, 0));
    }
}
