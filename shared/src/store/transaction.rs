//! One DynamoDB transaction, where each conditional write carries the error its failed
//! condition means to the client.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use super::expr::{Change, Condition, Expressions};
use super::{Db, Item, key_item, storage_error};
use crate::error::ApiError;
use crate::keys::Key;

/// DynamoDB's limit on the actions of one transaction.
pub const MAX_ACTIONS: usize = 100;

pub struct Transaction {
    db: Db,
    actions: Vec<TransactWriteItem>,
    /// For each action, what a failure of its condition means.
    on_condition_failure: Vec<Option<ApiError>>,
    /// Set when an action could not be built; the transaction then commits nothing.
    build_error: Option<ApiError>,
}

impl Transaction {
    pub(super) fn new(db: Db) -> Self {
        Transaction { db, actions: Vec::new(), on_condition_failure: Vec::new(), build_error: None }
    }

    /// How many actions it holds so far.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Writes a whole item, optionally under a condition whose failure means `conflict`.
    pub fn put(self, item: Item, condition: Option<(Condition, ApiError)>) -> Self {
        let (condition, conflict) = condition.unzip();
        let e = Expressions::of(None, condition);
        let put = Put::builder()
            .table_name(self.db.table())
            .set_item(Some(item))
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values)
            .build();
        self.push(put.map(|p| TransactWriteItem::builder().put(p).build()), conflict)
    }

    pub fn update(self, key: &Key, change: Change, condition: Option<(Condition, ApiError)>) -> Self {
        let (condition, conflict) = condition.unzip();
        let e = Expressions::of(Some(change), condition);
        let update = Update::builder()
            .table_name(self.db.table())
            .set_key(Some(key_item(key)))
            .set_update_expression(e.update)
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values)
            .build();
        self.push(update.map(|u| TransactWriteItem::builder().update(u).build()), conflict)
    }

    pub fn delete(self, key: &Key, condition: Option<(Condition, ApiError)>) -> Self {
        let (condition, conflict) = condition.unzip();
        let e = Expressions::of(None, condition);
        let delete = Delete::builder()
            .table_name(self.db.table())
            .set_key(Some(key_item(key)))
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values)
            .build();
        self.push(delete.map(|d| TransactWriteItem::builder().delete(d).build()), conflict)
    }

    /// Writes nothing to the item, but commits only if `condition` holds for it.
    pub fn check(self, key: &Key, condition: Condition, conflict: ApiError) -> Self {
        let e = Expressions::of(None, Some(condition));
        let check = ConditionCheck::builder()
            .table_name(self.db.table())
            .set_key(Some(key_item(key)))
            .set_condition_expression(e.condition)
            .set_expression_attribute_names(e.names)
            .set_expression_attribute_values(e.values)
            .build();
        self.push(check.map(|c| TransactWriteItem::builder().condition_check(c).build()), Some(conflict))
    }

    fn push<E: std::fmt::Display>(mut self, action: Result<TransactWriteItem, E>, conflict: Option<ApiError>) -> Self {
        // Builders fail only on a missing required field, a bug here: keep the first such
        // error for commit, which then writes nothing at all.
        match action {
            Ok(action) => {
                self.actions.push(action);
                self.on_condition_failure.push(conflict);
            }
            Err(error) => {
                self.build_error.get_or_insert(ApiError::internal(format!("transaction build: {error}")));
            }
        }
        self
    }

    /// Commits all actions or none. A failed condition answers with the error attached to it.
    ///
    /// DynamoDB cancels a transaction that collides with another one in flight
    /// (`TransactionConflict`); it is retried a few times, so that the loser of a race learns
    /// the real outcome (usually a failed condition) instead of a 500.
    pub async fn commit(self) -> Result<(), ApiError> {
        if let Some(error) = self.build_error {
            return Err(error);
        }
        if self.actions.is_empty() {
            return Ok(());
        }
        if self.actions.len() > MAX_ACTIONS {
            let count = self.actions.len();
            return Err(ApiError::internal(format!("transaction of {count} actions")));
        }
        let mut on_condition_failure = self.on_condition_failure;
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
                return Err(on_condition_failure
                    .swap_remove(index)
                    .unwrap_or_else(|| ApiError::internal(format!("unexpected condition failure on action {index}"))));
            }
            if !codes.contains(&Some("TransactionConflict")) || backoff_ms == 0 {
                return Err(storage_error(SdkError::ServiceError(service)));
            }
            tokio::time::sleep(std::time::Duration::from_millis(backoff_ms)).await;
        }
        Err(ApiError::internal("transaction retries exhausted"))
    }
}
