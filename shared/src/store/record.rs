//! Records: the stored types, each of which says next to itself where it lives (its key),
//! which indexes hold it (sparse ones skipped while it has no key there) and when it expires.
//! Every record is written through the one path here: whole when created, and as the
//! difference between its state as read and as changed when updated.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Item;
use super::expr::{Change, Condition};
use crate::error::{Guard, StoreError};
use crate::keys::{self, Key};

/// A stored type.
pub trait Record: Serialize + DeserializeOwned {
    /// Its primary key, derived from its own fields.
    fn key(&self) -> Key;

    /// Its place in each secondary index; `None` keeps it out of that (sparse) index.
    fn index_keys(&self) -> Indexes {
        Indexes::default()
    }

    /// Epoch seconds after which DynamoDB may delete it (the table's TTL attribute).
    fn expires_at(&self) -> Option<i64> {
        None
    }

    /// For a record changed in place under optimistic locking: the version it was read at.
    fn version(&self) -> Option<u64> {
        None
    }

    /// Marks a changed record: its next version, changed at `now`. Records without a
    /// version note nothing.
    fn touch(&mut self, _now: Timestamp) {}
}

/// A record's keys in the table's secondary indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Indexes {
    pub gsi1: Option<IndexKey>,
    pub gsi2: Option<IndexKey>,
    pub gsi3: Option<IndexKey>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    pub pk: String,
    pub sk: String,
}

impl IndexKey {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> IndexKey {
        IndexKey { pk: pk.into(), sk: sk.into() }
    }
}

/// A record as a whole item: its fields, its key, its index keys and its expiry.
pub fn item_of<R: Record>(record: &R) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record).map_err(StoreError::caused)?;
    item.extend(super::key_item(&record.key()));
    let indexes = record.index_keys();
    let index_attributes = [
        (keys::GSI1_PK, keys::GSI1_SK, indexes.gsi1),
        (keys::GSI2_PK, keys::GSI2_SK, indexes.gsi2),
        (keys::GSI3_PK, keys::GSI3_SK, indexes.gsi3),
    ];
    for (pk, sk, key) in index_attributes {
        if let Some(key) = key {
            item.insert(pk.to_owned(), AttributeValue::S(key.pk));
            item.insert(sk.to_owned(), AttributeValue::S(key.sk));
        }
    }
    if let Some(expires_at) = record.expires_at() {
        item.insert(keys::EXPIRES_AT.to_owned(), AttributeValue::N(expires_at.to_string()));
    }
    Ok(item)
}

/// One attribute that differs between two states of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub attribute: String,
    pub before: Option<AttributeValue>,
    pub after: Option<AttributeValue>,
}

impl Changed {
    /// A value as a person reads it in a history: text as it is, numbers as written.
    pub fn text(value: &Option<AttributeValue>) -> Option<String> {
        match value.as_ref()? {
            AttributeValue::S(text) | AttributeValue::N(text) => Some(text.clone()),
            AttributeValue::Bool(flag) => Some(flag.to_string()),
            other => Some(format!("{other:?}")),
        }
    }
}

/// The attributes in which two items differ, in a stable order (by name).
pub fn differences(before: &Item, after: &Item) -> Vec<Changed> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| Changed {
            attribute: name.clone(),
            before: before.get(name).cloned(),
            after: after.get(name).cloned(),
        })
        .collect()
}

/// The one update of a record: what changed from `before` to `after`, and only that, under
/// the condition that the record is still as it was read (at `before`'s version, or for a
/// record without one, still there). `after` is touched first when anything changed, unless
/// the caller moved its version already (a change of what it holds elsewhere, such as a
/// project's member list, that moves the record's version alone).
pub(super) struct Update {
    pub key: Key,
    pub change: Change,
    pub condition: (Condition, Guard),
    pub changes: Vec<Changed>,
}

pub(super) fn update_of<R: Record>(before: &R, after: &mut R, now: Timestamp) -> Result<Option<Update>, StoreError> {
    let old = item_of(before)?;
    if differences(&old, &item_of(after)?).is_empty() {
        return Ok(None);
    }
    if after.version() == before.version() {
        after.touch(now);
    }
    let changes = differences(&old, &item_of(after)?);
    let change = change_of(&changes)?;
    let condition = match before.version() {
        Some(version) => (at_version(version), Guard::Version),
        None => (Condition::present(), Guard::Present),
    };
    Ok(Some(Update { key: before.key(), change, condition, changes }))
}

/// The update that turns `before`'s item into `after`'s, if they differ.
pub(super) fn difference_update<R: Record>(before: &R, after: &R) -> Result<Option<Change>, StoreError> {
    let changes = differences(&item_of(before)?, &item_of(after)?);
    if changes.is_empty() { Ok(None) } else { change_of(&changes).map(Some) }
}

/// SET what changed or came, REMOVE what went.
fn change_of(changes: &[Changed]) -> Result<Change, StoreError> {
    if changes.iter().any(|c| c.attribute == keys::PK || c.attribute == keys::SK) {
        return Err(StoreError::bug("a record's change would move it to another key"));
    }
    let (mut sets, mut removes) = (Vec::new(), Vec::new());
    let mut change = Change::new("");
    for (i, changed) in changes.iter().enumerate() {
        change = change.name(&format!("#a{i}"), &changed.attribute);
        match &changed.after {
            Some(value) => {
                sets.push(format!("#a{i} = :a{i}"));
                change = change.value(&format!(":a{i}"), value.clone());
            }
            None => removes.push(format!("#a{i}")),
        }
    }
    let mut expression = Vec::new();
    if !sets.is_empty() {
        expression.push(format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        expression.push(format!("REMOVE {}", removes.join(", ")));
    }
    Ok(change.expression(&expression.join(" ")))
}

/// An update that sets every attribute `fields` serializes to.
pub(super) fn patch_of<P: Serialize>(fields: &P) -> Result<Change, StoreError> {
    let item: Item = serde_dynamo::to_item(fields).map_err(StoreError::caused)?;
    let mut change = Change::new("");
    let mut sets = Vec::new();
    for (i, (attribute, value)) in item.into_iter().enumerate() {
        sets.push(format!("#p{i} = :p{i}"));
        change = change.name(&format!("#p{i}"), &attribute).value(&format!(":p{i}"), value);
    }
    if sets.is_empty() {
        return Err(StoreError::bug("a patch of no attributes"));
    }
    Ok(change.expression(&format!("SET {}", sets.join(", "))))
}

/// The attribute a versioned record keeps its version in (its `version` field).
pub(super) const VERSION: &str = "version";

/// The record is still at `version` (records written before they had one read as 0).
pub fn at_version(version: u64) -> Condition {
    let expression =
        if version == 0 { "attribute_not_exists(#version) OR #version = :version" } else { "#version = :version" };
    Condition::new(expression).name("#version", VERSION).value(":version", AttributeValue::N(version.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Clone, Serialize, Deserialize)]
    struct Note {
        id: u64,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pinned_by: Option<u64>,
    }

    impl Record for Note {
        fn key(&self) -> Key {
            keys::notification(1, self.id)
        }

        fn index_keys(&self) -> Indexes {
            Indexes {
                gsi1: self.pinned_by.map(|user| IndexKey::new(format!("PIN#{user}"), "NOTE")),
                ..Indexes::default()
            }
        }
    }

    #[test]
    fn an_item_holds_its_keys_and_only_the_indexes_it_is_in() {
        let note = Note { id: 7, text: "hi".into(), pinned_by: None };
        let item = item_of(&note).unwrap();
        assert_eq!(item["pk"], AttributeValue::S(keys::notification(1, 7).pk));
        assert!(!item.contains_key(keys::GSI1_PK), "sparse: no key, no index entry");
        let pinned = item_of(&Note { pinned_by: Some(3), ..note }).unwrap();
        assert_eq!(pinned[keys::GSI1_PK], AttributeValue::S("PIN#3".into()));
    }

    #[test]
    fn differences_name_what_changed_and_what_went() {
        let before = item_of(&Note { id: 7, text: "hi".into(), pinned_by: Some(3) }).unwrap();
        let after = item_of(&Note { id: 7, text: "hello".into(), pinned_by: None }).unwrap();
        let changed: Vec<String> = differences(&before, &after).into_iter().map(|c| c.attribute).collect();
        assert_eq!(changed, vec![keys::GSI1_PK, keys::GSI1_SK, "pinned_by", "text"]);
        assert!(differences(&before, &before).is_empty());
    }
}
