//! Domain events. After a change commits, one event per change goes to the EventBridge bus:
//! source `teamsync`, the detail-type names what happened, the detail carries the ids (and
//! the inbox items the change wrote). The notifier turns them into WebSocket pushes; other
//! consumers can subscribe with rules of their own.
//!
//! Publishing is best effort by design: the change and its notifications are already
//! stored when the event leaves, so a failed publish costs only the realtime push and is
//! logged, never reported to the client as a failed write.

use serde::{Deserialize, Serialize};

pub const SOURCE: &str = "teamsync";

/// What happened; its name is the event's detail-type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    ProjectCreated,
    ProjectUpdated,
    ProjectArchived,
    ProjectDeleted,
    ProjectMembersChanged,
    TaskCreated,
    TaskUpdated,
    TaskDeleted,
    AttachmentAdded,
    AttachmentDeleted,
    TeamUpdated,
    MemberInvited,
    MemberRoleChanged,
    MemberRemoved,
    /// A session ended (logout, password change, a reused refresh token): its WebSockets
    /// are closed. The detail names the user.
    SessionEnded,
}

impl EventKind {
    /// The event's detail-type: the variant's name.
    pub fn detail_type(self) -> String {
        crate::names::name_of(&self)
    }

    pub fn from_detail_type(text: &str) -> Option<EventKind> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// An inbox item a change wrote, for the notifier to push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRef {
    pub id: u64,
    pub user_id: u64,
}

/// The ids a change concerns. Consumers read current state by id rather than trusting a
/// copy in the event, so a late or repeated event never pushes stale data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    /// Who made the change.
    pub actor_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<u64>,
    /// The member a team event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<NoticeRef>,
}

impl EventDetail {
    pub fn by(actor_id: u64) -> EventDetail {
        EventDetail { actor_id, ..EventDetail::default() }
    }

    pub fn in_project(mut self, team_id: u64, project_id: u64) -> EventDetail {
        self.team_id = Some(team_id);
        self.project_id = Some(project_id);
        self
    }

    pub fn task(mut self, task_id: u64) -> EventDetail {
        self.task_id = Some(task_id);
        self
    }

    pub fn in_team(mut self, team_id: u64) -> EventDetail {
        self.team_id = Some(team_id);
        self
    }

    pub fn about(mut self, user_id: u64) -> EventDetail {
        self.user_id = Some(user_id);
        self
    }

    pub fn notices(mut self, notifications: Vec<NoticeRef>) -> EventDetail {
        self.notifications = notifications;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainEvent {
    pub kind: EventKind,
    pub detail: EventDetail,
}

impl DomainEvent {
    pub fn new(kind: EventKind, detail: EventDetail) -> DomainEvent {
        DomainEvent { kind, detail }
    }
}

/// PutEvents takes at most this many entries.
const MAX_ENTRIES: usize = 10;

/// The bus that domain events are published to.
#[derive(Clone, Debug)]
pub struct EventBus {
    /// `None` in a function that publishes nothing: it does not link the EventBridge client.
    client: Option<aws_sdk_eventbridge::Client>,
    /// `None`: publishing is switched off (no bus configured).
    bus: Option<String>,
}

impl EventBus {
    pub fn new(client: Option<aws_sdk_eventbridge::Client>, bus: Option<String>) -> EventBus {
        EventBus { client, bus }
    }

    pub async fn publish(&self, event: DomainEvent) {
        self.publish_all(vec![event]).await;
    }

    /// Publishes events in order, ten to a request. Failures are logged (see the module
    /// notes): the change they describe has committed either way.
    pub async fn publish_all(&self, events: Vec<DomainEvent>) {
        let Some(bus) = &self.bus else {
            return;
        };
        let Some(client) = &self.client else {
            tracing::error!(events = events.len(), "events not published: this function was built without EventBridge");
            return;
        };
        for chunk in events.chunks(MAX_ENTRIES) {
            let mut request = client.put_events();
            for event in chunk {
                let detail = match serde_json::to_string(&event.detail) {
                    Ok(detail) => detail,
                    Err(error) => {
                        tracing::error!(%error, kind = event.kind.detail_type(), "event detail not serialisable");
                        continue;
                    }
                };
                request = request.entries(
                    aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
                        .event_bus_name(bus)
                        .source(SOURCE)
                        .detail_type(event.kind.detail_type())
                        .detail(detail)
                        .build(),
                );
            }
            let kinds: Vec<String> = chunk.iter().map(|e| e.kind.detail_type()).collect();
            match request.send().await {
                Ok(output) if output.failed_entry_count() > 0 => {
                    let codes: Vec<&str> = output.entries().iter().filter_map(|e| e.error_code()).collect();
                    tracing::error!(?kinds, ?codes, "some domain events were not published");
                }
                Ok(_) => {}
                Err(error) => {
                    let error = aws_sdk_eventbridge::error::DisplayErrorContext(&error);
                    tracing::error!(?kinds, %error, "domain events were not published");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_types_round_trip() {
        for name in crate::names::variants::<EventKind>() {
            let kind = EventKind::from_detail_type(name).unwrap();
            assert_eq!(&kind.detail_type(), name);
        }
        assert_eq!(EventKind::TaskCreated.detail_type(), "TaskCreated");
        assert_eq!(EventKind::from_detail_type("Unknown"), None);
    }
}
