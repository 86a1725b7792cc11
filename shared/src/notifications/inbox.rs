//! The inbox: writing notifications with the change that causes them, and the owner's
//! routes over them. Every route addresses the caller's own partition, so another user's
//! notification id simply does not exist there (404).

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::error::{Error, Guard};
use crate::events::NoticeRef;
use crate::keys;
use crate::messages::Msg;
use crate::notifications::model::{Draft, NotificationRecord, RETENTION_DAYS};
use crate::paging::{Page, PageRequest};
use crate::store::{self, Change, Condition, Transaction};

pub fn not_found() -> Error {
    Error::NotFound { msg: Msg::NotificationNotFound, fields: Default::default() }
}

/// Adds the drafts to a transaction as inbox items (their ids from one counter update),
/// so they commit exactly when the change that causes them does.
pub async fn stage(
    ctx: &AppContext,
    tx: Transaction,
    drafts: Vec<Draft>,
    now: Timestamp,
) -> Result<(Transaction, Vec<NoticeRef>), Error> {
    if drafts.is_empty() {
        return Ok((tx, Vec::new()));
    }
    let mut ids = ctx.db.next_ids("notification", drafts.len() as u64).await?;
    stage_with_ids(tx, drafts, &mut ids, now)
}

/// [`stage`] with ids taken from a block allocated beforehand (one counter update for many
/// changes). Fails if the block runs out, which is a bug of the caller's count.
pub fn stage_with_ids(
    tx: Transaction,
    drafts: Vec<Draft>,
    ids: &mut impl Iterator<Item = u64>,
    now: Timestamp,
) -> Result<(Transaction, Vec<NoticeRef>), Error> {
    let expires_at = (now + SignedDuration::from_hours(24 * RETENTION_DAYS)).as_second();
    let mut tx = tx;
    let mut refs = Vec::new();
    for draft in drafts {
        let id = ids.next().ok_or_else(|| Error::bug("notification ids ran out"))?;
        let record = NotificationRecord {
            id,
            user_id: draft.user_id,
            kind: draft.kind,
            subject: draft.subject,
            actor_name: draft.actor_name,
            task_id: draft.task_id,
            project_id: draft.project_id,
            status: draft.status,
            count: draft.count,
            is_read: false,
            created_at: now,
            expires_at,
        };
        tx = tx.create(&record, Guard::Fresh);
        refs.push(NoticeRef { id, user_id: record.user_id });
    }
    Ok((tx, refs))
}

/// One notification of a user, if it is still kept.
pub async fn load(
    ctx: &AppContext,
    user_id: u64,
    id: u64,
    now: Timestamp,
) -> Result<Option<NotificationRecord>, Error> {
    let record: Option<NotificationRecord> = ctx.db.get(&keys::notification(user_id, id)).await?;
    Ok(record.filter(|r| r.is_live(now)))
}

/// Every live notification of a user, newest first.
async fn all_of(ctx: &AppContext, user_id: u64, now: Timestamp) -> Result<Vec<NotificationRecord>, Error> {
    let items = ctx.db.query_prefix(None, &keys::inbox_partition(user_id), keys::NOTE_PREFIX).await?;
    let mut records = Vec::new();
    // Oldest first from the Query (ids ascend); expired ones may linger until TTL sweeps.
    for item in items.into_iter().rev() {
        let record: NotificationRecord = store::from_item(item)?;
        if record.is_live(now) {
            records.push(record);
        }
    }
    Ok(records)
}

/// A page of a user's inbox, and how many of all its notifications are unread.
#[derive(Debug)]
pub struct Inbox {
    pub unread_count: usize,
    pub page: Page<NotificationRecord>,
}

/// The caller's notifications, newest first, optionally only read or unread ones, with the
/// count of unread ones (seed 001 §7.1).
pub async fn list(
    ctx: &AppContext,
    caller: &Caller,
    is_read: Option<bool>,
    page: PageRequest,
    now: Timestamp,
) -> Result<Inbox, Error> {
    let records = all_of(ctx, caller.user_id, now).await?;
    let unread_count = records.iter().filter(|r| !r.is_read).count();
    let matching: Vec<NotificationRecord> =
        records.into_iter().filter(|r| is_read.is_none_or(|wanted| r.is_read == wanted)).collect();
    Ok(Inbox { unread_count, page: page.slice(matching) })
}

fn mark_read_change() -> Change {
    Change::new("SET #read = :true").name("#read", "is_read").value(":true", AttributeValue::Bool(true))
}

#[derive(Debug, Serialize)]
pub struct ReadState {
    pub id: u64,
    pub is_read: bool,
}

/// Marks one of the caller's notifications read (seed 001 §7.2); marking it again is fine.
pub async fn mark_read(ctx: &AppContext, caller: &Caller, id: u64, now: Timestamp) -> Result<ReadState, Error> {
    let marked = ctx.db.update(&keys::notification(caller.user_id, id), mark_read_change(), Some(kept(now))).await?;
    if !marked {
        return Err(not_found());
    }
    Ok(ReadState { id, is_read: true })
}

#[derive(Debug, Serialize)]
pub struct MarkedCount {
    pub marked_count: usize,
}

/// Marks all of the caller's unread notifications read (seed 001 §7.3). The count is of
/// those this call changed: a concurrent mark of the same item is counted once.
pub async fn mark_all_read(ctx: &AppContext, caller: &Caller, now: Timestamp) -> Result<MarkedCount, Error> {
    let unread: Vec<u64> =
        all_of(ctx, caller.user_id, now).await?.into_iter().filter(|r| !r.is_read).map(|r| r.id).collect();
    let mut marked_count = 0;
    // Single conditional updates, a batch at a time in parallel: a transaction would fail
    // as a whole on one concurrent change, and read-all needs no atomicity.
    for chunk in unread.chunks(25) {
        let results = futures_util::future::try_join_all(chunk.iter().map(|id| async move {
            let unread_still =
                Condition::new("#read = :false").name("#read", "is_read").value(":false", AttributeValue::Bool(false));
            ctx.db.update(&keys::notification(caller.user_id, *id), mark_read_change(), Some(unread_still)).await
        }))
        .await?;
        marked_count += results.into_iter().filter(|changed| *changed).count();
    }
    Ok(MarkedCount { marked_count })
}

/// Deletes one of the caller's notifications (seed 001 §7.4).
pub async fn delete(ctx: &AppContext, caller: &Caller, id: u64, now: Timestamp) -> Result<(), Error> {
    if ctx.db.delete_if(&keys::notification(caller.user_id, id), kept(now)).await? { Ok(()) } else { Err(not_found()) }
}

/// The write's condition: the notification exists and has not expired (DynamoDB's TTL
/// sweep may lag), so one conditional write both checks and changes.
fn kept(now: Timestamp) -> Condition {
    Condition::new("attribute_exists(pk) AND #expires > :now")
        .name("#expires", keys::EXPIRES_AT)
        .value(":now", AttributeValue::N(now.as_second().to_string()))
}
