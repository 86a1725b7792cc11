//! What the API shows of a notification (seed 001 §7.1), over HTTP and in pushes.

use jiff::Timestamp;
use serde::Serialize;
use teamsync::messages::Lang;
use teamsync::notifications::inbox::Inbox;
use teamsync::notifications::model::{NotificationKind, NotificationRecord};
use teamsync::paging::Page;

use crate::present::i18n::{notification_type, notification_wording};

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
        let (title, content) = notification_wording(record, lang);
        NotificationView {
            id: record.id,
            kind: record.kind,
            type_display: notification_type(record.kind, lang),
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

/// A page of the inbox, with the count of unread notifications.
#[derive(Debug, Serialize)]
pub struct InboxPage {
    pub unread_count: usize,
    #[serde(flatten)]
    pub page: Page<NotificationView>,
}

impl InboxPage {
    pub fn of(inbox: Inbox, lang: Lang) -> InboxPage {
        InboxPage {
            unread_count: inbox.unread_count,
            page: inbox.page.map(|record| NotificationView::of(&record, lang)),
        }
    }
}
