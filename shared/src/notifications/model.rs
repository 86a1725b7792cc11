//! A notification as stored, and how it reads in each language.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
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

impl NotificationKind {
    pub fn display(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            NotificationKind::TaskAssigned => ("Task assigned", "任务分配"),
            NotificationKind::TaskUpdated => ("Task updated", "任务更新"),
            NotificationKind::StatusChanged => ("Status changed", "状态变更"),
            NotificationKind::DueReminder => ("Due reminder", "截止提醒"),
            NotificationKind::Overdue => ("Overdue", "逾期通知"),
            NotificationKind::MemberInvited => ("Member invited", "成员邀请"),
            NotificationKind::MemberRemoved => ("Member removed", "成员移除"),
        };
        match lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
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

    /// The title and the sentence a person reads.
    pub fn wording(&self, lang: Lang) -> (String, String) {
        let subject = &self.subject;
        let actor = self.actor_name.as_deref().unwrap_or("?");
        let title = match (self.kind, lang) {
            // The seed's own titles (§7.1); the other kinds are titled by their type.
            (NotificationKind::TaskAssigned, Lang::En) => "New task assigned".to_owned(),
            (NotificationKind::TaskAssigned, Lang::Zh) => "新任务分配".to_owned(),
            (NotificationKind::StatusChanged, Lang::En) => "Task status changed".to_owned(),
            (NotificationKind::StatusChanged, Lang::Zh) => "任务状态变更".to_owned(),
            (kind, lang) => kind.display(lang).to_owned(),
        };
        let content = match (self.kind, lang) {
            (NotificationKind::TaskAssigned, Lang::En) => format!("You were assigned a new task: {subject}"),
            (NotificationKind::TaskAssigned, Lang::Zh) => format!("您被分配了新任务：{subject}"),
            (NotificationKind::TaskUpdated, Lang::En) => format!("{actor} changed your task: {subject}"),
            (NotificationKind::TaskUpdated, Lang::Zh) => format!("{actor} 修改了您的任务：{subject}"),
            (NotificationKind::StatusChanged, Lang::En) => {
                format!("Task \"{subject}\" is now {}", status_words(self.status, lang))
            }
            (NotificationKind::StatusChanged, Lang::Zh) => {
                format!("任务“{subject}”状态变为{}", status_words(self.status, lang))
            }
            (NotificationKind::DueReminder, Lang::En) => format!("Task \"{subject}\" is due tomorrow"),
            (NotificationKind::DueReminder, Lang::Zh) => format!("任务“{subject}”明天到期"),
            (NotificationKind::Overdue, Lang::En) => format!("Task \"{subject}\" is overdue"),
            (NotificationKind::Overdue, Lang::Zh) => format!("任务“{subject}”已逾期"),
            (NotificationKind::MemberInvited, Lang::En) => format!("{actor} added you to the team {subject}"),
            (NotificationKind::MemberInvited, Lang::Zh) => format!("{actor} 邀请您加入团队：{subject}"),
            (NotificationKind::MemberRemoved, Lang::En) => format!(
                "{subject} was removed from the team; {} open task(s) are now unassigned",
                self.count.unwrap_or(0)
            ),
            (NotificationKind::MemberRemoved, Lang::Zh) => {
                format!("{subject} 已被移出团队，{} 个未完成任务已取消分配", self.count.unwrap_or(0))
            }
        };
        (title, content)
    }
}

fn status_words(status: Option<Status>, lang: Lang) -> &'static str {
    match (status, lang) {
        (Some(Status::Planning), Lang::En) => "planning",
        (Some(Status::Planning), Lang::Zh) => "规划中",
        (Some(Status::Pending), Lang::En) => "pending",
        (Some(Status::Pending), Lang::Zh) => "待处理",
        (Some(Status::InProgress), Lang::En) => "in progress",
        (Some(Status::InProgress), Lang::Zh) => "进行中",
        (Some(Status::Completed), Lang::En) => "completed",
        (Some(Status::Completed), Lang::Zh) => "已完成",
        (None, Lang::En) => "changed",
        (None, Lang::Zh) => "已变更",
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

/// What the API shows of a notification (seed 001 §7.1).
#[derive(Debug, Clone, Serialize)]
pub struct NotificationView {
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: NotificationKind,
    pub type_display: &'static str,
    pub title: String,
    pub content: String,
    pub task_id: Option<u64>,
    pub project_id: Option<u64>,
    pub is_read: bool,
    pub created_at: Timestamp,
    /// The push message's name for `created_at` (seed 001 §9.2).
    pub timestamp: Timestamp,
}

impl NotificationView {
    pub fn of(record: &NotificationRecord, lang: Lang) -> NotificationView {
        let (title, content) = record.wording(lang);
        NotificationView {
            id: record.id,
            kind: record.kind,
            type_display: record.kind.display(lang),
            title,
            content,
            task_id: record.task_id,
            project_id: record.project_id,
            is_read: record.is_read,
            created_at: record.created_at,
            timestamp: record.created_at,
        }
    }
}
