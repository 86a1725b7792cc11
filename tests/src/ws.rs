//! A WebSocket client for the black-box tests: connects to the stack's WebSocket API as the
//! app does (`?token=<access token>`) and speaks JSON text frames.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::Url;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::{Stack, contract};

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Stack {
    /// Connects to the WebSocket API; Err is the HTTP status of a refused handshake.
    pub async fn connect_ws(&self, token: Option<&str>) -> Result<WsClient, u16> {
        let mut url = Url::parse(&self.local.ws_url).expect("the stack's WebSocket URL");
        if let Some(token) = token {
            url.query_pairs_mut().append_pair("token", token);
        }
        match connect_async(url.as_str()).await {
            Ok((socket, _)) => Ok(WsClient { socket }),
            Err(Error::Http(response)) => Err(response.status().as_u16()),
            Err(error) => panic!("WebSocket handshake with {url}: {error}"),
        }
    }
}

impl WsClient {
    pub async fn send_json(&mut self, message: &Value) {
        self.socket.send(Message::text(message.to_string())).await.expect("the WebSocket takes a message");
    }

    /// The next text frame as JSON (a text that is not JSON comes as a JSON string); None
    /// when the connection ends or nothing comes within `timeout`. Panics on a message the
    /// API's document does not describe.
    pub async fn next_json(&mut self, timeout: Duration) -> Option<Value> {
        let next_text = async {
            while let Some(Ok(frame)) = self.socket.next().await {
                match frame {
                    Message::Text(text) => {
                        let message = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.to_string()));
                        if let Err(problem) = contract::check_ws_message(&message) {
                            panic!("a WebSocket message breaks the API's document: {problem}");
                        }
                        return Some(message);
                    }
                    Message::Close(_) => return None,
                    _ => {}
                }
            }
            None
        };
        tokio::time::timeout(timeout, next_text).await.ok().flatten()
    }

    /// The next message that `wanted` accepts, skipping others: pushes are asynchronous, so
    /// one caused by an earlier change may still arrive first.
    pub async fn next_matching(&mut self, wanted: impl Fn(&Value) -> bool, timeout: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self.next_json(left).await?;
            if wanted(&message) {
                return Some(message);
            }
        }
    }

    /// Whether the server ends the connection within `timeout` (a close frame, or the stream
    /// ending), skipping any messages still on their way.
    pub async fn closed_by_server(&mut self, timeout: Duration) -> bool {
        let ended = async {
            loop {
                match self.socket.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => {}
                }
            }
        };
        tokio::time::timeout(timeout, ended).await.is_ok()
    }

    /// Closes with the close handshake: sends the close frame and reads to the server's.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
        while let Some(Ok(_)) = self.socket.next().await {}
    }
}
