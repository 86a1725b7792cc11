//! What the notifier does with a domain event: push each notification the change wrote to
//! every connection of its recipient, and push a task change to the subscribers of its
//! project's channel, each seeing the task as HTTP would show it to them.
//!
//! Pushes are best effort: the inbox already holds what matters. A connection API Gateway
//! reports gone (410) is forgotten, unless it opened moments ago (it may still be in its
//! handshake). Nothing is pushed to a connection whose session has ended: it is closed and
//! forgotten, at the latest when the next push would reach it, and at once when the session
//! ends by logout or a password change (`SessionEnded`).

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

use crate::present::notifications::NotificationView;
use crate::present::projects::TaskRenderer;
use teamsync::context::AppContext;
use teamsync::error::Error;
use teamsync::events::{EventDetail, EventKind};
use teamsync::notifications::inbox;
use teamsync::projects::access::{self, Access};
use teamsync::projects::repo;
use teamsync::realtime::connections::{self, Channel, ConnectionRef};
use teamsync::realtime::push::Delivery;

/// What one event's delivery did, for the logs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Report {
    pub sent: usize,
    pub gone: usize,
    pub failed: usize,
    /// Connections closed because their session had ended.
    pub closed: usize,
}

impl Report {
    fn add(&mut self, delivery: Delivery) {
        match delivery {
            Delivery::Sent => self.sent += 1,
            Delivery::Gone => self.gone += 1,
            Delivery::Failed => self.failed += 1,
        }
    }
}

pub async fn deliver(ctx: &AppContext, kind: EventKind, detail: &EventDetail, now: Timestamp) -> Result<Report, Error> {
    let mut report = Report::default();
    if let (EventKind::SessionEnded, Some(user_id)) = (kind, detail.user_id) {
        live_connections_of(ctx, user_id, now, &mut report).await?;
        return Ok(report);
    }
    for notice in &detail.notifications {
        let Some(record) = inbox::load(ctx, notice.user_id, notice.id, now).await? else {
            continue; // deleted by its owner meanwhile
        };
        for connection in live_connections_of(ctx, notice.user_id, now, &mut report).await? {
            let message = json!({"type": "notification", "data": NotificationView::of(&record, connection.lang)});
            report.add(send(ctx, &connection, &message, now).await?);
        }
    }
    let task_message = match kind {
        EventKind::TaskCreated => "task_created",
        EventKind::TaskUpdated => "task_updated",
        EventKind::TaskDeleted => "task_deleted",
        _ => return Ok(report),
    };
    if let (Some(project_id), Some(task_id)) = (detail.project_id, detail.task_id) {
        push_task_change(ctx, task_message, (detail.team_id, project_id, task_id), now, &mut report).await?;
    }
    Ok(report)
}

/// Sends to the project's subscribers, each the task as they may see it: in full, redacted,
/// or (having lost access to the project) nothing, and their subscription ends.
async fn push_task_change(
    ctx: &AppContext,
    message_type: &str,
    (team_id, project_id, task_id): (Option<u64>, u64, u64),
    now: Timestamp,
    report: &mut Report,
) -> Result<(), Error> {
    let channel = Channel::Project(project_id);
    let subscribers = connections::subscribers(ctx, channel, now).await?;
    if subscribers.is_empty() {
        return Ok(());
    }
    // A deleted project leaves only ids to send.
    let loaded = match repo::load_project_in(ctx, project_id, team_id, now).await {
        Ok(loaded) => Some(loaded),
        Err(Error::NotFound { .. }) => None,
        Err(other) => return Err(other),
    };
    let callers = connections::live_callers(ctx, &subscribers, now).await?;
    let mut messages = Vec::new();
    for (connection, caller) in subscribers.into_iter().zip(callers) {
        let Some(caller) = caller else {
            end(ctx, &connection, report).await?;
            continue;
        };
        let ids = json!({"id": task_id, "project_id": project_id});
        let data = match &loaded {
            Some((data, today)) => match access::access(&caller, data) {
                Access::None => {
                    connections::unsubscribe(ctx, &connection.connection_id, channel).await?;
                    continue;
                }
                access => match data.task(task_id) {
                    Ok(task) => {
                        let item = TaskRenderer::new(data, &caller, access, *today, connection.lang).item(task);
                        serde_json::to_value(item).map_err(Error::caused)?
                    }
                    Err(_) => ids, // deleted
                },
            },
            None => ids,
        };
        messages.push((connection, json!({"type": message_type, "channel": channel.name(), "data": data})));
    }
    // Each subscriber's push is independent of the others': they go out together.
    let sent = futures_util::future::try_join_all(
        messages.iter().map(|(connection, message)| send(ctx, connection, message, now)),
    )
    .await?;
    sent.into_iter().for_each(|delivery| report.add(delivery));
    Ok(())
}

/// A user's connections whose session is still live. Those of ended sessions are closed and
/// forgotten on the way.
async fn live_connections_of(
    ctx: &AppContext,
    user_id: u64,
    now: Timestamp,
    report: &mut Report,
) -> Result<Vec<ConnectionRef>, Error> {
    let all = connections::connections_of(ctx, user_id, now).await?;
    let callers = connections::live_callers(ctx, &all, now).await?;
    let mut live = Vec::new();
    for (connection, caller) in all.into_iter().zip(callers) {
        match caller {
            Some(_) => live.push(connection),
            None => end(ctx, &connection, report).await?,
        }
    }
    Ok(live)
}

/// Closes a connection whose session has ended, and forgets it.
async fn end(ctx: &AppContext, connection: &ConnectionRef, report: &mut Report) -> Result<(), Error> {
    ctx.pusher.close(&connection.connection_id).await;
    report.closed += 1;
    connections::forget(ctx, &connection.connection_id).await
}

/// One push; a connection found gone is forgotten.
async fn send(
    ctx: &AppContext,
    connection: &ConnectionRef,
    message: &Value,
    now: Timestamp,
) -> Result<Delivery, Error> {
    let delivery = ctx.pusher.send(&connection.connection_id, message).await;
    if delivery == Delivery::Gone && connection.is_settled(now) {
        connections::forget(ctx, &connection.connection_id).await?;
    }
    Ok(delivery)
}
