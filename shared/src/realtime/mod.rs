//! Realtime: WebSocket connections, their project channels, and pushes to them.

pub mod connections;
pub mod push;
