//! Project and task items as written, index attributes included, and the reads every
//! project route starts with.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::dates;
use crate::error::ApiError;
use crate::i18n::Msg;
use crate::identity::model::TeamRecord;
use crate::keys;
use crate::projects::model::{HistoryRecord, MemberRecord, ProjectRecord, TaskPointer, TaskRecord};
use crate::projects::partition::{ProjectData, project_not_found, task_not_found};
use crate::store::{self, Change, Condition, GSI1, Item};

pub fn project_item(project: &ProjectRecord) -> Result<Item, ApiError> {
    let mut item = store::to_item(&keys::project(project.id), project)?;
    item.insert(keys::GSI2_PK.into(), AttributeValue::S(keys::DIRECTORY_PROJECTS.into()));
    item.insert(keys::GSI2_SK.into(), AttributeValue::S(keys::project_directory_sort(project.team_id, project.id)));
    Ok(item)
}

/// A member item; only current members are in the membership index.
pub fn member_item(project_id: u64, member: &MemberRecord) -> Result<Item, ApiError> {
    let mut item = store::to_item(&keys::project_member(project_id, member.user_id), member)?;
    if !member.former {
        item.insert(keys::GSI1_PK.into(), AttributeValue::S(keys::memberships_partition(member.user_id)));
        item.insert(keys::GSI1_SK.into(), AttributeValue::S(keys::membership_sort(project_id)));
    }
    Ok(item)
}

/// A task item; only assigned tasks are in the assignee index, and only those owed a
/// reminder in the reminders index.
pub fn task_item(task: &TaskRecord) -> Result<Item, ApiError> {
    let mut item = store::to_item(&keys::task(task.project_id, task.id), task)?;
    if let Some(assignee) = task.assignee_id {
        item.insert(keys::GSI1_PK.into(), AttributeValue::S(keys::assignee_partition(assignee)));
        item.insert(keys::GSI1_SK.into(), AttributeValue::S(keys::assigned_task_sort(task.id)));
    }
    for (name, value) in reminder_index(task) {
        if let Some(value) = value {
            item.insert(name.into(), value);
        }
    }
    Ok(item)
}

/// The reminders index attributes of a task as it now stands (`None`: out of the index).
pub fn reminder_index(task: &TaskRecord) -> [(&'static str, Option<AttributeValue>); 2] {
    let day = task.next_reminder();
    [
        (keys::GSI3_PK, day.map(|_| AttributeValue::S(keys::REMINDERS.into()))),
        (keys::GSI3_SK, day.map(|day| AttributeValue::S(keys::reminder_sort(day, task.id)))),
    ]
}

pub fn pointer_item(task: &TaskRecord, team_id: u64) -> Result<Item, ApiError> {
    let pointer = TaskPointer { project_id: task.project_id, team_id: Some(team_id) };
    store::to_item(&keys::task_pointer(task.id), &pointer)
}

pub fn history_item(entry: &HistoryRecord) -> Result<Item, ApiError> {
    store::to_item(&keys::task_history(entry.task_id, entry.id), entry)
}

/// The write may commit only if the item still has the version that was read.
pub fn at_version(version: u64) -> Condition {
    Condition::new("#version = :version")
        .name("#version", "version")
        .value(":version", AttributeValue::N(version.to_string()))
}

/// 412 when the client's `If-Match` names another version.
pub fn check_version(current: u64, if_match: Option<u64>) -> Result<(), ApiError> {
    match if_match {
        Some(expected) if expected != current => Err(ApiError::PreconditionFailed),
        _ => Ok(()),
    }
}

/// The SET and REMOVE parts of an update that writes only what changed.
#[derive(Default)]
pub struct Changes {
    sets: Vec<(String, AttributeValue)>,
    removes: Vec<String>,
}

impl Changes {
    pub fn set(&mut self, attribute: &str, value: AttributeValue) {
        self.sets.push((attribute.to_owned(), value));
    }

    pub fn set_or_remove(&mut self, attribute: &str, value: Option<AttributeValue>) {
        match value {
            Some(value) => self.set(attribute, value),
            None => self.removes.push(attribute.to_owned()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty() && self.removes.is_empty()
    }

    /// The update, with `version` bumped and `updated_at` set.
    pub fn into_change(self, version: u64, now: Timestamp) -> Change {
        let mut sets = vec!["#version = :next_version".to_owned(), "#updated_at = :updated_at".to_owned()];
        let mut change_names =
            vec![("#version".to_owned(), "version".to_owned()), ("#updated_at".to_owned(), "updated_at".to_owned())];
        let mut values = vec![
            (":next_version".to_owned(), AttributeValue::N((version + 1).to_string())),
            (":updated_at".to_owned(), AttributeValue::S(now.to_string())),
        ];
        for (i, (attribute, value)) in self.sets.into_iter().enumerate() {
            sets.push(format!("#s{i} = :s{i}"));
            change_names.push((format!("#s{i}"), attribute));
            values.push((format!(":s{i}"), value));
        }
        let removes: Vec<String> = self
            .removes
            .into_iter()
            .enumerate()
            .map(|(i, attribute)| {
                change_names.push((format!("#r{i}"), attribute));
                format!("#r{i}")
            })
            .collect();
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let change = change_names.into_iter().fold(Change::new(&expression), |c, (p, a)| c.name(&p, &a));
        values.into_iter().fold(change, |c, (p, v)| c.value(&p, v))
    }
}

/// The error of a write whose version condition failed: 412 when the client named the
/// version it read (`If-Match`), else 409 (someone else got there first; reload).
pub fn version_conflict(if_match: Option<u64>) -> ApiError {
    match if_match {
        Some(_) => ApiError::PreconditionFailed,
        None => ApiError::conflict("version", Msg::ChangedConcurrently),
    }
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
) -> Result<(ProjectData, Date), ApiError> {
    load_project_in(ctx, project_id, team_hint.or(caller.team_id), now).await
}

/// [`load_project`] for a project whose team may be `team_hint`.
pub async fn load_project_in(
    ctx: &AppContext,
    project_id: u64,
    team_hint: Option<u64>,
    now: Timestamp,
) -> Result<(ProjectData, Date), ApiError> {
    let (data, team) = tokio::join!(ProjectData::load(&ctx.db, project_id), team(ctx, team_hint));
    let data = data?.ok_or_else(project_not_found)?;
    let team = match team? {
        Some(team) if team.id == data.project.team_id => Some(team),
        _ => ctx.db.get::<TeamRecord>(&keys::team(data.project.team_id)).await?,
    };
    let zone = team.map_or_else(|| ctx.settings.default_timezone.clone(), |t| t.timezone);
    Ok((data, dates::today_in(&zone, now)))
}

async fn team(ctx: &AppContext, team_id: Option<u64>) -> Result<Option<TeamRecord>, ApiError> {
    match team_id {
        Some(id) => ctx.db.get(&keys::team(id)).await,
        None => Ok(None),
    }
}

/// The projects a user is currently on, from the membership index.
pub async fn projects_of_member(ctx: &AppContext, user_id: u64) -> Result<Vec<u64>, ApiError> {
    let items = ctx.db.query_prefix(Some(GSI1), &keys::memberships_partition(user_id), "").await?;
    Ok(items.iter().filter_map(|item| keys::id_of(&store::string_attr(item, keys::GSI1_SK))).collect())
}

/// The project a task id belongs to, and that project's team when known.
pub async fn project_of_task(ctx: &AppContext, task_id: u64) -> Result<(u64, Option<u64>), ApiError> {
    let pointer: TaskPointer = ctx.db.get(&keys::task_pointer(task_id)).await?.ok_or_else(task_not_found)?;
    Ok((pointer.project_id, pointer.team_id))
}

pub async fn history_of(ctx: &AppContext, task_id: u64) -> Result<Vec<HistoryRecord>, ApiError> {
    let items = ctx.db.query_prefix(None, &keys::task_partition(task_id), keys::HISTORY_PREFIX).await?;
    let mut entries: Vec<HistoryRecord> = items.into_iter().map(store::from_item).collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.id));
    Ok(entries)
}
