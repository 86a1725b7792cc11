//! The notifier: consumes domain events and pushes to WebSocket connections.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use teamsync::{ApiError, AppContext};

pub struct Notifier {
    ctx: AppContext,
}

impl Notifier {
    pub fn new(ctx: AppContext) -> Notifier {
        Notifier { ctx }
    }

    pub async fn handle(&self, event: EventBridgeEvent<serde_json::Value>) -> Result<(), ApiError> {
        let _ = (&self.ctx, event);
        Ok(())
    }
}
