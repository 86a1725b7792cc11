//! Projects as lists and dashboards show them, read without their tasks: the project item
//! with its counts ([`crate::projects::tally`]), its current members, and its overdue tasks
//! from the index of open tasks by due day. A summary costs its project's members and
//! overdue tasks, however many tasks it has.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::dates;
use crate::error::{Error, StoreError};
use crate::identity::model::Role;
use crate::keys;
use crate::projects::model::{MemberRecord, ProjectRecord, TaskRecord};
use crate::projects::progress::is_overdue;
use crate::projects::repo;
use crate::store::{self, GSI2};

#[derive(Debug, Clone)]
pub struct ProjectSummary {
    pub project: ProjectRecord,
    /// Its current members.
    pub members: Vec<MemberRecord>,
    /// Its open tasks past their due day in its team's time zone.
    pub overdue: Vec<TaskRecord>,
    /// Today in its team's time zone.
    pub today: Date,
}

impl ProjectSummary {
    pub fn is_member(&self, user_id: u64) -> bool {
        self.members.iter().any(|m| m.user_id == user_id)
    }
}

/// The project items the caller administers or is on. Admins find theirs in the directory
/// index, project items included (the super admin every team's, or `team_id`'s); members
/// find theirs in the membership index, and their items in one BatchGet.
pub async fn projects_of(ctx: &AppContext, caller: &Caller, team_id: Option<u64>) -> Result<Vec<ProjectRecord>, Error> {
    let directory = |team: Option<u64>| async move {
        let prefix = team.map(keys::team_directory_prefix).unwrap_or_default();
        let items = ctx.db.query_prefix(Some(GSI2), keys::DIRECTORY_PROJECTS, &prefix).await?;
        Ok::<_, Error>(items.into_iter().map(store::from_item).collect::<Result<Vec<_>, StoreError>>()?)
    };
    match (caller.role, caller.team_id) {
        (Role::SuperAdmin, _) => directory(team_id).await,
        (Role::TeamAdmin, Some(team)) => directory(Some(team)).await,
        _ => load_projects(ctx, &repo::projects_of_member(ctx, caller.user_id).await?).await,
    }
}

/// The project items of `ids` that exist, in one BatchGet.
pub async fn load_projects(ctx: &AppContext, ids: &[u64]) -> Result<Vec<ProjectRecord>, Error> {
    let wanted: Vec<keys::Key> = ids.iter().map(|id| keys::project(*id)).collect();
    let found = ctx.db.get_many(&wanted).await?;
    let mut projects: Vec<ProjectRecord> =
        found.into_values().map(store::from_item).collect::<Result<_, StoreError>>()?;
    projects.sort_unstable_by_key(|p| ids.iter().position(|id| *id == p.id));
    Ok(projects)
}

/// Summaries of `projects`, in their order: each one's members and overdue tasks, and the
/// time zones of their teams, read all at once.
pub async fn summarize(
    ctx: &AppContext,
    projects: Vec<ProjectRecord>,
    now: Timestamp,
) -> Result<Vec<ProjectSummary>, Error> {
    let ids: Vec<u64> = projects.iter().map(|p| p.id).collect();
    let parts = SummaryParts::read(ctx, &ids, projects.iter().map(|p| p.team_id), now).await?;
    parts.assemble(ctx, projects, now)
}

/// What summaries are made of besides the project items: each project's members and open
/// tasks due by today, and the time zones of their teams. Read by project id alone, so that
/// it can be read beside the project items themselves.
pub struct SummaryParts {
    by_project: HashMap<u64, (Vec<store::Item>, Vec<store::Item>)>,
    zones: HashMap<u64, String>,
}

impl SummaryParts {
    pub async fn read(
        ctx: &AppContext,
        project_ids: &[u64],
        team_ids: impl IntoIterator<Item = u64>,
        now: Timestamp,
    ) -> Result<SummaryParts, Error> {
        // Tasks due by the latest "today" anywhere; each project keeps those past its own.
        let due_by = keys::due_by_end(dates::latest_today(now));
        let parts = futures_util::future::try_join_all(project_ids.iter().map(|id| {
            let (members, due) = (keys::project_partition(*id), keys::open_dated_partition(*id));
            let due_by = due_by.clone();
            async move {
                let (members, due) = tokio::try_join!(
                    ctx.db.query_prefix(None, &members, keys::MEMBER_PREFIX),
                    ctx.db.query_up_to(Some(GSI2), &due, &due_by)
                )?;
                Ok::<_, StoreError>((*id, (members, due)))
            }
        }));
        let (parts, zones) = tokio::join!(parts, team_zones(ctx, team_ids));
        Ok(SummaryParts { by_project: parts?.into_iter().collect(), zones: zones? })
    }

    /// Whether the parts of every one of `project_ids` were read.
    pub fn covers(&self, mut project_ids: impl Iterator<Item = u64>) -> bool {
        project_ids.all(|id| self.by_project.contains_key(&id))
    }

    /// The summaries of `projects`, in their order, from the parts read for them.
    pub fn assemble(
        mut self,
        ctx: &AppContext,
        projects: Vec<ProjectRecord>,
        now: Timestamp,
    ) -> Result<Vec<ProjectSummary>, Error> {
        projects
            .into_iter()
            .map(|project| {
                let (members, due) = self.by_project.remove(&project.id).unwrap_or_default();
                let zone =
                    self.zones.get(&project.team_id).cloned().unwrap_or_else(|| ctx.settings.default_timezone.clone());
                let today = dates::today_in(&zone, now);
                let members: Vec<MemberRecord> = members
                    .into_iter()
                    .map(store::from_item::<MemberRecord>)
                    .filter(|m| m.as_ref().map_or(true, |m| !m.former))
                    .map(|m| m.map(|m| MemberRecord { project_id: project.id, ..m }))
                    .collect::<Result<_, _>>()?;
                let overdue: Vec<TaskRecord> = due
                    .into_iter()
                    .map(store::from_item::<TaskRecord>)
                    .filter(|t| t.as_ref().map_or(true, |t| is_overdue(t, today)))
                    .collect::<Result<_, _>>()?;
                Ok(ProjectSummary { project, members, overdue, today })
            })
            .collect()
    }
}

/// Time zones of teams, by id, read in one round trip.
pub async fn team_zones(
    ctx: &AppContext,
    team_ids: impl IntoIterator<Item = u64>,
) -> Result<HashMap<u64, String>, Error> {
    let teams = crate::identity::repo::load_teams(&ctx.db, team_ids).await?;
    Ok(teams.into_iter().map(|(id, team)| (id, team.timezone)).collect())
}
