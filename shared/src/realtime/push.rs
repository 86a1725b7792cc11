//! Pushes to WebSocket connections through API Gateway's `@connections` management API.

use aws_sdk_apigatewaymanagement::operation::delete_connection::DeleteConnectionError;
use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use serde::Serialize;

/// What became of one push (or one close).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Sent, or closed.
    Sent,
    /// The connection no longer exists (410): forget it.
    Gone,
    /// Anything else (throttling, a network error): logged, retried by nobody; the inbox
    /// keeps what matters.
    Failed,
}

#[derive(Clone, Debug)]
pub struct Pusher {
    /// `None` when no WebSocket endpoint is configured: nothing is pushed.
    client: Option<aws_sdk_apigatewaymanagement::Client>,
}

impl Pusher {
    pub fn new(client: Option<aws_sdk_apigatewaymanagement::Client>) -> Pusher {
        Pusher { client }
    }

    pub async fn send(&self, connection_id: &str, message: &impl Serialize) -> Delivery {
        let Some(client) = &self.client else {
            return Delivery::Failed;
        };
        let body = match serde_json::to_vec(message) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, "push message not serialisable");
                return Delivery::Failed;
            }
        };
        let sent = client.post_to_connection().connection_id(connection_id).data(Blob::new(body)).send().await;
        match sent {
            Ok(_) => Delivery::Sent,
            Err(error) if matches!(error.as_service_error(), Some(PostToConnectionError::GoneException(_))) => {
                Delivery::Gone
            }
            Err(error) => {
                let error = aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&error);
                tracing::warn!(connection_id, %error, "push failed");
                Delivery::Failed
            }
        }
    }

    /// Closes a connection from the server's side (its session has ended). One that is
    /// gone already is fine.
    pub async fn close(&self, connection_id: &str) -> Delivery {
        let Some(client) = &self.client else {
            return Delivery::Failed;
        };
        match client.delete_connection().connection_id(connection_id).send().await {
            Ok(_) => Delivery::Sent,
            Err(error) if matches!(error.as_service_error(), Some(DeleteConnectionError::GoneException(_))) => {
                Delivery::Gone
            }
            Err(error) => {
                let error = aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&error);
                tracing::warn!(connection_id, %error, "closing a connection failed");
                Delivery::Failed
            }
        }
    }
}
