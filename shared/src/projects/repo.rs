//! The reads every project route starts with, and what a lost race on a version means.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::dates;
use crate::error::{Error, StoreError};
use crate::identity::model::TeamRecord;
use crate::keys;
use crate::projects::model::{HistoryRecord, TaskPointer};
use crate::projects::partition::{ProjectData, project_not_found, task_not_found};
use crate::store::{self, GSI1};

/// 412 when the client's `If-Match` names another version than the one read.
pub fn check_version(current: u64, if_match: Option<u64>) -> Result<(), Error> {
    match if_match {
        Some(expected) if expected != current => Err(Error::Stale),
        _ => Ok(()),
    }
}

/// What a lost race on a record's version means when the client named the version it read
/// (`If-Match`): 412, not the 409 of [`Guard::meaning`] (someone else got there first).
pub fn version_lost(if_match: Option<u64>) -> Option<Error> {
    if_match.map(|_| Error::Stale)
}

/// A project and "today" in its team's time zone, read in one round trip when the team is
/// known up front: from `team_hint` (a task's pointer) or else the caller's own team (the
/// project's, for everyone but the super admin).
pub async fn load_project(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    team_hint: Option<u64>,
    now: Timestamp,
) -> Result<(ProjectData, Date), Error> {
    load_project_in(ctx, project_id, team_hint.or(caller.team_id), now).await
}

/// [`load_project`] for a project whose team may be `team_hint`.
pub async fn load_project_in(
    ctx: &AppContext,
    project_id: u64,
    team_hint: Option<u64>,
    now: Timestamp,
) -> Result<(ProjectData, Date), Error> {
    let (data, team) = tokio::join!(ProjectData::load(&ctx.db, project_id), team(ctx, team_hint));
    let data = data?.ok_or_else(project_not_found)?;
    let team = match team? {
        Some(team) if team.id == data.project.team_id => Some(team),
        _ => ctx.db.get::<TeamRecord>(&keys::team(data.project.team_id)).await?,
    };
    let zone = team.map_or_else(|| ctx.settings.default_timezone.clone(), |t| t.timezone);
    Ok((data, dates::today_in(&zone, now)))
}

async fn team(ctx: &AppContext, team_id: Option<u64>) -> Result<Option<TeamRecord>, Error> {
    match team_id {
        Some(id) => Ok(ctx.db.get(&keys::team(id)).await?),
        None => Ok(None),
    }
}

/// The projects a user is currently on, from the membership index.
pub async fn projects_of_member(ctx: &AppContext, user_id: u64) -> Result<Vec<u64>, Error> {
    let items = ctx.db.query_prefix(Some(GSI1), &keys::memberships_partition(user_id), "").await?;
    Ok(items.iter().filter_map(|item| keys::id_of(&store::string_attr(item, keys::GSI1_SK))).collect())
}

/// The project a task id belongs to, and that project's team when known.
pub async fn project_of_task(ctx: &AppContext, task_id: u64) -> Result<(u64, Option<u64>), Error> {
    let pointer = pointer_of(ctx, task_id).await?;
    Ok((pointer.project_id, pointer.team_id))
}

/// Where a task id is: its project, the project's team and the task's creator.
pub async fn pointer_of(ctx: &AppContext, task_id: u64) -> Result<TaskPointer, Error> {
    ctx.db.get(&keys::task_pointer(task_id)).await?.ok_or_else(task_not_found)
}

pub async fn history_of(ctx: &AppContext, task_id: u64) -> Result<Vec<HistoryRecord>, Error> {
    let items = ctx.db.query_prefix(None, &keys::task_partition(task_id), keys::HISTORY_PREFIX).await?;
    let mut entries: Vec<HistoryRecord> = items.into_iter().map(store::from_item).collect::<Result<_, StoreError>>()?;
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.id));
    Ok(entries)
}
