//! A notification as stored: the facts, worded only when read (`functions::present`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::keys::{self, Key};
use crate::projects::model::Status;
use crate::store::Record;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Someone else gave the recipient a task.
    TaskAssigned,
    /// Someone else changed a task of the recipient's (other than its status).
    TaskUpdated,
    /// A task's status changed: told to its assignee when someone else changed it, and to
    /// its creator when the assignee did.
    StatusChanged,
    DueReminder,
    Overdue,
    /// The recipient was added to a team.
    MemberInvited,
    /// Told to the team's admins: a member left and their open tasks are unassigned.
    MemberRemoved,
}

/// How long an inbox keeps a notification.
pub const RETENTION_DAYS: i64 = 90;

/// A notification as stored. It keeps the facts (who, which task, its title then), and is
/// worded when read, in the reader's language.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotificationRecord {
    pub id: u64,
    pub user_id: u64,
    pub kind: NotificationKind,
    /// What it is about, named as it was then: a task's title, a team's name, a username.
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<u64>,
    /// The new status, for `status_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// How many tasks it concerns, for `member_removed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    pub is_read: bool,
    pub created_at: Timestamp,
    /// Epoch seconds; the table's TTL attribute, and checked on read.
    pub expires_at: i64,
}

impl Record for NotificationRecord {
    fn key(&self) -> Key {
        keys::notification(self.user_id, self.id)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.expires_at)
    }
}

impl NotificationRecord {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at > now.as_second()
    }
}

/// A notification about to be written: everything but its id and timestamps.
#[derive(Debug, Clone)]
pub struct Draft {
    pub user_id: u64,
    pub kind: NotificationKind,
    pub subject: String,
    pub actor_name: Option<String>,
    pub task_id: Option<u64>,
    pub project_id: Option<u64>,
    pub status: Option<Status>,
    pub count: Option<u64>,
}

impl Draft {
    pub fn new(user_id: u64, kind: NotificationKind, subject: &str) -> Draft {
        Draft {
            user_id,
            kind,
            subject: subject.to_owned(),
            actor_name: None,
            task_id: None,
            project_id: None,
            status: None,
            count: None,
        }
    }

    /// A notification about a task.
    pub fn task(user_id: u64, kind: NotificationKind, task: &crate::projects::model::TaskRecord) -> Draft {
        Draft { task_id: Some(task.id), project_id: Some(task.project_id), ..Draft::new(user_id, kind, &task.title) }
    }

    pub fn by(mut self, actor_name: &str) -> Draft {
        self.actor_name = Some(actor_name.to_owned());
        self
    }

    pub fn with_status(mut self, status: Status) -> Draft {
        self.status = Some(status);
        self
    }
}
