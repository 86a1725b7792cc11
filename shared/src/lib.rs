//! TeamSync's domain crate: the model, the rules, storage, authentication and the API
//! envelope that every Lambda function shares. Functions stay thin: they parse, call one
//! function here, and render.

pub mod auth;
pub mod bucket;
pub mod config;
pub mod context;
pub mod dates;
pub mod error;
pub mod events;
pub mod files;
pub mod idempotency;
pub mod identity;
pub mod keys;
pub mod messages;
pub mod names;
pub mod notifications;
pub mod paging;
pub mod plan;
pub mod projects;
pub mod realtime;
pub mod reminders;
pub mod store;
pub mod team;
pub mod transport;
pub mod validate;
pub mod views;

pub use context::AppContext;
pub use error::Error;
