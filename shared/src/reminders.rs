//! Due reminders and overdue notices (seed 001 §9.3, DESIGN §3 "data flow of time").

use jiff::Timestamp;
use serde::Serialize;

use crate::context::AppContext;
use crate::error::ApiError;

/// What one run did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct RunReport {
    pub time: Option<Timestamp>,
    /// Index entries read: the tasks that were due somewhere.
    pub tasks_read: usize,
    /// Items read in all (index entries, projects, teams).
    pub items_read: usize,
    /// Items written in all (tasks, notifications).
    pub items_written: usize,
    pub notifications_written: usize,
    pub overdue: usize,
    pub due_reminders: usize,
}

pub async fn run(ctx: &AppContext, now: Timestamp) -> Result<RunReport, ApiError> {
    let _ = ctx;
    Ok(RunReport { time: Some(now), ..RunReport::default() })
}
