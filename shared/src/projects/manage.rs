//! Project operations: list, create, read, change, archive, delete, members, progress.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::dates::check_span;
use crate::error::{Error, FieldErrors, Guard};
use crate::events::{DomainEvent, EventDetail, EventKind};
use crate::identity::model::{Role, TeamRecord, UserRecord};
use crate::keys::{self, Key};
use crate::messages::Msg;
use crate::paging::{Page, PageRequest};
use crate::plan::Plan;
use crate::projects::access::{self, Access};
use crate::projects::attachments::{self, AttachmentRecord};
use crate::projects::membership::{self, Leaving, MAX_MEMBER_CHANGES};
use crate::projects::model::{LinksRecord, MemberRecord, ProjectRecord, ProjectTally, Status, TaskRecord};
use crate::projects::partition::ProjectData;
use crate::projects::progress::{self, TaskStats};
use crate::projects::repo::{self, check_version, version_lost};
use crate::projects::seen::Seen;
use crate::projects::summary::{self, ProjectSummary};
use crate::projects::tally;
use crate::store::{self, Record};

/// What the list shows: `status`, archived or not, and a title search.
#[derive(Debug, Default)]
pub struct ProjectFilter {
    pub status: Option<Status>,
    pub archived: bool,
    pub search: Option<String>,
}

/// The projects the caller may see, newest first, one page: summaries, read without their
/// tasks.
pub async fn list_projects(
    ctx: &AppContext,
    caller: &Caller,
    filter: ProjectFilter,
    page: PageRequest,
    now: Timestamp,
) -> Result<Page<ProjectSummary>, Error> {
    let needle = filter.search.as_deref().map(str::to_lowercase).filter(|s| !s.is_empty());
    let wanted = |project: &ProjectRecord| {
        project.is_archived() == filter.archived
            && filter.status.is_none_or(|s| s == project.status)
            && needle.as_deref().is_none_or(|n| project.title.to_lowercase().contains(n))
    };
    let (mut projects, parts) = listed_projects(ctx, caller, page, now).await?;
    projects.retain(|p| wanted(p));
    projects.sort_unstable_by_key(|p| std::cmp::Reverse(p.id));
    let total = projects.len() as u64;
    let shown = page.slice(projects);
    let summaries = match parts {
        Some(parts) if parts.covers(shown.items.iter().map(|p| p.id)) => parts.assemble(ctx, shown.items, now)?,
        _ => summary::summarize(ctx, shown.items, now).await?,
    };
    let visible =
        |s: &ProjectSummary| access::access_to(caller, &s.project, s.is_member(caller.user_id)) != Access::None;
    Ok(page.with_total(summaries.into_iter().filter(visible).collect(), total))
}

/// The projects a list starts from and, for a member, the summaries' parts of the page it
/// most likely shows, read beside the project items: the list then costs two round trips
/// (the memberships, then the rest) and reads a page's worth of parts. The guess is the page
/// as it would be if the list's filter left none of their projects out (the newest first);
/// where it does, the page's parts are read after, a third trip.
async fn listed_projects(
    ctx: &AppContext,
    caller: &Caller,
    page: PageRequest,
    now: Timestamp,
) -> Result<(Vec<ProjectRecord>, Option<summary::SummaryParts>), Error> {
    if caller.role.is_admin() {
        return Ok((summary::projects_of(ctx, caller, None).await?, None));
    }
    let mut ids = repo::projects_of_member(ctx, caller.user_id).await?;
    ids.sort_unstable_by_key(|id| std::cmp::Reverse(*id));
    let likely_page = page.slice(ids.clone()).items;
    let (projects, parts) = tokio::try_join!(
        summary::load_projects(ctx, &ids),
        summary::SummaryParts::read(ctx, &likely_page, caller.team_id, now)
    )?;
    Ok((projects, Some(parts)))
}

/// A new project (seed 001 §3.2).
pub struct NewProject {
    /// Required from the super admin, who belongs to no team; a team admin's own team.
    pub team_id: Option<u64>,
    pub title: String,
    pub description: String,
    pub status: Status,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub member_ids: Vec<u64>,
}

pub async fn create_project(
    ctx: &AppContext,
    caller: &Caller,
    input: NewProject,
    now: Timestamp,
) -> Result<Plan<Seen>, Error> {
    let team_id = match (caller.role, caller.team_id, input.team_id) {
        (Role::SuperAdmin, _, Some(team)) => team,
        (Role::SuperAdmin, _, None) => return Err(Error::field("team_id", Msg::TeamIdRequired)),
        (Role::TeamAdmin, Some(own), None) => own,
        (Role::TeamAdmin, Some(own), Some(team)) if team == own => own,
        _ => return Err(Error::forbidden()),
    };
    check_span(input.start_date, input.end_date)?;
    // The creator may be one of the members: each key is read once.
    let mut wanted: Vec<Key> = vec![keys::team(team_id), keys::user(caller.user_id)];
    wanted.extend(input.member_ids.iter().filter(|id| **id != caller.user_id).map(|id| keys::user(*id)));
    let mut found = ctx.db.get_many(&wanted).await?;
    let team: TeamRecord = found
        .remove(&keys::team(team_id))
        .map(store::from_item)
        .transpose()?
        .ok_or_else(|| Error::field("team_id", Msg::TeamNotFound))?;
    let creator: UserRecord = store::from_item(
        found.get(&keys::user(caller.user_id)).cloned().ok_or_else(crate::identity::repo::user_not_found)?,
    )?;
    let members = team_members(&found, &input.member_ids, team.id)?;

    let project = ProjectRecord {
        id: ctx.db.next_id("project").await?,
        team_id: team.id,
        title: input.title,
        description: input.description,
        status: input.status,
        start_date: input.start_date,
        end_date: input.end_date,
        archived_at: None,
        created_by: creator.id,
        created_by_name: creator.username,
        created_at: now,
        updated_at: now,
        version: 1,
        tally: ProjectTally::default(),
    };
    let members = members.into_iter().map(|member| MemberRecord { project_id: project.id, ..member }).collect();
    let links = LinksRecord { project_id: project.id, ..LinksRecord::default() };
    let data = ProjectData { project, members, tasks: Vec::new(), links };
    let mut tx = ctx.db.transaction().create(&data.project, Guard::Fresh);
    for member in &data.members {
        tx = membership::join(tx, team.id, member);
    }
    let event = project_event(EventKind::ProjectCreated, caller, &data.project);
    let access = access::access(caller, &data);
    Ok(Plan::new(tx, Seen { today: crate::dates::today_in(&team.timezone, now), data, access }).announce(event))
}

/// The event of a change of a project.
fn project_event(kind: EventKind, caller: &Caller, project: &ProjectRecord) -> DomainEvent {
    DomainEvent::new(kind, EventDetail::by(caller.user_id).in_project(project.team_id, project.id))
}

/// Members for `ids`, who must all be users of `team_id`: 422 (2003) for none, 400 naming
/// those who are not.
fn team_members(found: &HashMap<Key, store::Item>, ids: &[u64], team_id: u64) -> Result<Vec<MemberRecord>, Error> {
    if ids.is_empty() {
        return Err(Error::Rule {
            msg: Msg::AtLeastOneMember,
            fields: FieldErrors::single("member_ids", Msg::AtLeastOneMember),
        });
    }
    too_many_changes(ids.len())?;
    let mut members = Vec::new();
    let mut strangers = Vec::new();
    for id in ids {
        let user: Option<UserRecord> = found.get(&keys::user(*id)).cloned().map(store::from_item).transpose()?;
        match user.filter(|u| u.team_id == Some(team_id)) {
            Some(user) => members.push(MemberRecord {
                user_id: user.id,
                username: user.username,
                avatar: user.avatar,
                role: user.role,
                former: false,
                open_tasks: 0,
                project_id: 0,
            }),
            None => strangers.push(*id),
        }
    }
    if strangers.is_empty() {
        Ok(members)
    } else {
        Err(Error::field("member_ids", Msg::NotInTeam { user_ids: strangers }))
    }
}

pub async fn get_project(ctx: &AppContext, caller: &Caller, project_id: u64, now: Timestamp) -> Result<Seen, Error> {
    let (data, today) = repo::load_project(ctx, caller, project_id, None, now).await?;
    let access = access::require_visible(caller, &data)?;
    Ok(Seen { data, today, access })
}

/// A partial change (seed 001 §3.4); `None` leaves a field, `Some(None)` clears a date.
#[derive(Debug, Default)]
pub struct ProjectPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<Status>,
    pub start_date: Option<Option<Date>>,
    pub end_date: Option<Option<Date>>,
}

/// Applies a patch, writing only the attributes that change. With `if_match`, refuses (412)
/// unless the project is still at that version.
pub async fn update_project(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    patch: ProjectPatch,
    if_match: Option<u64>,
    now: Timestamp,
) -> Result<Plan<Seen>, Error> {
    let (mut data, today) = repo::load_project(ctx, caller, project_id, None, now).await?;
    access::require_admin(caller, &data)?;
    access::require_writable(&data.project)?;
    check_version(data.project.version, if_match)?;
    let before = data.project.clone();
    let ProjectPatch { title, description, status, start_date, end_date } = patch;
    let project = &mut data.project;
    project.title = title.unwrap_or(std::mem::take(&mut project.title));
    project.description = description.unwrap_or(std::mem::take(&mut project.description));
    project.status = status.unwrap_or(project.status);
    project.start_date = start_date.unwrap_or(project.start_date);
    project.end_date = end_date.unwrap_or(project.end_date);
    check_span(project.start_date, project.end_date)?;
    let (tx, changes) = ctx.db.transaction().save(&before, project, now);
    let event = (!changes.is_empty()).then(|| project_event(EventKind::ProjectUpdated, caller, &data.project));
    Ok(with_stale(Plan::new(tx, Seen { data, today, access: Access::Admin }).announce_all(event), if_match))
}

/// Archives a project: from then on it and its tasks are read-only. Archiving an archived
/// project changes nothing.
pub async fn archive_project(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    if_match: Option<u64>,
    now: Timestamp,
) -> Result<Plan<Seen>, Error> {
    let (mut data, today) = repo::load_project(ctx, caller, project_id, None, now).await?;
    access::require_admin(caller, &data)?;
    check_version(data.project.version, if_match)?;
    let mut tx = ctx.db.transaction();
    let mut event = None;
    if !data.project.is_archived() {
        let before = data.project.clone();
        data.project.archived_at = Some(now);
        tx = tx.save(&before, &mut data.project, now).0;
        event = Some(project_event(EventKind::ProjectArchived, caller, &data.project));
    }
    let plan = Plan::new(tx, Seen { data, today, access: Access::Admin }).announce_all(event);
    Ok(with_stale(plan, if_match))
}

/// Deletes an archived project and everything under it: the super admin only. Tasks'
/// pointers and histories go first and the project item last, so an interrupted delete
/// leaves a project that can simply be deleted again. The plan left only announces it.
pub async fn delete_project(ctx: &AppContext, caller: &Caller, project_id: u64) -> Result<Plan<()>, Error> {
    let data = ProjectData::load_existing(&ctx.db, project_id).await?;
    access::require_visible(caller, &data)?;
    if caller.role != Role::SuperAdmin {
        return Err(Error::forbidden());
    }
    if !data.project.is_archived() {
        return Err(Error::rule("is_archived", Msg::OnlyArchivedCanBeDeleted));
    }
    // Each task's own partition (pointer, history, attachments), read in parallel. The
    // attachments' objects and other items go first, while the partitions still list them.
    let partitions: Vec<String> = data.tasks.iter().map(|task| keys::task_partition(task.id)).collect();
    let task_partitions =
        futures_util::future::try_join_all(partitions.iter().map(|pk| ctx.db.query_prefix(None, pk, ""))).await?;
    let attached: Vec<AttachmentRecord> = task_partitions
        .iter()
        .flatten()
        .filter(|item| store::string_attr(item, keys::SK).starts_with(keys::ATTACHMENT_PREFIX))
        .map(|item| store::from_item(item.clone()))
        .collect::<Result<_, _>>()?;
    attachments::remove_all(ctx, &attached).await?;
    let mut keys_to_delete: Vec<Key> = task_partitions
        .iter()
        .flatten()
        .map(|item| Key { pk: store::string_attr(item, keys::PK), sk: store::string_attr(item, keys::SK) })
        .filter(|key| !key.sk.starts_with(keys::ATTACHMENT_PREFIX))
        .collect();
    // Its members leave it first, so that their project counts stay true (and a delete cut
    // short here is simply repeated).
    let members: Vec<&MemberRecord> = data.active_members().collect();
    let (first, rest) = store::fit(&members, 2, 0);
    for chunk in std::iter::once(first).chain(rest) {
        let mut tx = ctx.db.transaction();
        for member in chunk {
            tx = membership::leave(tx, member, Leaving::WithTheProject);
        }
        tx.commit().await?;
    }
    // Tasks go in transactions that also take them off their assignees' workloads, so that
    // a delete cut short and repeated counts each task once.
    let tasks: Vec<&TaskRecord> = data.tasks.iter().collect();
    let (first, rest) = store::fit(&tasks, 2, 0);
    for chunk in std::iter::once(first).chain(rest) {
        let changes: Vec<_> = chunk.iter().map(|task| (Some(*task), None)).collect();
        let tx = chunk.iter().fold(ctx.db.transaction(), |tx, task| tx.delete(&task.key(), None));
        tally::stage_workloads(tx, &changes).commit().await?;
    }
    keys_to_delete.extend(data.members.iter().map(|m| keys::project_member(project_id, m.user_id)));
    keys_to_delete.push(keys::project_links(project_id));
    ctx.db.delete_all(&keys_to_delete).await?;
    ctx.db.delete(&keys::project(project_id)).await?;
    Ok(Plan::new(ctx.db.transaction(), ()).announce(project_event(EventKind::ProjectDeleted, caller, &data.project)))
}

/// Replaces the member list (seed 001 §3.8). A member who still has open tasks in the
/// project cannot be removed (422 naming the tasks): not even by an assignment that races
/// the removal (see `membership`). Removed members keep a `former` item, so their finished
/// tasks still show who did them.
pub async fn set_members(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    member_ids: Vec<u64>,
    if_match: Option<u64>,
    now: Timestamp,
) -> Result<Plan<Seen>, Error> {
    let (mut data, today) = repo::load_project(ctx, caller, project_id, None, now).await?;
    access::require_admin(caller, &data)?;
    access::require_writable(&data.project)?;
    check_version(data.project.version, if_match)?;
    let wanted: Vec<Key> = member_ids.iter().map(|id| keys::user(*id)).collect();
    let found = if wanted.is_empty() { HashMap::new() } else { ctx.db.get_many(&wanted).await? };
    let new_members = team_members(&found, &member_ids, data.project.team_id)?;
    let joining: Vec<&MemberRecord> = new_members.iter().filter(|m| !data.is_member(m.user_id)).collect();
    let leaving: Vec<&MemberRecord> = data.active_members().filter(|m| !member_ids.contains(&m.user_id)).collect();
    let has_open_tasks = |task_ids: Vec<u64>| Error::rule("member_ids", Msg::MembersHaveOpenTasks { task_ids });
    let blocking: Vec<u64> = data
        .tasks
        .iter()
        .filter(|t| t.open_assignee().is_some_and(|a| leaving.iter().any(|m| m.user_id == a)))
        .map(|t| t.id)
        .collect();
    if !blocking.is_empty() {
        return Err(has_open_tasks(blocking));
    }
    too_many_changes(joining.len() + leaving.len())?;
    let mut tx = ctx.db.transaction();
    for member in &joining {
        tx = membership::join(tx, data.project.team_id, &MemberRecord { project_id, ..(*member).clone() });
    }
    for member in &leaving {
        // An assignment that slips in after the read above is caught here.
        tx = membership::leave(tx, member, Leaving::Unassigning(0));
    }
    // The project's version moves with its member list, so a stale If-Match fails here too.
    let before = data.project.clone();
    let mut after = before.clone();
    after.touch(now);
    let (tx, _) = tx.save(&before, &mut after, now);
    let former: Vec<MemberRecord> = data
        .members
        .iter()
        .filter(|m| !member_ids.contains(&m.user_id))
        .map(|m| MemberRecord { former: true, ..m.clone() })
        .collect();
    data.members = new_members.into_iter().chain(former).collect();
    data.project = after;
    let event = project_event(EventKind::ProjectMembersChanged, caller, &data.project);
    let plan = Plan::new(tx, Seen { data, today, access: Access::Admin }).announce(event);
    Ok(with_stale(plan, if_match))
}

/// With `If-Match`, a version lost to someone else is stale (412).
fn with_stale<T>(plan: Plan<T>, if_match: Option<u64>) -> Plan<T> {
    match version_lost(if_match) {
        Some(stale) => plan.meaning(Guard::Version, stale),
        None => plan,
    }
}

/// One transaction changes the members of a project, two actions each.
fn too_many_changes(count: usize) -> Result<(), Error> {
    if count > MAX_MEMBER_CHANGES {
        return Err(Error::field("member_ids", Msg::TooMany { max: MAX_MEMBER_CHANGES }));
    }
    Ok(())
}

/// Seed 001 §3.7: progress for the project's admins.
#[derive(Debug, Serialize)]
pub struct ProjectProgress {
    pub project_id: u64,
    pub project_title: String,
    pub overall_progress: f64,
    pub main_tasks: TaskStats,
    pub member_progress: Vec<MemberProgress>,
    pub overdue_tasks: Vec<OverdueTask>,
}

#[derive(Debug, Serialize)]
pub struct MemberProgress {
    pub user_id: u64,
    pub username: String,
    pub assigned_tasks: usize,
    pub completed_tasks: usize,
    pub completion_rate: f64,
}

#[derive(Debug, Serialize)]
pub struct OverdueTask {
    pub id: u64,
    pub title: String,
    pub assignee: Option<String>,
    pub end_date: Option<Date>,
}

pub async fn project_progress(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    now: Timestamp,
) -> Result<ProjectProgress, Error> {
    let (data, today) = repo::load_project(ctx, caller, project_id, None, now).await?;
    access::require_admin(caller, &data)?;
    let member_progress = data
        .active_members()
        .map(|member| {
            let assigned: Vec<_> = data.tasks.iter().filter(|t| t.assignee_id == Some(member.user_id)).collect();
            let completed = assigned.iter().filter(|t| t.status == Status::Completed).count();
            let rate = if assigned.is_empty() {
                0.0
            } else {
                progress::round1(100.0 * completed as f64 / assigned.len() as f64)
            };
            MemberProgress {
                user_id: member.user_id,
                username: member.username.clone(),
                assigned_tasks: assigned.len(),
                completed_tasks: completed,
                completion_rate: rate,
            }
        })
        .collect();
    let overdue_tasks = data
        .tasks
        .iter()
        .filter(|t| progress::is_overdue(t, today))
        .map(|t| OverdueTask {
            id: t.id,
            title: t.title.clone(),
            assignee: t.assignee_id.and_then(|id| data.person(id)).map(|p| p.username.clone()),
            end_date: t.end_date,
        })
        .collect();
    Ok(ProjectProgress {
        project_id: data.project.id,
        project_title: data.project.title.clone(),
        overall_progress: data.project.tally.progress(),
        main_tasks: TaskStats::of(data.tasks.iter().filter(|t| t.level == 1), today),
        member_progress,
        overdue_tasks,
    })
}

/// Supplement 4.12: task counts for anyone on the project.
pub async fn task_counts(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    now: Timestamp,
) -> Result<TaskStats, Error> {
    let (data, today) = repo::load_project(ctx, caller, project_id, None, now).await?;
    access::require_visible(caller, &data)?;
    let overdue = data.tasks.iter().filter(|t| progress::is_overdue(t, today)).count();
    Ok(TaskStats::counted(&data.project.tally, overdue))
}
