//! Projects, their members and their three-level task trees, as stored.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::keys::{self, Key};
use crate::messages::Msg;
use crate::store::{Changed, IndexKey, Indexes, Record};
use crate::validate::bounded_text;

/// The four states of seed 001, shared by projects and tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Planning,
    Pending,
    InProgress,
    Completed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Urgent,
    High,
    #[default]
    Medium,
    Low,
}

pub fn parse_project_title(text: &str) -> Result<String, Msg> {
    bounded_text(text, 1, 100)
}

pub fn parse_task_title(text: &str) -> Result<String, Msg> {
    bounded_text(text, 1, 200)
}

pub fn parse_description(text: &str) -> Result<String, Msg> {
    bounded_text(text, 0, 5000)
}

/// A project as stored: the `PROJECT` item of its partition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectRecord {
    pub id: u64,
    pub team_id: u64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Timestamp>,
    pub created_by: u64,
    /// The creator's username when the project was made (the creator may be an admin who is
    /// not a member, so no member item carries it).
    pub created_by_name: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl ProjectRecord {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

impl Record for ProjectRecord {
    fn key(&self) -> Key {
        keys::project(self.id)
    }

    /// The directory of projects, a team's together.
    fn index_keys(&self) -> Indexes {
        let directory = IndexKey::new(keys::DIRECTORY_PROJECTS, keys::project_directory_sort(self.team_id, self.id));
        Indexes { gsi2: Some(directory), ..Indexes::default() }
    }

    fn version(&self) -> Option<u64> {
        Some(self.version)
    }

    fn touch(&mut self, now: Timestamp) {
        self.version += 1;
        self.updated_at = now;
    }
}

/// A person on a project: a `MEMBER#<id>` item of the project's partition. It keeps the
/// member's display name and avatar so a project and its tasks render from one Query; a
/// removed member keeps a `former` item so old tasks still show who did them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberRecord {
    /// The project's id is its partition's; items written before it was stored get it when
    /// their partition is read.
    #[serde(default)]
    pub project_id: u64,
    pub user_id: u64,
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// The member's team role, for display.
    pub role: crate::identity::model::Role,
    #[serde(default)]
    pub former: bool,
    /// How many open tasks of the project are assigned to them: written in the same
    /// transaction as every assignment (see `projects::membership`).
    #[serde(default)]
    pub open_tasks: i64,
}

impl Record for MemberRecord {
    fn key(&self) -> Key {
        keys::project_member(self.project_id, self.user_id)
    }

    /// The projects a user is on: current members only.
    fn index_keys(&self) -> Indexes {
        let on = IndexKey::new(keys::memberships_partition(self.user_id), keys::membership_sort(self.project_id));
        Indexes { gsi1: (!self.former).then_some(on), ..Indexes::default() }
    }
}

/// The part of a member item that follows the user's profile: written to every project of
/// theirs when they rename themselves or change their avatar.
#[derive(Debug, Clone, Serialize)]
pub struct MemberLooks {
    pub username: String,
    /// `None` is written as null (no avatar any more), not left as it was.
    pub avatar: Option<String>,
}

/// A task as stored: a `TASK#<id>` item of its project's partition.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TaskRecord {
    pub id: u64,
    pub project_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<u64>,
    /// 1 for a main task, 2 for a subtask, 3 for a sub-subtask.
    pub level: u8,
    /// The ancestors' ids, `/1/12` (seed 001 §4.3); empty for a main task.
    #[serde(default)]
    pub path: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<Date>,
    #[serde(default)]
    pub is_overdue_notified: bool,
    /// The due date whose reminder was sent: a new date owes a new reminder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_reminded_for: Option<Date>,
    pub created_by: u64,
    /// The creator's username when the task was made (the creator may be an admin who is
    /// not on the project); tasks stored before it was kept have none (see
    /// [`ProjectData::creator_name`](crate::projects::partition::ProjectData::creator_name)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_name: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

pub const MAX_LEVEL: u8 = 3;

/// Where a task lives, kept under the task's own id: the API addresses tasks by id alone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskPointer {
    #[serde(default)]
    pub task_id: u64,
    pub project_id: u64,
    /// The project's team, so a task route can read the team's time zone alongside the
    /// project even for a caller of no team (the super admin).
    #[serde(default)]
    pub team_id: Option<u64>,
}

/// One changed field of a task (seed 001 §4.7).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryRecord {
    pub id: u64,
    pub task_id: u64,
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub changed_by: u64,
    pub changed_by_name: String,
    pub changed_at: Timestamp,
}

impl Record for TaskRecord {
    fn key(&self) -> Key {
        keys::task(self.project_id, self.id)
    }

    /// The assignee's tasks (assigned ones only), and the reminders index while the task is
    /// owed a reminder ([`TaskRecord::next_reminder`]).
    fn index_keys(&self) -> Indexes {
        Indexes {
            gsi1: self
                .assignee_id
                .map(|assignee| IndexKey::new(keys::assignee_partition(assignee), keys::assigned_task_sort(self.id))),
            gsi2: None,
            gsi3: self.next_reminder().map(|day| IndexKey::new(keys::REMINDERS, keys::reminder_sort(day, self.id))),
        }
    }

    fn version(&self) -> Option<u64> {
        Some(self.version)
    }

    fn touch(&mut self, now: Timestamp) {
        self.version += 1;
        self.updated_at = now;
    }
}

impl Record for TaskPointer {
    fn key(&self) -> Key {
        keys::task_pointer(self.task_id)
    }
}

impl Record for HistoryRecord {
    fn key(&self) -> Key {
        keys::task_history(self.task_id, self.id)
    }
}

impl HistoryRecord {
    /// One entry per field a person changed, in the order a change lists them; entry ids
    /// follow the task's new version, so that newest first reads them back in order.
    pub fn of_change(task: &TaskRecord, changes: &[Changed], by: (u64, &str), at: Timestamp) -> Vec<HistoryRecord> {
        TaskRecord::HISTORY_FIELDS
            .iter()
            .filter_map(|field| changes.iter().find(|c| c.attribute == *field))
            .enumerate()
            .map(|(n, changed)| HistoryRecord {
                id: task.version * 100 + n as u64,
                task_id: task.id,
                field_name: changed.attribute.clone(),
                old_value: Changed::text(&changed.before),
                new_value: Changed::text(&changed.after),
                changed_by: by.0,
                changed_by_name: by.1.to_owned(),
                changed_at: at,
            })
            .collect()
    }
}

impl TaskRecord {
    /// The fields a task's history shows, in the order it lists a change's entries.
    pub const HISTORY_FIELDS: [&str; 7] =
        ["title", "description", "priority", "start_date", "end_date", "status", "assignee_id"];

    /// Who holds this task while it is open: the member whose `open_tasks` counts it.
    pub fn open_assignee(&self) -> Option<u64> {
        self.assignee_id.filter(|_| self.status != Status::Completed)
    }

    /// The day this task is next owed a reminder, while it is: the day before it is due
    /// (the due reminder), then the day after (the overdue notice). Completed or undated
    /// tasks, and those already told they are overdue, owe nothing. The reminders index
    /// holds exactly the tasks for which this is `Some`.
    pub fn next_reminder(&self) -> Option<Date> {
        let end = self.end_date?;
        if self.status == Status::Completed || self.is_overdue_notified {
            return None;
        }
        if self.due_reminded_for == Some(end) { end.tomorrow().ok() } else { end.yesterday().ok() }
    }
}
