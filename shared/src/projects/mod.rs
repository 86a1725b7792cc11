//! Projects and their three-level task trees (seed 001 §3, §4 and the supplement 4.8–4.12).

pub mod access;
pub mod attachments;
pub mod dependencies;
pub mod manage;
pub mod membership;
pub mod model;
pub mod partition;
pub mod progress;
pub mod repo;
pub mod seen;
pub mod summary;
pub mod tally;
pub mod tasks;
