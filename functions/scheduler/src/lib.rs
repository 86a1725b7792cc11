//! The scheduler: runs on template.yaml's schedule (every 15 minutes) and sends the due
//! reminders and overdue notices that are owed. The rules live in `teamsync::reminders`.
//!
//! "Now" is the scheduled event's `time`, never the clock: a late or replayed event does
//! what a punctual one would have done at that time.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use jiff::Timestamp;
use teamsync::api;
use teamsync::reminders::{self, RunReport};
use teamsync::{AppContext, Error};

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
