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

impl Status {
    /// Every status, in declaration order: the order a kanban shows them in.
    pub fn all() -> Vec<Status> {
        crate::names::variants::<Status>().iter().filter_map(|name| crate::names::parse_name(name).ok()).collect()
    }
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    /// Its counts of tasks, kept by every task change: stored beside the other attributes.
    #[serde(flatten)]
    pub tally: ProjectTally,
}

/// A project's tasks counted by status, and its main tasks' progress summed (see
/// [`crate::projects::tally`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectTally {
    #[serde(default)]
    pub tasks_planning: i64,
    #[serde(default)]
    pub tasks_pending: i64,
    #[serde(default)]
    pub tasks_in_progress: i64,
    #[serde(default)]
    pub tasks_completed: i64,
    #[serde(default)]
    pub main_tasks: i64,
    /// The sum of the main tasks' progress, in tenths of a percent.
    #[serde(default)]
    pub main_progress_tenths: i64,
}

impl ProjectRecord {
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

impl ProjectTally {
    /// How many tasks have `status`, as counted.
    pub fn tasks_in(&self, status: Status) -> i64 {
        match status {
            Status::Planning => self.tasks_planning,
            Status::Pending => self.tasks_pending,
            Status::InProgress => self.tasks_in_progress,
            Status::Completed => self.tasks_completed,
        }
    }

    /// The attribute that counts tasks of `status`.
    pub fn attribute_of(status: Status) -> &'static str {
        match status {
            Status::Planning => "tasks_planning",
            Status::Pending => "tasks_pending",
            Status::InProgress => "tasks_in_progress",
            Status::Completed => "tasks_completed",
        }
    }

    pub const MAIN_TASKS: &str = "main_tasks";
    pub const MAIN_PROGRESS: &str = "main_progress_tenths";

    pub fn total(&self) -> i64 {
        Status::all().into_iter().map(|status| self.tasks_in(status)).sum()
    }

    /// The mean progress of the main tasks, to one decimal (0 with none).
    pub fn progress(&self) -> f64 {
        if self.main_tasks <= 0 {
            return 0.0;
        }
        (self.main_progress_tenths as f64 / self.main_tasks as f64).round() / 10.0
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
    /// Who made the task, so that an edit which may tell them reads their user item
    /// alongside the project (absent from pointers made before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<u64>,
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

    /// Its assignee's tasks (or its project's unassigned ones) by due day, its project's
    /// open tasks by due day while it is open and has one, and the reminders index while it
    /// is owed a reminder ([`TaskRecord::next_reminder`]).
    fn index_keys(&self) -> Indexes {
        let completed = self.status == Status::Completed;
        let holder = match self.assignee_id {
            Some(assignee) => keys::assignee_partition(assignee),
            None => keys::unassigned_partition(self.project_id),
        };
        let open_due = self.end_date.filter(|_| !completed);
        Indexes {
            gsi1: Some(IndexKey::new(holder, keys::task_by_due_sort(self.end_date, completed, self.id))),
            gsi2: open_due
                .map(|day| IndexKey::new(keys::open_dated_partition(self.project_id), keys::day_sort(day, self.id))),
            gsi3: self.next_reminder().map(|day| IndexKey::new(keys::REMINDERS, keys::day_sort(day, self.id))),
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

/// A user's tasks across their team's projects, counted as tasks change: all assigned to
/// them (completed ones included), and the completed ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadRecord {
    #[serde(default)]
    pub user_id: u64,
    #[serde(default)]
    pub assigned_tasks: i64,
    #[serde(default)]
    pub completed_tasks: i64,
}

impl WorkloadRecord {
    pub const ASSIGNED: &str = "assigned_tasks";
    pub const COMPLETED: &str = "completed_tasks";

    pub fn open_tasks(&self) -> i64 {
        self.assigned_tasks - self.completed_tasks
    }
}

impl Record for WorkloadRecord {
    fn key(&self) -> Key {
        keys::workload(self.user_id)
    }
}

/// A project's finish-to-start links between its tasks, all in one record: the graph is
/// read with the project's partition and changed under one version, so two links made at
/// once cannot close a cycle between them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinksRecord {
    pub project_id: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// 0 while the project has never had a link (the record is not stored yet).
    pub version: u64,
}

/// `task_id` starts when `depends_on` has finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Link {
    pub task_id: u64,
    pub depends_on: u64,
}

impl LinksRecord {
    /// What `task_id` depends on, in id order.
    pub fn predecessors(&self, task_id: u64) -> Vec<u64> {
        self.links.iter().filter(|l| l.task_id == task_id).map(|l| l.depends_on).collect()
    }
}

impl Record for LinksRecord {
    fn key(&self) -> Key {
        keys::project_links(self.project_id)
    }

    fn version(&self) -> Option<u64> {
        Some(self.version)
    }

    fn touch(&mut self, _now: Timestamp) {
        self.version += 1;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{self, item_of};

    #[test]
    fn a_projects_counts_are_attributes_of_its_item_and_read_back() {
        let tally = ProjectTally {
            tasks_pending: 3,
            tasks_completed: 2,
            main_tasks: 4,
            main_progress_tenths: 1667,
            ..Default::default()
        };
        let project = ProjectRecord { id: 7, title: "Counted".into(), tally, ..Default::default() };
        let item = item_of(&project).unwrap();
        assert!(item.contains_key(ProjectTally::attribute_of(Status::Pending)), "{item:?}");
        assert!(item.contains_key(ProjectTally::MAIN_PROGRESS), "{item:?}");
        let read: ProjectRecord = store::from_item(item).unwrap();
        assert_eq!(read.tally, tally);
        assert_eq!((read.tally.total(), read.tally.progress()), (5, 41.7));
    }
}
