//! Task operations (seed 001 §4, the supplement 4.8–4.11, the client's claim flow).

use std::collections::HashSet;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::dates::check_span;
use crate::error::{Error, FieldErrors, Guard};
use crate::events::{DomainEvent, EventDetail, EventKind, NoticeRef};
use crate::identity::model::{Role, UserRecord};
use crate::keys;
use crate::messages::Msg;
use crate::notifications::inbox;
use crate::notifications::model::{Draft, NotificationKind};
use crate::plan::Plan;
use crate::projects::access::{self, Access};
use crate::projects::attachments;
use crate::projects::attachments::AttachmentRecord;
use crate::projects::dependencies;
use crate::projects::membership;
use crate::projects::model::{HistoryRecord, MAX_LEVEL, Priority, ProjectRecord, Status, TaskPointer, TaskRecord};
use crate::projects::partition::ProjectData;
use crate::projects::partition::task_not_found;
use crate::projects::repo::{self, check_version, version_lost};
use crate::projects::seen::{Layout, Seen, TaskSeen, TasksSeen};
use crate::projects::tally::Tally;
use crate::store::{self, MAX_ACTIONS, Transaction};

/// The fields of a new task.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub title: String,
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    /// For a main task, a project member or nobody (the claim flow); a subtask always
    /// inherits its parent's assignee.
    pub assignee_id: Option<u64>,
}

/// A main task made by an admin (seed 4.9), assigned to a project member or, for the claim
/// flow, to nobody yet.
pub async fn create_main_task(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    input: NewTask,
    now: Timestamp,
) -> Result<Plan<TaskSeen>, Error> {
    // Someone else's new task is news to them: its id and its notice's are allocated beside
    // the project's read, with the name of an admin who may not be on the project.
    let told = input.assignee_id.filter(|assignee| *assignee != caller.user_id);
    let ((data, today), ids, admin_name) = tokio::try_join!(
        repo::load_project(ctx, caller, project_id, None, now),
        NewIds::allocate(ctx, told.is_some()),
        name_if_admin(ctx, caller),
    )?;
    access::require_admin(caller, &data)?;
    access::require_writable(&data.project)?;
    if let Some(assignee) = input.assignee_id
        && !data.is_member(assignee)
    {
        return Err(Error::field("assignee_id", Msg::NotProjectMember));
    }
    let changer = changer_name(ctx, caller, &data, admin_name).await?;
    create(ctx, caller, data, today, None, input, ids, changer, now)
}

/// A subtask (seed 4.10): only the parent's assignee adds one, it inherits that assignee,
/// and trees stop at three levels (422, 3002).
pub async fn create_subtask(
    ctx: &AppContext,
    caller: &Caller,
    parent_id: u64,
    mut input: NewTask,
    now: Timestamp,
) -> Result<Plan<TaskSeen>, Error> {
    // The parent's assignee makes it for themselves: no notice, and their name is the
    // project's. The id is allocated beside the parent's read.
    let ((data, today, _), ids) =
        tokio::try_join!(load_task(ctx, caller, parent_id, now), NewIds::allocate(ctx, false))?;
    let parent = data.task(parent_id)?.clone();
    if parent.assignee_id != Some(caller.user_id) {
        return Err(Error::Forbidden(Msg::NotParentAssignee));
    }
    access::require_writable(&data.project)?;
    if parent.level >= MAX_LEVEL {
        return Err(Error::Rule { msg: Msg::TaskTooDeep, fields: FieldErrors::single("level", Msg::TaskTooDeep) });
    }
    input.assignee_id = parent.assignee_id;
    let changer = changer_name(ctx, caller, &data, None).await?;
    create(ctx, caller, data, today, Some(&parent), input, ids, changer, now)
}

/// The ids a new task takes: its own and, when it is news to its assignee, its notice's.
struct NewIds {
    task_id: u64,
    notice_ids: std::ops::Range<u64>,
}

impl NewIds {
    async fn allocate(ctx: &AppContext, with_notice: bool) -> Result<NewIds, Error> {
        let notice_ids = async {
            match with_notice {
                true => ctx.db.next_ids("notification", 1).await,
                false => Ok(0..0),
            }
        };
        let (task_id, notice_ids) = tokio::try_join!(ctx.db.next_id("task"), notice_ids)?;
        Ok(NewIds { task_id, notice_ids })
    }
}

#[allow(clippy::too_many_arguments)]
fn create(
    ctx: &AppContext,
    caller: &Caller,
    mut data: ProjectData,
    today: Date,
    parent: Option<&TaskRecord>,
    input: NewTask,
    ids: NewIds,
    created_by_name: String,
    now: Timestamp,
) -> Result<Plan<TaskSeen>, Error> {
    check_span(input.start_date, input.end_date)?;
    let told = input.assignee_id.filter(|assignee| *assignee != caller.user_id);
    let NewIds { task_id, mut notice_ids } = ids;
    let task = TaskRecord {
        id: task_id,
        project_id: data.project.id,
        parent_id: parent.map(|p| p.id),
        level: parent.map_or(1, |p| p.level + 1),
        path: parent.map_or_else(String::new, |p| format!("{}/{}", p.path, p.id)),
        title: input.title,
        description: input.description,
        status: input.status,
        priority: input.priority,
        assignee_id: input.assignee_id,
        start_date: input.start_date,
        end_date: input.end_date,
        is_overdue_notified: false,
        due_reminded_for: None,
        created_by: caller.user_id,
        created_by_name: Some(created_by_name),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let pointer = TaskPointer {
        task_id: task.id,
        project_id: task.project_id,
        team_id: Some(data.project.team_id),
        created_by: Some(caller.user_id),
    };
    let tx = ctx.db.transaction().create(&task, Guard::Fresh).create(&pointer, Guard::Fresh);
    let tx = membership::move_assignment(tx, task.project_id, None, task.open_assignee());
    let tx = Tally::of(&data).change(None, Some(&task)).stage(tx, now);
    data.tasks.push(task.clone());
    let access = access::access(caller, &data);
    let drafts: Vec<Draft> =
        told.map(|assignee| Draft::task(assignee, NotificationKind::TaskAssigned, &task)).into_iter().collect();
    let (tx, notices) = inbox::stage_with_ids(tx, drafts, &mut notice_ids, now)?;
    let event = task_event(EventKind::TaskCreated, caller, data.project.team_id, &task, notices);
    let seen = Seen { data, today, access };
    Ok(Plan::new(tx, TaskSeen { seen, task, attachments: None }).announce(event))
}

/// The event of a change of a task.
fn task_event(
    kind: EventKind,
    caller: &Caller,
    team_id: u64,
    task: &TaskRecord,
    notices: Vec<NoticeRef>,
) -> DomainEvent {
    let detail = EventDetail::by(caller.user_id).in_project(team_id, task.project_id).task(task.id).notices(notices);
    DomainEvent::new(kind, detail)
}

/// The project holding a task, "today" in its team's zone, and what the caller may do there:
/// how every route addressed by task id begins. Outsiders get 404.
pub(crate) async fn load_task(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    now: Timestamp,
) -> Result<(ProjectData, Date, Access), Error> {
    let (project_id, team_id) = repo::project_of_task(ctx, task_id).await?;
    let (data, today) = repo::load_project(ctx, caller, project_id, team_id, now).await?;
    let access = access::require_visible(caller, &data)?;
    Ok((data, today, access))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    #[default]
    All,
    Me,
    User(u64),
}

/// The list's filters (supplement 4.8, seed 4.1).
#[derive(Debug, Clone, Default)]
pub struct TaskQuery {
    pub layout: Layout,
    pub assignee: AssigneeFilter,
    pub statuses: Vec<Status>,
    pub level: Option<u8>,
    pub search: Option<String>,
}

/// A project's tasks for one caller: a tree of main tasks with their `children`, or a flat
/// list. Filters see only what the caller may see: a redacted task matches on its title
/// alone, so filtering cannot reveal its status or assignee. In the tree, a task stays when
/// it or one of its descendants matches.
pub async fn list_tasks(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    query: TaskQuery,
    now: Timestamp,
) -> Result<TasksSeen, Error> {
    let (data, today) = repo::load_project(ctx, caller, project_id, None, now).await?;
    let access = access::require_visible(caller, &data)?;
    Ok(select(Seen { data, today, access }, caller, &query))
}

/// The tasks of a project as read that a list with `query` shows the caller.
pub fn select(seen: Seen, caller: &Caller, query: &TaskQuery) -> TasksSeen {
    let (data, access) = (&seen.data, seen.access);
    let needle = query.search.as_deref().map(str::to_lowercase).filter(|s| !s.is_empty());
    let matches = |task: &TaskRecord| {
        let visible = access::sees_task(caller, access, task);
        let assignee_ok = match query.assignee {
            AssigneeFilter::All => true,
            AssigneeFilter::Me => task.assignee_id == Some(caller.user_id),
            AssigneeFilter::User(id) => visible && task.assignee_id == Some(id),
        };
        assignee_ok
            && (query.statuses.is_empty() || (visible && query.statuses.contains(&task.status)))
            && query.level.is_none_or(|level| task.level == level)
            && needle.as_deref().is_none_or(|n| task.title.to_lowercase().contains(n))
    };
    let mut shown: HashSet<u64> = data.tasks.iter().filter(|t| matches(t)).map(|t| t.id).collect();
    if query.layout == Layout::Tree {
        // A task stays for a descendant that matches: its ancestors are on its path.
        let ancestors: Vec<u64> = data
            .tasks
            .iter()
            .filter(|t| shown.contains(&t.id))
            .flat_map(|t| t.path.split('/').filter_map(|id| id.parse().ok()))
            .collect();
        shown.extend(ancestors);
    }
    TasksSeen { seen, layout: query.layout, shown }
}

/// One task: in full, with its attachments, for admins and its assignee; redacted for the
/// project's other members; 404 for everyone else.
pub async fn get_task(ctx: &AppContext, caller: &Caller, task_id: u64, now: Timestamp) -> Result<TaskSeen, Error> {
    let (loaded, attached) = tokio::join!(load_task(ctx, caller, task_id, now), attachments::of_task(ctx, task_id));
    let (data, today, access) = loaded?;
    let task = data.task(task_id)?.clone();
    let attachments = match access::sees_task(caller, access, &task) {
        true => Some(attachments::views(ctx, attached?).await?),
        false => None,
    };
    Ok(TaskSeen { seen: Seen { data, today, access }, task, attachments })
}

/// A partial change of a task; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<Option<u64>>,
    pub start_date: Option<Option<Date>>,
    pub end_date: Option<Option<Date>>,
}

/// Changes a task: admins and its assignee; only admins change the assignee. Writes only the
/// changed attributes and one history entry per changed field, in one transaction. With
/// `if_match`, refuses (412) unless the task is still at that version.
pub async fn update_task(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    patch: TaskPatch,
    if_match: Option<u64>,
    now: Timestamp,
) -> Result<Plan<TaskSeen>, Error> {
    let (data, today, access, reads) = load_for_edit(ctx, caller, task_id, patch.status.is_some(), now).await?;
    let before = data.task(task_id)?.clone();
    access::require_task_editor(caller, access, &before)?;
    access::require_writable(&data.project)?;
    if let Some(assignee) = patch.assignee_id.filter(|a| *a != before.assignee_id) {
        if access != Access::Admin {
            return Err(Error::Forbidden(Msg::OnlyAdminsReassign));
        }
        if let Some(id) = assignee
            && !data.is_member(id)
        {
            return Err(Error::field("assignee_id", Msg::NotProjectMember));
        }
    }
    check_version(before.version, if_match)?;
    let mut after = before.clone();
    apply(&mut after, patch);
    check_span(after.start_date, after.end_date)?;
    let seen = Seen { data, today, access };
    if after == before {
        return Ok(Plan::new(ctx.db.transaction(), TaskSeen { seen, task: after, attachments: None }));
    }
    let plan = plan_edit(ctx, caller, seen, &before, after, reads, now).await?;
    Ok(match version_lost(if_match) {
        Some(stale) => plan.meaning(Guard::Version, stale),
        None => plan,
    })
}

/// A claim (the client's flow): a project member takes an unassigned main task, optionally
/// setting its status and end date. Of two concurrent claims, one wins; the other gets 409.
pub async fn claim_task(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    status: Option<Status>,
    end_date: Option<Date>,
    now: Timestamp,
) -> Result<Plan<TaskSeen>, Error> {
    let (data, today, access, reads) = load_for_edit(ctx, caller, task_id, status.is_some(), now).await?;
    if !data.is_member(caller.user_id) {
        return Err(Error::forbidden());
    }
    let before = data.task(task_id)?.clone();
    // What the redacted view hides (that someone holds it) is not told here either.
    if !access::sees_task(caller, access, &before) {
        return Err(Error::rule("task", Msg::NotClaimable));
    }
    access::require_writable(&data.project)?;
    if before.level != 1 {
        return Err(Error::rule("task", Msg::OnlyMainTasksClaimable));
    }
    if before.assignee_id.is_some() {
        return Err(Error::conflict("assignee_id", Msg::AlreadyAssigned));
    }
    let mut after = before.clone();
    let patch = TaskPatch {
        status,
        assignee_id: Some(Some(caller.user_id)),
        end_date: end_date.map(Some),
        ..TaskPatch::default()
    };
    apply(&mut after, patch);
    check_span(after.start_date, after.end_date)?;
    let plan = plan_edit(ctx, caller, Seen { data, today, access }, &before, after, reads, now).await?;
    // A concurrent claim moved the version: this one lost.
    Ok(plan.meaning(Guard::Version, Error::conflict("assignee_id", Msg::AlreadyAssigned)))
}

/// Applies a patch to `task`. A reopened or rescheduled task is due again: its reminders
/// re-arm (DESIGN §2b); its place in the reminders index follows from what it now is.
fn apply(task: &mut TaskRecord, patch: TaskPatch) {
    let (was_completed, was_due) = (task.status == Status::Completed, task.end_date);
    let TaskPatch { title, description, status, priority, assignee_id, start_date, end_date } = patch;
    task.title = title.unwrap_or(std::mem::take(&mut task.title));
    task.description = description.unwrap_or(std::mem::take(&mut task.description));
    task.status = status.unwrap_or(task.status);
    task.priority = priority.unwrap_or(task.priority);
    task.assignee_id = assignee_id.unwrap_or(task.assignee_id);
    task.start_date = start_date.unwrap_or(task.start_date);
    task.end_date = end_date.unwrap_or(task.end_date);
    let reopened = was_completed && task.status != Status::Completed;
    if reopened || task.end_date != was_due {
        task.is_overdue_notified = false;
        task.due_reminded_for = None;
    }
}

/// Whether the task's creator hears of this edit: when the assignee changes its status.
fn creator_is_told(caller: &Caller, before: &TaskRecord, after: &TaskRecord) -> bool {
    before.status != after.status && after.assignee_id == Some(caller.user_id) && after.created_by != caller.user_id
}

/// Who hears of an edit (seed 001 §7): the assignee, when someone else gives them the task
/// or changes it; the task's creator, when the assignee changes its status, if the creator
/// may still open the task (`creator_may_open`: an admin who has left the team may not).
fn edit_notices(
    caller: &Caller,
    before: &TaskRecord,
    after: &TaskRecord,
    actor_name: &str,
    creator_may_open: bool,
) -> Vec<Draft> {
    let status_changed = before.status != after.status;
    let mut drafts = Vec::new();
    if let Some(assignee) = after.assignee_id.filter(|a| *a != caller.user_id) {
        let draft = if before.assignee_id != after.assignee_id {
            Draft::task(assignee, NotificationKind::TaskAssigned, after)
        } else if status_changed {
            Draft::task(assignee, NotificationKind::StatusChanged, after).with_status(after.status)
        } else {
            Draft::task(assignee, NotificationKind::TaskUpdated, after)
        };
        drafts.push(draft.by(actor_name));
    }
    if creator_is_told(caller, before, after) && creator_may_open {
        drafts.push(
            Draft::task(after.created_by, NotificationKind::StatusChanged, after)
                .with_status(after.status)
                .by(actor_name),
        );
    }
    drafts
}

/// An edit tells at most two people: the assignee and the task's creator.
const MAX_EDIT_NOTICES: u64 = 2;

/// What an edit reads besides its project, fetched beside the reads it cannot do without,
/// so that an edit costs three round trips: the task's pointer (beside a block of ids for
/// the notices it may cause; an id left unused is merely skipped), its project (beside the
/// creator's user item when the edit may tell them, and an admin's own, who may not be on
/// the project), then the transaction.
struct EditReads {
    notice_ids: std::ops::Range<u64>,
    /// Whether the creator was read: pointers made before they named the creator do not say.
    creator_read: bool,
    creator: Option<UserRecord>,
    admin_name: Option<String>,
}

async fn load_for_edit(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    may_tell_creator: bool,
    now: Timestamp,
) -> Result<(ProjectData, Date, Access, EditReads), Error> {
    let notice_ids = async { Ok::<_, Error>(ctx.db.next_ids("notification", MAX_EDIT_NOTICES).await?) };
    let (pointer, notice_ids) = tokio::try_join!(repo::pointer_of(ctx, task_id), notice_ids)?;
    let creator_id = pointer.created_by.filter(|_| may_tell_creator);
    let creator = async {
        match creator_id {
            Some(id) => Ok::<_, Error>(ctx.db.get::<UserRecord>(&keys::user(id)).await?),
            None => Ok(None),
        }
    };
    let ((data, today), creator, admin_name) = tokio::try_join!(
        repo::load_project(ctx, caller, pointer.project_id, pointer.team_id, now),
        creator,
        name_if_admin(ctx, caller),
    )?;
    let access = access::require_visible(caller, &data)?;
    Ok((data, today, access, EditReads { notice_ids, creator_read: creator_id.is_some(), creator, admin_name }))
}

/// Plans an edit, its history and the notifications it causes as one transaction, under
/// the task's version.
async fn plan_edit(
    ctx: &AppContext,
    caller: &Caller,
    mut seen: Seen,
    before: &TaskRecord,
    mut after: TaskRecord,
    reads: EditReads,
    now: Timestamp,
) -> Result<Plan<TaskSeen>, Error> {
    let data = &seen.data;
    let EditReads { mut notice_ids, creator_read, creator, admin_name } = reads;
    let creator_may_open = match creator_is_told(caller, before, &after) {
        false => false,
        true if creator_read => creator.is_some_and(|user| user.role.administers(user.team_id, data.project.team_id)),
        true => administers_project(ctx, after.created_by, &data.project).await?,
    };
    let changed_by_name = changer_name(ctx, caller, data, admin_name).await?;
    let drafts = edit_notices(caller, before, &after, &changed_by_name, creator_may_open);
    let (tx, changes) = ctx.db.transaction().save(before, &mut after, now);
    let tx = membership::move_assignment(tx, before.project_id, before.open_assignee(), after.open_assignee());
    let tx = Tally::of(data).change(Some(before), Some(&after)).stage(tx, now);
    let history = HistoryRecord::of_change(&after, &changes, (caller.user_id, &changed_by_name), now);
    let tx = history.iter().fold(tx, Transaction::replace);
    let (tx, notices) = inbox::stage_with_ids(tx, drafts, &mut notice_ids, now)?;
    let event = task_event(EventKind::TaskUpdated, caller, data.project.team_id, &after, notices);
    seen.data.replace_task(&after);
    Ok(Plan::new(tx, TaskSeen { seen, task: after, attachments: None }).announce(event))
}

/// Whether a user (a task's creator) administers the project now: their role and team as
/// their user item has them.
async fn administers_project(ctx: &AppContext, user_id: u64, project: &ProjectRecord) -> Result<bool, Error> {
    let user = crate::identity::repo::load_user(&ctx.db, user_id).await?;
    Ok(user.role.administers(user.team_id, project.team_id))
}

/// An admin's username, read beside a route's first read: admins act on projects they need
/// not be on, whose members' names then do not include theirs.
pub(crate) async fn name_if_admin(ctx: &AppContext, caller: &Caller) -> Result<Option<String>, Error> {
    match caller.role.is_admin() {
        true => Ok(Some(crate::identity::repo::load_user(&ctx.db, caller.user_id).await?.username)),
        false => Ok(None),
    }
}

/// The caller's username for history and uploads: from the project's members, or the one
/// read beforehand ([`name_if_admin`]), or else from their user item.
pub(crate) async fn changer_name(
    ctx: &AppContext,
    caller: &Caller,
    data: &ProjectData,
    read_before: Option<String>,
) -> Result<String, Error> {
    match (data.person(caller.user_id), read_before) {
        (Some(member), _) => Ok(member.username.clone()),
        (None, Some(name)) => Ok(name),
        (None, None) => Ok(crate::identity::repo::load_user(&ctx.db, caller.user_id).await?.username),
    }
}

/// Deletes a task: the super admin only, and not while it has subtasks (422). Done in
/// steps that a retry finishes (attachments, then the task, then its history); the plan
/// left holds only what announces it.
pub async fn delete_task(ctx: &AppContext, caller: &Caller, task_id: u64, now: Timestamp) -> Result<Plan<()>, Error> {
    // The task's own partition holds its pointer, attachments and history: one read.
    let items = ctx.db.query_prefix(None, &keys::task_partition(task_id), "").await?;
    let mut pointer = None;
    let (mut attached, mut history) = (Vec::new(), Vec::new());
    for item in items {
        let sort_key = store::string_attr(&item, keys::SK);
        if sort_key.starts_with(keys::ATTACHMENT_PREFIX) {
            attached.push(store::from_item::<AttachmentRecord>(item)?);
        } else if sort_key.starts_with(keys::HISTORY_PREFIX) {
            history.push(keys::task_history(task_id, store::from_item::<HistoryRecord>(item)?.id));
        } else if keys::task_pointer(task_id).sk == sort_key {
            pointer = Some(store::from_item::<TaskPointer>(item)?);
        }
    }
    let pointer = pointer.ok_or_else(task_not_found)?;
    let data = ProjectData::load_existing(&ctx.db, pointer.project_id).await?;
    access::require_visible(caller, &data)?;
    if caller.role != Role::SuperAdmin {
        return Err(Error::forbidden());
    }
    access::require_writable(&data.project)?;
    let task = data.task(task_id)?;
    if data.tasks.iter().any(|t| t.parent_id == Some(task_id)) {
        return Err(Error::rule("task", Msg::TaskHasSubtasks));
    }
    // Objects before items: a delete interrupted here is repeated, and none of its files
    // outlives it unlisted.
    ctx.files.delete_all(&attached.iter().map(|a| a.file_key.clone()).collect::<Vec<_>>()).await?;
    let tx = ctx.db.transaction().remove(task).delete(&keys::task_pointer(task_id), None);
    let tx = dependencies::forget_task(tx, &data.links, task_id, now);
    let tx = Tally::of(&data).change(Some(task), None).stage(tx, now);
    let tx = membership::move_assignment(tx, pointer.project_id, task.open_assignee(), None);
    let attachment_items: Vec<keys::Key> = attached.iter().flat_map(AttachmentRecord::item_keys).collect();
    if tx.len() + attachment_items.len() + history.len() <= MAX_ACTIONS {
        // As one transaction, the usual case: the task and all that hangs on it go at once.
        let tx = attachment_items.iter().chain(&history).fold(tx, |tx, key| tx.delete(key, None));
        tx.commit().await?;
    } else {
        // Attachments first, as above; the history has no way in once the pointer is gone,
        // and is cleared after.
        ctx.db.delete_all(&attachment_items).await?;
        tx.commit().await?;
        ctx.db.delete_all(&history).await?;
    }
    let event = task_event(EventKind::TaskDeleted, caller, data.project.team_id, task, Vec::new());
    Ok(Plan::new(ctx.db.transaction(), ()).announce(event))
}

/// A task's changes, newest first: for those who see the task in full (seed 4.7).
pub async fn task_history(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    now: Timestamp,
) -> Result<Vec<HistoryRecord>, Error> {
    let (project_id, team_id) = repo::project_of_task(ctx, task_id).await?;
    let (loaded, history) =
        tokio::join!(repo::load_project(ctx, caller, project_id, team_id, now), repo::history_of(ctx, task_id));
    let (data, _) = loaded?;
    let access = access::require_visible(caller, &data)?;
    access::require_task_editor(caller, access, data.task(task_id)?)?;
    history
}
