//! The scheduler: runs on template.yaml's schedule (every 15 minutes) and sends the due
//! reminders and overdue notices that are owed. The rules live in `teamsync::reminders`.
//!
//! "Now" is the scheduled event's `time`, never the clock: a late or replayed event does
//! what a punctual one would have done at that time.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use jiff::Timestamp;
use teamsync::reminders::{self, RunReport};
use teamsync::{AppContext, Error};

use crate::{EventHandler, api, typed};

pub struct Scheduler {
    ctx: AppContext,
}

impl Scheduler {
    pub fn new(ctx: AppContext) -> Scheduler {
        Scheduler { ctx }
    }

    pub async fn handle(&self, event: EventBridgeEvent<serde_json::Value>) -> Result<RunReport, Error> {
        let time = event.time.ok_or_else(|| Error::bug("a scheduled event without a time"))?;
        let now = Timestamp::from_millisecond(time.timestamp_millis()).map_err(Error::caused)?;
        let report = api::commit(&self.ctx, reminders::run(&self.ctx, now).await?).await?;
        tracing::info!(?report, "reminders run");
        Ok(report)
    }
}

/// The scheduler as its runtime calls it: a retryable failure fails the invocation (the
/// run is repeated, and a task's step is taken once however often it runs).
pub fn handler(ctx: AppContext) -> EventHandler {
    let scheduler = std::sync::Arc::new(Scheduler::new(ctx));
    typed(move |event: EventBridgeEvent<serde_json::Value>| {
        let scheduler = scheduler.clone();
        async move { crate::retry_if_transient(scheduler.handle(event).await) }
    })
}

/// The AWS clients this function calls. Reminders are announced.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk).events(sdk)
}
