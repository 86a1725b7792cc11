//! Who may hold a task, held by DynamoDB itself rather than by reads before the writes.
//!
//! The invariant: an open task's assignee is a current member of its project, and a current
//! project member is a user of the project's team. A check read before a write cannot hold
//! it: a removal and an assignment that run at once each read a world where the other has
//! not happened yet, and both commit. So each half is a counter that both sides write, under
//! a condition, in their own transaction:
//!
//! - A member item counts the open tasks of the project assigned to its member
//!   (`open_tasks`). Handing someone an open task adds one, under the condition that they
//!   are a current member; taking a member off the project requires it to be zero.
//! - A user item counts the projects its user is a current member of (`project_count`).
//!   Joining a project adds one, under the condition that the user is in the project's
//!   team; leaving the team requires it to be zero.
//!
//! Of two racing requests, whichever commits second finds the other's write in its
//! condition and is refused: neither commits against a state the other has changed.
//! The counters are signed, so that data written before they existed (where they read as
//! zero) can still leave.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;

use crate::context::AppContext;
use crate::error::ApiError;
use crate::i18n::Msg;
use crate::identity::model::UserRecord;
use crate::keys;
use crate::projects::model::{HistoryRecord, MemberRecord, TaskRecord};
use crate::projects::partition::ProjectData;
use crate::projects::repo::{self, Changes, at_version, version_conflict};
use crate::store::{Change, Condition, MAX_ACTIONS, Transaction};

const OPEN_TASKS: &str = "open_tasks";
const PROJECT_COUNT: &str = "project_count";
/// Two actions a task (the task and its history entry), and room for the member's and the
/// user's items.
const TASKS_PER_TRANSACTION: usize = (MAX_ACTIONS - 2) / 2;
/// Members one transaction can add to or take off a project (two actions each), with room
/// for the project item and an idempotency record.
pub const MAX_MEMBER_CHANGES: usize = (MAX_ACTIONS - 2) / 2;

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

/// Adds `delta` to a counter of the item. A user's version moves with it, so that writes
/// of the whole user under its version cannot put back an older count.
fn add(counter: &str, delta: i64, bump_version: bool) -> Change {
    let expression = if bump_version { "ADD #counter :delta, #version :one" } else { "ADD #counter :delta" };
    let change = Change::new(expression).name("#counter", counter).value(":delta", number(delta));
    if bump_version { change.name("#version", "version").value(":one", number(1)) } else { change }
}

fn former_is(former: bool) -> Condition {
    Condition::new("#former = :former").name("#former", "former").value(":former", AttributeValue::Bool(former))
}

fn not_a_member() -> ApiError {
    ApiError::field("assignee_id", Msg::NotProjectMember)
}

/// Stages a change of who holds an open task: `before` and `after` are the task's open
/// assignees ([`TaskRecord::open_assignee`]) before and after the change. The new holder
/// must still be a current member of the project when the transaction commits; otherwise
/// it fails on `assignee_id`.
pub fn move_assignment(tx: Transaction, project_id: u64, before: Option<u64>, after: Option<u64>) -> Transaction {
    if before == after {
        return tx;
    }
    let mut tx = tx;
    if let Some(old) = before {
        // A member item is never deleted while its project exists: were it missing, ADD
        // would make a stub of it.
        let exists = (Condition::present(), ApiError::internal("the assignee's member item is missing"));
        tx = tx.update(&keys::project_member(project_id, old), add(OPEN_TASKS, -1, false), Some(exists));
    }
    if let Some(new) = after {
        let current = (former_is(false), not_a_member());
        tx = tx.update(&keys::project_member(project_id, new), add(OPEN_TASKS, 1, false), Some(current));
    }
    tx
}

/// Stages a user joining a project: their member item becomes current (new, or a former one
/// again) and their project count grows, provided they are still a user of the project's
/// team when the transaction commits (else 400 on `member_ids`).
pub fn join(tx: Transaction, project_id: u64, team_id: u64, member: &MemberRecord) -> Result<Transaction, ApiError> {
    let current = MemberRecord { former: false, open_tasks: 0, ..member.clone() };
    let not_yet_current = Condition::new("attribute_not_exists(pk) OR #former = :former")
        .name("#former", "former")
        .value(":former", AttributeValue::Bool(true));
    let in_team = Condition::new("#team = :team").name("#team", "team_id").value(":team", number(team_id as i64));
    let stranger = ApiError::field("member_ids", Msg::NotInTeam { user_ids: vec![member.user_id] });
    Ok(tx
        .put(
            repo::member_item(project_id, &current)?,
            Some((not_yet_current, ApiError::conflict("member_ids", Msg::ChangedConcurrently))),
        )
        .update(&keys::user(member.user_id), add(PROJECT_COUNT, 1, true), Some((in_team, stranger))))
}

/// How a member leaves a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// Holding no open task of the project but the ones the same transaction unassigns.
    Unassigning(u64),
    /// Whatever they hold: the project is being deleted with its tasks.
    WithTheProject,
}

/// Stages a current member leaving a project: their member item becomes former (kept, so
/// old tasks still name them) and their project count shrinks. An open task of theirs that
/// this transaction does not unassign refuses the leave with `busy`.
pub fn leave(
    tx: Transaction,
    project_id: u64,
    member: &MemberRecord,
    leaving: Leaving,
    busy: ApiError,
) -> Result<Transaction, ApiError> {
    let former = MemberRecord { former: true, open_tasks: 0, ..member.clone() };
    let condition = match leaving {
        Leaving::Unassigning(count) => {
            Condition::new("#former = :former AND (attribute_not_exists(#open) OR #open <= :unassigned)")
                .name("#former", "former")
                .value(":former", AttributeValue::Bool(false))
                .name("#open", OPEN_TASKS)
                .value(":unassigned", number(count as i64))
        }
        Leaving::WithTheProject => former_is(false),
    };
    Ok(tx.put(repo::member_item(project_id, &former)?, Some((condition, busy))).update(
        &keys::user(member.user_id),
        add(PROJECT_COUNT, -1, true),
        None,
    ))
}

/// Takes a user off a project for good (they are leaving the team): their open tasks there
/// become unassigned, each with a history entry, and they become a former member, in as
/// few transactions as the tasks need. The project is read afresh, and the work started
/// over, when an assignment slips in meanwhile. Returns the tasks it unassigned.
pub async fn leave_unassigning(
    ctx: &AppContext,
    project_id: u64,
    user_id: u64,
    actor: &UserRecord,
    now: Timestamp,
) -> Result<Vec<TaskRecord>, ApiError> {
    let mut unassigned = Vec::new();
    let mut attempts = 0;
    loop {
        let Some(data) = ProjectData::load(&ctx.db, project_id).await? else {
            return Ok(unassigned); // deleted meanwhile
        };
        let Some(member) = data.active_members().find(|m| m.user_id == user_id) else {
            return Ok(unassigned); // already gone
        };
        let open: Vec<&TaskRecord> = data.tasks.iter().filter(|t| t.open_assignee() == Some(user_id)).collect();
        match leave_in_chunks(ctx, project_id, member, &open, actor, now, &mut unassigned).await {
            Err(ApiError::Conflict { .. }) if attempts < 3 => attempts += 1,
            outcome => return outcome.map(|()| unassigned),
        }
    }
}

async fn leave_in_chunks(
    ctx: &AppContext,
    project_id: u64,
    member: &MemberRecord,
    open: &[&TaskRecord],
    actor: &UserRecord,
    now: Timestamp,
    unassigned: &mut Vec<TaskRecord>,
) -> Result<(), ApiError> {
    let chunks: Vec<&[&TaskRecord]> = open.chunks(TASKS_PER_TRANSACTION).collect();
    let (last, earlier) = chunks.split_last().map_or((&[][..], &[][..]), |(last, earlier)| (*last, earlier));
    let member_key = keys::project_member(project_id, member.user_id);
    for chunk in earlier {
        let taken = add(OPEN_TASKS, -(chunk.len() as i64), false);
        unassign(ctx.db.transaction(), chunk, actor, now)?.update(&member_key, taken, None).commit().await?;
        unassigned.extend(chunk.iter().map(|task| (*task).clone()));
    }
    let busy = ApiError::conflict("member_ids", Msg::ChangedConcurrently);
    let tx = unassign(ctx.db.transaction(), last, actor, now)?;
    leave(tx, project_id, member, Leaving::Unassigning(last.len() as u64), busy)?.commit().await?;
    unassigned.extend(last.iter().map(|task| (*task).clone()));
    Ok(())
}

/// Stages taking the assignee off each task, with a history entry, under each task's
/// version. The assignee's `open_tasks` is the caller's to adjust.
fn unassign(
    tx: Transaction,
    tasks: &[&TaskRecord],
    actor: &UserRecord,
    now: Timestamp,
) -> Result<Transaction, ApiError> {
    let mut tx = tx;
    for task in tasks {
        let mut changes = Changes::default();
        for attribute in ["assignee_id", keys::GSI1_PK, keys::GSI1_SK] {
            changes.set_or_remove(attribute, None);
        }
        tx = tx.update(
            &keys::task(task.project_id, task.id),
            changes.into_change(task.version, now),
            Some((at_version(task.version), version_conflict(None))),
        );
        let entry = HistoryRecord {
            id: (task.version + 1) * 100,
            task_id: task.id,
            field_name: "assignee_id".into(),
            old_value: task.assignee_id.map(|id| id.to_string()),
            new_value: None,
            changed_by: actor.id,
            changed_by_name: actor.username.clone(),
            changed_at: now,
        };
        tx = tx.put(repo::history_item(&entry)?, None);
    }
    Ok(tx)
}
