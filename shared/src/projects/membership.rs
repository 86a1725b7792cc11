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
use crate::error::{Error, Guard, StoreError};
use crate::identity::model::UserRecord;
use crate::keys;
use crate::projects::model::{HistoryRecord, MemberRecord, TaskRecord};
use crate::projects::partition::ProjectData;
use crate::projects::tally;
use crate::store::{self, Condition, MAX_ACTIONS, Record, Transaction};

const OPEN_TASKS: &str = "open_tasks";
const PROJECT_COUNT: &str = "project_count";
/// Members one transaction can add to or take off a project (two actions each), with room
/// for the project item and an idempotency record.
pub const MAX_MEMBER_CHANGES: usize = (MAX_ACTIONS - 2) / 2;

/// The member is current: on the project, not a former member.
fn is_current() -> Condition {
    Condition::new("#former = :former").name("#former", "former").value(":former", AttributeValue::Bool(false))
}

/// Stages a change of who holds an open task: `before` and `after` are the task's open
/// assignees ([`TaskRecord::open_assignee`]) before and after the change. The new holder
/// must still be a current member of the project when the transaction commits
/// ([`Guard::MemberCurrent`]).
pub fn move_assignment(tx: Transaction, project_id: u64, before: Option<u64>, after: Option<u64>) -> Transaction {
    if before == after {
        return tx;
    }
    let mut tx = tx;
    if let Some(old) = before {
        // A member item is never deleted while its project exists: were it missing, ADD
        // would make a stub of it.
        let exists = (Condition::present(), Guard::Present);
        tx = tx.add(&keys::project_member(project_id, old), OPEN_TASKS, -1, Some(exists));
    }
    if let Some(new) = after {
        tx = tx.add(&keys::project_member(project_id, new), OPEN_TASKS, 1, Some((is_current(), Guard::MemberCurrent)));
    }
    tx
}

/// Adds one to a user's project count, or takes one away. The user's version moves with
/// it, so that leaving the team (under the version it read) cannot miss a join.
fn count_project(tx: Transaction, user_id: u64, delta: i64, condition: Option<(Condition, Guard)>) -> Transaction {
    tx.add_versioned(&keys::user(user_id), PROJECT_COUNT, delta, condition)
}

/// Stages a user joining a project: their member item (`member`, with its project) becomes
/// current (a new one, or a former one again) and their project count grows, provided they
/// are still a user of the project's team when the transaction commits.
pub fn join(tx: Transaction, team_id: u64, member: &MemberRecord) -> Transaction {
    let current = MemberRecord { former: false, open_tasks: 0, ..member.clone() };
    let not_yet_current = Condition::new("attribute_not_exists(pk) OR #former = :former")
        .name("#former", "former")
        .value(":former", AttributeValue::Bool(true));
    let in_team = Condition::new("#team = :team").name("#team", "team_id").value(":team", number(team_id));
    let tx = tx.replace_if(&current, not_yet_current, Guard::NotYetMember);
    count_project(tx, member.user_id, 1, Some((in_team, Guard::UserInTeam(member.user_id))))
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
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
/// this transaction does not unassign refuses the leave ([`Guard::MemberIdle`]).
pub fn leave(tx: Transaction, member: &MemberRecord, leaving: Leaving) -> Transaction {
    let former = MemberRecord { former: true, open_tasks: 0, ..member.clone() };
    let condition = match leaving {
        Leaving::Unassigning(count) => (
            Condition::new("#former = :former AND (attribute_not_exists(#open) OR #open <= :unassigned)")
                .name("#former", "former")
                .value(":former", AttributeValue::Bool(false))
                .name("#open", OPEN_TASKS)
                .value(":unassigned", number(count)),
            Guard::MemberIdle,
        ),
        Leaving::WithTheProject => (is_current(), Guard::Present),
    };
    let tx = tx.replace_if(&former, condition.0, condition.1);
    count_project(tx, member.user_id, -1, None)
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
) -> Result<Vec<TaskRecord>, Error> {
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
        match leave_in_chunks(ctx, member, &open, actor, now, &mut unassigned).await {
            Err(StoreError::Guard(Guard::Version | Guard::MemberIdle)) if attempts < 3 => attempts += 1,
            outcome => return outcome.map(|()| unassigned).map_err(Error::from),
        }
    }
}

async fn leave_in_chunks(
    ctx: &AppContext,
    member: &MemberRecord,
    open: &[&TaskRecord],
    actor: &UserRecord,
    now: Timestamp,
    unassigned: &mut Vec<TaskRecord>,
) -> Result<(), StoreError> {
    // Each transaction also moves the member's count of open tasks and the user's workload;
    // the last takes the member and the user's project count off the project instead.
    let (last, earlier) = store::fit(open, 2, 3);
    for chunk in earlier {
        let taken = -(chunk.len() as i64);
        unassign(ctx.db.transaction(), chunk, actor, now).add(&member.key(), OPEN_TASKS, taken, None).commit().await?;
        unassigned.extend(chunk.iter().map(|task| (*task).clone()));
    }
    let tx = unassign(ctx.db.transaction(), last, actor, now);
    leave(tx, member, Leaving::Unassigning(last.len() as u64)).commit().await?;
    unassigned.extend(last.iter().map(|task| (*task).clone()));
    Ok(())
}

/// Stages taking the assignee off each task, with its history entry, under each task's
/// version. The assignee's `open_tasks` is the caller's to adjust.
fn unassign(tx: Transaction, tasks: &[&TaskRecord], actor: &UserRecord, now: Timestamp) -> Transaction {
    let afters: Vec<TaskRecord> =
        tasks.iter().map(|task| TaskRecord { assignee_id: None, ..(*task).clone() }).collect();
    let changes: Vec<_> = tasks.iter().zip(&afters).map(|(before, after)| (Some(*before), Some(after))).collect();
    let tx = tally::stage_workloads(tx, &changes);
    tasks.iter().zip(afters.clone()).fold(tx, |tx, (task, mut after)| {
        let (tx, changes) = tx.save(*task, &mut after, now);
        let history = HistoryRecord::of_change(&after, &changes, (actor.id, &actor.username), now);
        history.iter().fold(tx, Transaction::replace)
    })
}
