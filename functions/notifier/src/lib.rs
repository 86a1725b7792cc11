//! The notifier: takes every domain event from the bus (template.yaml's rule) and pushes
//! to WebSocket connections. The rules live in `teamsync::realtime::deliver`.
//!
//! An event it cannot read is logged and dropped (retrying would not help); a storage
//! failure is returned, so EventBridge and Lambda retry it and, at last, dead-letter it. A
//! retried event may push a message twice; clients key notifications and tasks by id.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use jiff::Timestamp;
use teamsync::events::{EventDetail, EventKind};
use teamsync::realtime::deliver;
use teamsync::{AppContext, Error};

pub struct Notifier {
    ctx: AppContext,
}

impl Notifier {
    pub fn new(ctx: AppContext) -> Notifier {
        Notifier { ctx }
    }

    pub async fn handle(&self, event: EventBridgeEvent<serde_json::Value>) -> Result<(), Error> {
        let Some(kind) = EventKind::from_detail_type(&event.detail_type) else {
            tracing::warn!(detail_type = event.detail_type, "an event of a kind the notifier does not know");
            return Ok(());
        };
        let detail: EventDetail = match serde_json::from_value(event.detail) {
            Ok(detail) => detail,
            Err(error) => {
                tracing::error!(%error, detail_type = event.detail_type, "an event whose detail cannot be read");
                return Ok(());
            }
        };
        let report = deliver::deliver(&self.ctx, kind, &detail, Timestamp::now()).await?;
        tracing::info!(detail_type = event.detail_type, ?report, "delivered");
        Ok(())
    }
}
