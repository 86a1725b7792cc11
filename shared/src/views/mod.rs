//! Views of tasks grouped by status or by date (seed 001 §5): the kanban, the gantt and the
//! calendar of one project (`project`) and across the caller's projects (`across`), and the
//! dashboards (`dashboard`).
//!
//! A view that groups shows a member only the tasks they see in full (their own, and those
//! nobody has yet): a column or a day would tell a hidden task's status or dates. Admins see
//! every task. Filters narrow that, never widen it.

pub mod across;
pub mod dashboard;
pub mod project;

use std::collections::HashSet;

use jiff::civil::Date;

use crate::auth::Caller;
use crate::projects::access;
use crate::projects::model::TaskRecord;
use crate::projects::seen::Seen;

/// Which of the tasks a view may show it does show: its filters.
pub type Keep<'a> = dyn Fn(&TaskRecord) -> bool + Sync + 'a;

/// Whose tasks a view shows: all the caller may see, or only those assigned to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Whose {
    #[default]
    All,
    Mine,
}

/// The ids of the tasks of `seen` a grouping view may show `caller`, in id order.
pub fn groupable(seen: &Seen, caller: &Caller, whose: Whose) -> Vec<u64> {
    seen.data
        .tasks
        .iter()
        .filter(|t| access::sees_task(caller, seen.access, t))
        .filter(|t| whose == Whose::All || t.assignee_id == Some(caller.user_id))
        .map(|t| t.id)
        .collect()
}

/// The days a task spans: from its start to its end date; a task with one of them spans
/// that day alone, a task with neither no day at all.
pub fn span(task: &TaskRecord) -> Option<(Date, Date)> {
    match (task.start_date, task.end_date) {
        (Some(start), Some(end)) => Some((start.min(end), end.max(start))),
        (Some(day), None) | (None, Some(day)) => Some((day, day)),
        (None, None) => None,
    }
}

/// The ids in `ids` whose tasks' parents are not among them: the roots of the forest they
/// form (a main task, or a visible task under a hidden parent).
pub fn roots(seen: &Seen, ids: &HashSet<u64>) -> Vec<u64> {
    seen.data
        .tasks
        .iter()
        .filter(|t| ids.contains(&t.id) && t.parent_id.is_none_or(|p| !ids.contains(&p)))
        .map(|t| t.id)
        .collect()
}
