//! Counts kept as tasks change, so that lists and dashboards need not read every task: per
//! project its tasks by status, its main tasks and their progress summed ([`ProjectTally`]);
//! per user the tasks assigned to them and how many of those are completed
//! ([`WorkloadRecord`]). Every write of a task stages its tally in the same transaction, and
//! the counts always equal [`recount`] of the tasks.
//!
//! They stay exact under concurrent writes. Additions commute. A main task's progress moves
//! with its tree, so a change that can move it (a task of the tree created, deleted or given
//! another status) also saves the main task, under its version: of two such changes in one
//! tree at once only one commits, and the delta each adds to the project's sum is the one
//! between the states it read.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::context::AppContext;
use crate::error::Error;
use crate::keys;
use crate::projects::model::{ProjectTally, Status, TaskRecord, WorkloadRecord};
use crate::projects::partition::{ProjectData, children_of};
use crate::projects::progress;
use crate::store::{self, Record, Transaction};

/// A task as read and as it will be (`None`: it does not exist on that side).
pub type TaskChange<'a> = (Option<&'a TaskRecord>, Option<&'a TaskRecord>);

/// The changes of one transaction to the tasks of one project.
pub struct Tally<'a> {
    data: &'a ProjectData,
    changes: Vec<TaskChange<'a>>,
}

impl<'a> Tally<'a> {
    /// For changes to the project as `data` holds it before them.
    pub fn of(data: &'a ProjectData) -> Tally<'a> {
        Tally { data, changes: Vec::new() }
    }

    pub fn change(mut self, before: Option<&'a TaskRecord>, after: Option<&'a TaskRecord>) -> Tally<'a> {
        self.changes.push((before, after));
        self
    }

    /// Stages every count the changes move: the project's, its main tasks', its users'.
    pub fn stage(&self, tx: Transaction, now: Timestamp) -> Transaction {
        let tx = stage_workloads(tx, &self.changes);
        let tx = self.main_tasks_to_save().into_iter().fold(tx, |tx, main| {
            let mut saved = main.clone();
            saved.touch(now);
            tx.save(main, &mut saved, now).0
        });
        tx.add_all(&self.data.project.key(), &self.project_deltas())
    }

    /// What the changes add to the project's counters.
    fn project_deltas(&self) -> Vec<(&'static str, i64)> {
        let before = recount(&self.data.tasks);
        let after = recount(&self.tasks_after());
        let mut deltas: Vec<(&'static str, i64)> = Status::all()
            .into_iter()
            .map(|status| (ProjectTally::attribute_of(status), after.tasks_in(status) - before.tasks_in(status)))
            .collect();
        deltas.push((ProjectTally::MAIN_TASKS, after.main_tasks - before.main_tasks));
        deltas.push((ProjectTally::MAIN_PROGRESS, after.main_progress_tenths - before.main_progress_tenths));
        deltas
    }

    /// The main tasks, as read, of the trees whose progress a change may move, unless a change
    /// saves that main task itself.
    fn main_tasks_to_save(&self) -> Vec<&'a TaskRecord> {
        let changed = |id: u64| self.changes.iter().any(|(b, a)| b.or(*a).is_some_and(|t| t.id == id));
        let mut roots: Vec<u64> =
            self.changes.iter().filter(|c| may_move_progress(c)).filter_map(root_of).filter(|r| !changed(*r)).collect();
        roots.sort_unstable();
        roots.dedup();
        roots.into_iter().filter_map(|root| self.data.tasks.iter().find(|t| t.id == root)).collect()
    }

    /// The project's tasks once the changes are made.
    fn tasks_after(&self) -> Vec<TaskRecord> {
        let mut tasks = self.data.tasks.clone();
        for (before, after) in &self.changes {
            if let Some(gone) = before.or(*after) {
                tasks.retain(|t| t.id != gone.id);
            }
            if let Some(after) = after {
                tasks.push((*after).clone());
            }
        }
        tasks
    }
}

/// The workloads of users, by id, in one BatchGet (a user without one has no tasks yet).
pub async fn workloads(
    ctx: &AppContext,
    user_ids: impl IntoIterator<Item = u64>,
) -> Result<HashMap<u64, WorkloadRecord>, Error> {
    let wanted: Vec<keys::Key> = user_ids.into_iter().map(keys::workload).collect();
    let found = ctx.db.get_many(&wanted).await?;
    let mut workloads = HashMap::new();
    for (key, item) in found {
        let Some(user_id) = keys::id_of(&key.pk) else { continue };
        let workload: WorkloadRecord = store::from_item(item)?;
        workloads.insert(user_id, WorkloadRecord { user_id, ..workload });
    }
    Ok(workloads)
}

/// What the counts of a project with `tasks` are: the definition the kept counts follow.
pub fn recount(tasks: &[TaskRecord]) -> ProjectTally {
    let children = children_of(tasks);
    let mut tally = ProjectTally::default();
    for task in tasks {
        match task.status {
            Status::Planning => tally.tasks_planning += 1,
            Status::Pending => tally.tasks_pending += 1,
            Status::InProgress => tally.tasks_in_progress += 1,
            Status::Completed => tally.tasks_completed += 1,
        }
        if task.level == 1 {
            tally.main_tasks += 1;
            tally.main_progress_tenths += (progress::task_progress(task, &children) * 10.0).round() as i64;
        }
    }
    tally
}

/// Stages the users' counts the changes move. A project being deleted, whose own counts go
/// with it, stages only these; so do changes that cannot move a project's counts.
pub fn stage_workloads(tx: Transaction, changes: &[TaskChange<'_>]) -> Transaction {
    let mut per_user: HashMap<u64, (i64, i64)> = HashMap::new();
    for (before, after) in changes {
        for (task, sign) in [(before, -1), (after, 1)] {
            if let Some(task) = task
                && let Some(assignee) = task.assignee_id
            {
                let counts = per_user.entry(assignee).or_default();
                counts.0 += sign;
                counts.1 += sign * i64::from(task.status == Status::Completed);
            }
        }
    }
    let mut users: Vec<(u64, (i64, i64))> = per_user.into_iter().collect();
    users.sort_unstable_by_key(|(user, _)| *user);
    users.into_iter().fold(tx, |tx, (user, (assigned, completed))| {
        let counters = [(WorkloadRecord::ASSIGNED, assigned), (WorkloadRecord::COMPLETED, completed)];
        tx.add_all(&keys::workload(user), &counters)
    })
}

/// A change can move its tree's progress: a task comes or goes, or its status changes.
fn may_move_progress((before, after): &TaskChange<'_>) -> bool {
    match (before, after) {
        (Some(before), Some(after)) => before.status != after.status,
        _ => true,
    }
}

/// The main task of the tree a changed task is in.
fn root_of((before, after): &TaskChange<'_>) -> Option<u64> {
    let task = before.or(*after)?;
    Some(task.path.split('/').find_map(|id| id.parse().ok()).unwrap_or(task.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projects::progress::round1;
    use Status::*;

    /// A task under the ancestors in `path` (`/1/3`; empty for a main task).
    fn task(id: u64, path: &str, status: Status) -> TaskRecord {
        let ancestors: Vec<u64> = path.split('/').filter_map(|id| id.parse().ok()).collect();
        let level = ancestors.len() as u8 + 1;
        let parent_id = ancestors.last().copied();
        TaskRecord { id, project_id: 1, parent_id, level, path: path.into(), status, ..TaskRecord::default() }
    }

    #[test]
    fn a_projects_progress_is_the_mean_of_its_main_tasks_completed_leaves() {
        // Leaves under 1: 2 (done), and 3's children 31 (done) and 32 → 2 of 3.
        let tasks = vec![
            task(1, "", InProgress),
            task(2, "/1", Completed),
            task(3, "/1", InProgress),
            task(31, "/1/3", Completed),
            task(32, "/1/3", Planning),
            task(6, "", Completed),
            task(7, "", Pending),
        ];
        let tally = recount(&tasks);
        assert_eq!((tally.main_tasks, tally.tasks_completed, tally.total()), (3, 3, 7));
        assert_eq!(tally.progress(), round1((66.666_666 + 100.0 + 0.0) / 3.0));
        assert_eq!(recount(&[]).progress(), 0.0);
    }

    #[test]
    fn a_changes_deltas_take_the_counts_from_one_recount_to_the_next() {
        let tasks = vec![task(1, "", InProgress), task(2, "/1", Completed), task(3, "/1", Planning)];
        let data = ProjectData {
            project: crate::projects::model::ProjectRecord { tally: recount(&tasks), ..Default::default() },
            members: Vec::new(),
            tasks,
            links: Default::default(),
        };
        let done = task(3, "/1", Completed);
        let added = task(4, "/1", Planning);
        let tally = Tally::of(&data).change(data.tasks.get(2), Some(&done)).change(None, Some(&added));
        let expected = recount(&tally.tasks_after());
        let before = data.project.tally;
        for (attribute, delta) in tally.project_deltas() {
            let moved = |t: &ProjectTally| match attribute {
                ProjectTally::MAIN_TASKS => t.main_tasks,
                ProjectTally::MAIN_PROGRESS => t.main_progress_tenths,
                name => Status::all()
                    .into_iter()
                    .find(|s| ProjectTally::attribute_of(*s) == name)
                    .map_or(0, |s| t.tasks_in(s)),
            };
            assert_eq!(moved(&before) + delta, moved(&expected), "{attribute}");
        }
        // The main task is saved (a subtask's status moved), not the changed subtask itself.
        assert_eq!(tally.main_tasks_to_save().iter().map(|t| t.id).collect::<Vec<_>>(), vec![1]);
    }
}
