//! Progress, overdue flags and task counts, derived from a project's tasks.
//!
//! A task's progress is 100 when it is completed, else the share of completed leaves in
//! its subtree (a leaf that is not completed counts 0). A project's progress is the mean
//! over its main tasks, 0 when it has none.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::projects::model::{ProjectTally, Status, TaskRecord};

pub fn task_progress(task: &TaskRecord, children: &HashMap<u64, Vec<&TaskRecord>>) -> f64 {
    if task.status == Status::Completed {
        return 100.0;
    }
    let (done, all) = leaves(task, children);
    if all == 0 { 0.0 } else { round1(100.0 * done as f64 / all as f64) }
}

/// (completed leaves, leaves) under a task, the task itself when it has no children.
fn leaves(task: &TaskRecord, children: &HashMap<u64, Vec<&TaskRecord>>) -> (usize, usize) {
    match children.get(&task.id) {
        None => (usize::from(task.status == Status::Completed), 1),
        Some(kids) if kids.is_empty() => (usize::from(task.status == Status::Completed), 1),
        Some(kids) => kids.iter().fold((0, 0), |(done, all), kid| {
            let (d, a) = leaves(kid, children);
            (done + d, all + a)
        }),
    }
}

pub fn project_progress(tasks: &[TaskRecord], children: &HashMap<u64, Vec<&TaskRecord>>) -> f64 {
    let mains: Vec<&TaskRecord> = tasks.iter().filter(|t| t.level == 1).collect();
    if mains.is_empty() {
        return 0.0;
    }
    round1(mains.iter().map(|t| task_progress(t, children)).sum::<f64>() / mains.len() as f64)
}

/// Past its end date (in the team's time zone) and not completed.
pub fn is_overdue(task: &TaskRecord, today: Date) -> bool {
    task.status != Status::Completed && task.end_date.is_some_and(|end| end < today)
}

pub fn normal_flag(task: &TaskRecord, today: Date) -> &'static str {
    if is_overdue(task, today) { "overdue" } else { "normal" }
}

/// Counts of tasks by status, and overdue ones (seed 001 §3.3 `task_stats`, §4.12).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct TaskStats {
    pub total: usize,
    pub planning: usize,
    pub pending: usize,
    pub in_progress: usize,
    pub completed: usize,
    pub overdue: usize,
}

impl TaskStats {
    /// A project's counts as kept ([`ProjectTally`]), with the overdue tasks found.
    pub fn counted(tally: &ProjectTally, overdue: usize) -> TaskStats {
        let count = |status| usize::try_from(tally.tasks_in(status)).unwrap_or(0);
        TaskStats {
            total: usize::try_from(tally.total()).unwrap_or(0),
            planning: count(Status::Planning),
            pending: count(Status::Pending),
            in_progress: count(Status::InProgress),
            completed: count(Status::Completed),
            overdue,
        }
    }

    /// Counts of `tasks` themselves.
    pub fn of<'a>(tasks: impl IntoIterator<Item = &'a TaskRecord>, today: Date) -> TaskStats {
        let mut stats = TaskStats::default();
        for task in tasks {
            stats.total += 1;
            match task.status {
                Status::Planning => stats.planning += 1,
                Status::Pending => stats.pending += 1,
                Status::InProgress => stats.in_progress += 1,
                Status::Completed => stats.completed += 1,
            }
            stats.overdue += usize::from(is_overdue(task, today));
        }
        stats
    }
}

/// Rounded to one decimal, as the seed shows (`45.5`).
pub fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: u64, parent: Option<u64>, level: u8, status: Status) -> TaskRecord {
        TaskRecord { id, project_id: 1, parent_id: parent, level, status, ..TaskRecord::default() }
    }

    fn children(tasks: &[TaskRecord]) -> HashMap<u64, Vec<&TaskRecord>> {
        let mut map: HashMap<u64, Vec<&TaskRecord>> = HashMap::new();
        for t in tasks {
            if let Some(p) = t.parent_id {
                map.entry(p).or_default().push(t);
            }
        }
        map
    }

    #[test]
    fn progress_counts_completed_leaves() {
        use Status::*;
        let tasks = vec![
            task(1, None, 1, InProgress),
            task(2, Some(1), 2, Completed),
            task(3, Some(1), 2, InProgress),
            task(4, Some(3), 3, Completed),
            task(5, Some(3), 3, Planning),
            task(6, None, 1, Completed),
            task(7, None, 1, Pending),
        ];
        let kids = children(&tasks);
        // Leaves under 1: 2 (done), 4 (done), 5 → 2 of 3.
        assert_eq!(task_progress(&tasks[0], &kids), 66.7);
        assert_eq!(task_progress(&tasks[5], &kids), 100.0);
        assert_eq!(task_progress(&tasks[6], &kids), 0.0);
    }

    #[test]
    fn overdue_means_past_due_and_open() {
        let today = Date::new(2026, 11, 21).unwrap();
        let mut open = task(1, None, 1, Status::InProgress);
        open.end_date = Some(Date::new(2026, 11, 20).unwrap());
        let mut done = open.clone();
        done.status = Status::Completed;
        let mut due_today = open.clone();
        due_today.end_date = Some(today);
        assert_eq!(normal_flag(&open, today), "overdue");
        assert_eq!(normal_flag(&done, today), "normal");
        assert_eq!(normal_flag(&due_today, today), "normal");
        let stats = TaskStats::of([&open, &done, &due_today], today);
        assert_eq!((stats.total, stats.completed, stats.in_progress, stats.overdue), (3, 1, 2, 1));
    }
}
