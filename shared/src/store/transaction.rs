//! One DynamoDB transaction, where each conditional write carries the error its failed
//! condition means to the client.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};

use super::expr::{Change, Condition, names, values};
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
}

impl Transaction {
    pub(super) fn new(db: Db) -> Self {
        Transaction {
            db,
            actions: Vec::new(),
            on_condition_failure: Vec::new(),
        }
    }

    /// Writes a whole item, optionally under a condition whose failure means `conflict`.
    pub fn put(self, item: Item, condition: Option<(Condition, ApiError)>) -> Self {
        let mut put = Put::builder()
            .table_name(self.db.table())
            .set_item(Some(item));
        let conflict = condition.map(|(condition, error)| {
            put = put
                .clone()
                .condition_expression(condition.expression)
                .set_expression_attribute_names(names(condition.names))
                .set_expression_attribute_values(values(condition.values));
            error
        });
        self.push(
            put.build()
                .map(|p| TransactWriteItem::builder().put(p).build()),
            conflict,
        )
    }

    pub fn update(
        self,
        key: &Key,
        change: Change,
        condition: Option<(Condition, ApiError)>,
    ) -> Self {
        let mut all_names = change.names;
        let mut all_values = change.values;
        let mut update = Update::builder()
            .table_name(self.db.table())
            .set_key(Some(key_item(key)))
            .update_expression(change.expression);
        let conflict = condition.map(|(condition, error)| {
            update = update.clone().condition_expression(condition.expression);
            all_names.extend(condition.names);
            all_values.extend(condition.values);
            error
        });
        let update = update
            .set_expression_attribute_names(names(all_names))
            .set_expression_attribute_values(values(all_values));
        self.push(
            update
                .build()
                .map(|u| TransactWriteItem::builder().update(u).build()),
            conflict,
        )
    }

    pub fn delete(self, key: &Key, condition: Option<(Condition, ApiError)>) -> Self {
        let mut delete = Delete::builder()
            .table_name(self.db.table())
            .set_key(Some(key_item(key)));
        let conflict = condition.map(|(condition, error)| {
            delete = delete
                .clone()
                .condition_expression(condition.expression)
                .set_expression_attribute_names(names(condition.names))
                .set_expression_attribute_values(values(condition.values));
            error
        });
        self.push(
            delete
                .build()
                .map(|d| TransactWriteItem::builder().delete(d).build()),
            conflict,
        )
    }

    fn push<E: std::fmt::Display>(
        mut self,
        action: Result<TransactWriteItem, E>,
        conflict: Option<ApiError>,
    ) -> Self {
        match action {
            Ok(action) => {
                self.actions.push(action);
                self.on_condition_failure.push(conflict);
            }
            // Builders fail only on a missing required field, which is a bug here; keep it
            // visible at commit time rather than panicking mid-request.
            Err(error) => {
                self.actions.clear();
                self.on_condition_failure = vec![Some(ApiError::internal(format!(
                    "transaction build: {error}"
                )))];
            }
        }
        self
    }

    /// Commits all actions or none. A failed condition answers with the error attached to it.
    pub async fn commit(self) -> Result<(), ApiError> {
        if self.actions.is_empty() {
            return match self.on_condition_failure.into_iter().flatten().next() {
                Some(build_error) => Err(build_error),
                None => Ok(()),
            };
        }
        if self.actions.len() > MAX_ACTIONS {
            return Err(ApiError::internal(format!(
                "transaction of {} actions",
                self.actions.len()
            )));
        }
        let result = self
            .db
            .client()
            .transact_write_items()
            .set_transact_items(Some(self.actions))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(service)) => {
                if let TransactWriteItemsError::TransactionCanceledException(cancelled) =
                    service.err()
                {
                    let reasons = cancelled.cancellation_reasons();
                    for (index, reason) in reasons.iter().enumerate() {
                        if reason.code() == Some("ConditionalCheckFailed") {
                            if let Some(Some(error)) =
                                self.on_condition_failure.into_iter().nth(index)
                            {
                                return Err(error);
                            }
                            return Err(ApiError::internal(format!(
                                "unexpected condition failure on action {index}"
                            )));
                        }
                    }
                }
                Err(storage_error(SdkError::ServiceError(service)))
            }
            Err(other) => Err(storage_error(other)),
        }
    }
}
