//! The notifier: takes every domain event from the bus (template.yaml's rule) and pushes
//! to WebSocket connections (`deliver`).
//!
//! A failure that trying again may mend (storage throttled or down) is handed back, so
//! EventBridge and Lambda retry the event and, at last, dead-letter it; a permanent one (an
//! event it cannot read, a bug) is logged and the event dropped, since retrying would fail
//! the same way. A retried event may push a message twice; clients key notifications and
//! tasks by id.

mod deliver;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use jiff::Timestamp;
use teamsync::events::{EventDetail, EventKind};
use teamsync::{AppContext, Error};

use crate::{EventHandler, typed};

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

/// The notifier as its runtime calls it: a retryable failure fails the invocation.
pub fn handler(ctx: AppContext) -> EventHandler {
    let notifier = std::sync::Arc::new(Notifier::new(ctx));
    typed(move |event: EventBridgeEvent<serde_json::Value>| {
        let notifier = notifier.clone();
        async move { crate::retry_if_transient(notifier.handle(event).await) }
    })
}

/// The AWS clients this function calls. It reads the table and pushes to connections.
pub fn clients(sdk: &aws_config::SdkConfig, settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk).push(sdk, settings)
}
