//! The views across the caller's projects (the client's `tasks/list`, `tasks/kanban`,
//! `tasks/gantt`, `tasks/calendar`): the same views as one project's, over every active
//! project the caller is on (admins: that they administer).
//!
//! What they read is what they show. A list shows every task of those projects (others'
//! redacted), so it reads their partitions. A view that groups shows a member only their own
//! tasks and the unassigned ones, so for a member it reads just those, from the index of who
//! holds what: their own tasks in one Query, each project's unassigned ones in one more.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::dates;
use crate::error::{Error, StoreError};
use crate::identity::model::Role;
use crate::keys::{self, Key};
use crate::projects::access::{self, Access};
use crate::projects::model::{LinksRecord, MemberRecord, ProjectRecord, Status, TaskRecord};
use crate::projects::partition::{ProjectData, project_not_found};
use crate::projects::repo;
use crate::projects::seen::{Layout, Seen, TasksSeen};
use crate::projects::summary::{self, team_zones};
use crate::projects::tasks::{self, TaskQuery};
use crate::store::{self, GSI1};
use crate::views::project::{self, Board, Calendar, Gantt, GanttQuery, Month};
use crate::views::{Keep, Whose};

/// What narrows a view across projects; it never widens what the caller may see.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub statuses: Vec<Status>,
    pub search: Option<String>,
    pub project_id: Option<u64>,
    /// Only tasks assigned to this user (`current_user_id`).
    pub assignee: Option<u64>,
    /// The super admin's choice of one team.
    pub team_id: Option<u64>,
}

impl Filter {
    fn keeps(&self) -> impl Fn(&TaskRecord) -> bool + Sync + '_ {
        let needle = self.search.as_deref().map(str::to_lowercase).filter(|s| !s.is_empty());
        move |task: &TaskRecord| {
            (self.statuses.is_empty() || self.statuses.contains(&task.status))
                && needle.as_deref().is_none_or(|n| task.title.to_lowercase().contains(n))
                && self.assignee.is_none_or(|a| task.assignee_id == Some(a))
        }
    }
}

/// The kanban of each project in scope.
pub async fn kanban(ctx: &AppContext, caller: &Caller, filter: &Filter, now: Timestamp) -> Result<Vec<Board>, Error> {
    let keep = filter.keeps();
    let scope = grouping_scope(ctx, caller, filter, now).await?;
    Ok(scope.into_iter().map(|seen| project::board(seen, caller, Whose::All, &keep as &Keep<'_>)).collect())
}

/// The gantt of each project in scope.
pub async fn gantt(
    ctx: &AppContext,
    caller: &Caller,
    filter: &Filter,
    query: GanttQuery,
    now: Timestamp,
) -> Result<Vec<Gantt>, Error> {
    let keep = filter.keeps();
    let scope = grouping_scope(ctx, caller, filter, now).await?;
    Ok(scope.into_iter().map(|seen| project::chart(seen, caller, query, &keep as &Keep<'_>)).collect())
}

/// The calendar of each project in scope for `month` (by default this month in the caller's
/// team's time zone), and the month.
pub async fn calendar(
    ctx: &AppContext,
    caller: &Caller,
    filter: &Filter,
    month: Option<Month>,
    now: Timestamp,
) -> Result<(Month, Vec<Calendar>), Error> {
    if let Some(month) = month {
        month.first_day()?;
    }
    let keep = filter.keeps();
    let (scope, zone) = tokio::try_join!(grouping_scope(ctx, caller, filter, now), callers_zone(ctx, caller))?;
    let month = month.unwrap_or_else(|| Month::of(dates::today_in(&zone, now)));
    let calendars =
        scope.into_iter().map(|seen| project::month_of(seen, caller, month, Whose::All, &keep as &Keep<'_>));
    Ok((month, calendars.collect()))
}

/// The task list of each project in scope, as that project's list shows it.
pub async fn list(
    ctx: &AppContext,
    caller: &Caller,
    filter: &Filter,
    layout: Layout,
    now: Timestamp,
) -> Result<Vec<TasksSeen>, Error> {
    let projects = whole_projects(ctx, caller, filter, now).await?;
    let query = TaskQuery {
        layout,
        statuses: filter.statuses.clone(),
        search: filter.search.clone(),
        assignee: filter.assignee.map_or(tasks::AssigneeFilter::All, tasks::AssigneeFilter::User),
        level: None,
    };
    Ok(projects.into_iter().map(|seen| tasks::select(seen, caller, &query)).collect())
}

/// The projects in scope for a view that groups: whole for admins; for a member, what they
/// may see of each (their own tasks and the unassigned ones).
async fn grouping_scope(
    ctx: &AppContext,
    caller: &Caller,
    filter: &Filter,
    now: Timestamp,
) -> Result<Vec<Seen>, Error> {
    match caller.role {
        Role::SuperAdmin | Role::TeamAdmin => whole_projects(ctx, caller, filter, now).await,
        Role::Member => members_share(ctx, caller, filter, now).await,
    }
}

/// The active projects in scope, each read whole.
async fn whole_projects(
    ctx: &AppContext,
    caller: &Caller,
    filter: &Filter,
    now: Timestamp,
) -> Result<Vec<Seen>, Error> {
    let ids = candidates(ctx, caller, filter).await?;
    let teams = caller.team_id.into_iter().chain(filter.team_id);
    let (loaded, zones) = tokio::join!(
        futures_util::future::try_join_all(ids.iter().map(|id| ProjectData::load(&ctx.db, *id))),
        team_zones(ctx, teams)
    );
    let zones = zones?;
    let mut seen = Vec::new();
    for data in loaded?.into_iter().flatten() {
        let access = access::access(caller, &data);
        if access == Access::None || data.project.is_archived() {
            continue;
        }
        let zone = zones.get(&data.project.team_id).cloned().unwrap_or_else(|| ctx.settings.default_timezone.clone());
        seen.push(Seen { today: dates::today_in(&zone, now), data, access });
    }
    Ok(seen)
}

/// The ids of the projects in scope: those the caller administers (active ones) or is on,
/// narrowed to `project_id` (404 when that one is not among them). A member's come from the
/// membership index alone; whether they are archived shows once they are read.
async fn candidates(ctx: &AppContext, caller: &Caller, filter: &Filter) -> Result<Vec<u64>, Error> {
    let mut ids: Vec<u64> = match caller.role {
        Role::Member => repo::projects_of_member(ctx, caller.user_id).await?,
        Role::SuperAdmin | Role::TeamAdmin => {
            let projects = summary::projects_of(ctx, caller, filter.team_id).await?;
            projects.into_iter().filter(|p| !p.is_archived()).map(|p| p.id).collect()
        }
    };
    if let Some(id) = filter.project_id {
        ids.retain(|p| *p == id);
        if ids.is_empty() {
            return Err(project_not_found());
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

/// What a member may see of each project in scope, for a view that groups: the project,
/// its links, the member themselves, their own tasks and its unassigned ones.
async fn members_share(ctx: &AppContext, caller: &Caller, filter: &Filter, now: Timestamp) -> Result<Vec<Seen>, Error> {
    let own = async {
        let items = ctx.db.query_prefix(Some(GSI1), &keys::assignee_partition(caller.user_id), "").await?;
        items
            .into_iter()
            .map(store::from_item::<TaskRecord>)
            .collect::<Result<Vec<_>, StoreError>>()
            .map_err(Error::from)
    };
    // Each project, its links and the member's own item, in one BatchGet; its unassigned
    // tasks beside it. They go out as soon as the projects are known, while the member's own
    // tasks may still be paging in.
    let projects = async {
        let ids = candidates(ctx, caller, filter).await?;
        let mut wanted: Vec<Key> = Vec::new();
        for id in &ids {
            wanted.extend([keys::project(*id), keys::project_links(*id), keys::project_member(*id, caller.user_id)]);
        }
        let unassigned = futures_util::future::try_join_all(ids.iter().map(|id| {
            let partition = keys::unassigned_partition(*id);
            async move { ctx.db.query_prefix(Some(GSI1), &partition, "").await }
        }));
        let (found, unassigned) = tokio::try_join!(ctx.db.get_many(&wanted), unassigned)?;
        Ok::<_, Error>((ids, found, unassigned))
    };
    let ((ids, found, unassigned), own, zone) = tokio::try_join!(projects, own, callers_zone(ctx, caller))?;
    let read = |key: Key| found.get(&key).cloned();
    let today = dates::today_in(&zone, now);
    let mut seen = Vec::new();
    for (id, unassigned) in ids.into_iter().zip(unassigned) {
        let project = read(keys::project(id)).map(store::from_item::<ProjectRecord>).transpose()?;
        let me = read(keys::project_member(id, caller.user_id)).map(store::from_item::<MemberRecord>).transpose()?;
        let (Some(project), Some(me)) = (project.filter(|p| !p.is_archived()), me.filter(|m| !m.former)) else {
            continue;
        };
        let links = match read(keys::project_links(id)) {
            Some(item) => store::from_item(item)?,
            None => LinksRecord { project_id: id, ..LinksRecord::default() },
        };
        let mut tasks: Vec<TaskRecord> = own.iter().filter(|t| t.project_id == id).cloned().collect();
        for item in unassigned {
            tasks.push(store::from_item(item)?);
        }
        tasks.sort_unstable_by_key(|t| t.id);
        let members = vec![MemberRecord { project_id: id, ..me }];
        let data = ProjectData { project, members, tasks, links };
        seen.push(Seen { data, today, access: Access::Member });
    }
    Ok(seen)
}

/// The caller's team's time zone (the configured default for the super admin).
async fn callers_zone(ctx: &AppContext, caller: &Caller) -> Result<String, Error> {
    let zones: HashMap<u64, String> = team_zones(ctx, caller.team_id).await?;
    Ok(caller.team_id.and_then(|id| zones.get(&id).cloned()).unwrap_or_else(|| ctx.settings.default_timezone.clone()))
}
