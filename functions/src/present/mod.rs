//! What answers and pushes look like: the shapes the API documents, and every text in the
//! reader's language. The HTTP and WebSocket edges both render through here; the domain
//! hands over what it read or changed and never words it.

pub mod i18n;
pub mod identity;
pub mod notifications;
pub mod projects;
pub mod team;
pub mod views;

pub use i18n::{lang_of, render};
