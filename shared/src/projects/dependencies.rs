//! Finish-to-start dependencies between tasks of one project (the seed's gantt
//! `dependencies`): a task waits for the tasks it depends on. Admins and the dependent task's
//! assignee make and remove them. A link must stay within the project and must not close a
//! cycle; the project's links are one record, changed under its version, so two links made
//! at once cannot close a cycle between them either.
//!
//! Whoever sees a task in full sees what it depends on and which of those are unfinished
//! (`blocked_by`): knowing what blocks you is the point of a dependency, so that much of a
//! predecessor's status is shown even where its other details are hidden.

use std::collections::HashSet;

use jiff::Timestamp;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::error::{Error, Guard};
use crate::messages::Msg;
use crate::plan::Plan;
use crate::projects::access;
use crate::projects::model::{Link, LinksRecord};
use crate::projects::partition::ProjectData;
use crate::projects::tasks::load_task;
use crate::store::{Record, Transaction};

/// A project holds at most this many links: its one record stays far below DynamoDB's item
/// size limit.
pub const MAX_LINKS: usize = 5_000;

/// A task's dependencies after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependencies {
    pub task_id: u64,
    /// What it depends on, in id order.
    pub depends_on: Vec<u64>,
    /// Those not finished yet.
    pub blocked_by: Vec<u64>,
}

impl Dependencies {
    fn of(data: &ProjectData, task_id: u64) -> Dependencies {
        Dependencies { task_id, depends_on: data.links.predecessors(task_id), blocked_by: data.blocked_by(task_id) }
    }
}

/// Makes `task_id` depend on `depends_on`. `created` is false when the link was there
/// already (nothing is written then).
pub async fn add(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    depends_on: u64,
    now: Timestamp,
) -> Result<Plan<(Dependencies, bool)>, Error> {
    let (mut data, _, access) = load_task(ctx, caller, task_id, now).await?;
    access::require_task_editor(caller, access, data.task(task_id)?)?;
    access::require_writable(&data.project)?;
    // Another project's task, or none: one answer, so ids of other projects reveal nothing.
    if data.task(depends_on).is_err() {
        return Err(Error::rule("depends_on", Msg::DependencyOutsideProject));
    }
    let link = Link { task_id, depends_on };
    if data.links.links.contains(&link) {
        return Ok(Plan::new(ctx.db.transaction(), (Dependencies::of(&data, task_id), false)));
    }
    if depends_on == task_id || waits_for(&data.links, depends_on, task_id) {
        return Err(Error::rule("depends_on", Msg::DependencyCycle));
    }
    if data.links.links.len() >= MAX_LINKS {
        return Err(Error::rule("depends_on", Msg::TooManyDependencies { max: MAX_LINKS }));
    }
    let before = data.links.clone();
    data.links.links.push(link);
    data.links.links.sort_unstable();
    let writes = stage(ctx.db.transaction(), &before, &mut data.links, now);
    Ok(Plan::new(writes, (Dependencies::of(&data, task_id), true)))
}

/// Removes the link from `task_id` to `depends_on`; 404 when there is none.
pub async fn remove(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    depends_on: u64,
    now: Timestamp,
) -> Result<Plan<Dependencies>, Error> {
    let (mut data, _, access) = load_task(ctx, caller, task_id, now).await?;
    access::require_task_editor(caller, access, data.task(task_id)?)?;
    access::require_writable(&data.project)?;
    let before = data.links.clone();
    data.links.links.retain(|l| *l != Link { task_id, depends_on });
    if data.links.links.len() == before.links.len() {
        return Err(Error::not_found(Msg::DependencyNotFound));
    }
    let writes = stage(ctx.db.transaction(), &before, &mut data.links, now);
    Ok(Plan::new(writes, Dependencies::of(&data, task_id)))
}

/// Stages a change of the project's links under the version they were read at: the first
/// link of a project creates the record, and of two firsts at once one is refused.
fn stage(tx: Transaction, before: &LinksRecord, after: &mut LinksRecord, now: Timestamp) -> Transaction {
    if before.version == 0 {
        after.touch(now);
        tx.create(after, Guard::Version)
    } else {
        tx.save(before, after, now).0
    }
}

/// Stages the removal of a task being deleted from the links it is in, if any.
pub fn forget_task(tx: Transaction, links: &LinksRecord, task_id: u64, now: Timestamp) -> Transaction {
    match without_task(links, task_id) {
        Some(mut kept) => stage(tx, links, &mut kept, now),
        None => tx,
    }
}

/// The links without any of `task_id`'s: `None` when it had none.
fn without_task(links: &LinksRecord, task_id: u64) -> Option<LinksRecord> {
    let kept: Vec<Link> =
        links.links.iter().copied().filter(|l| l.task_id != task_id && l.depends_on != task_id).collect();
    (kept.len() != links.links.len()).then(|| LinksRecord { links: kept, ..links.clone() })
}

/// Whether `from` waits, directly or through others, for `target`.
fn waits_for(links: &LinksRecord, from: u64, target: u64) -> bool {
    let mut seen = HashSet::new();
    let mut next = vec![from];
    while let Some(task) = next.pop() {
        if task == target {
            return true;
        }
        if seen.insert(task) {
            next.extend(links.predecessors(task));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(pairs: &[(u64, u64)]) -> LinksRecord {
        let links = pairs.iter().map(|&(task_id, depends_on)| Link { task_id, depends_on }).collect();
        LinksRecord { project_id: 1, links, version: 1 }
    }

    #[test]
    fn a_chain_waits_for_its_far_end_and_not_the_other_way() {
        let chain = links(&[(3, 2), (2, 1)]);
        assert!(waits_for(&chain, 3, 1));
        assert!(!waits_for(&chain, 1, 3));
        assert!(!waits_for(&chain, 2, 3));
    }

    #[test]
    fn a_diamond_is_no_cycle_and_its_walk_ends() {
        let diamond = links(&[(4, 2), (4, 3), (2, 1), (3, 1)]);
        assert!(waits_for(&diamond, 4, 1));
        assert!(!waits_for(&diamond, 1, 4));
    }

    #[test]
    fn a_deleted_task_takes_its_links_in_both_directions() {
        let chain = links(&[(3, 2), (2, 1), (4, 1)]);
        let kept = without_task(&chain, 2).unwrap();
        assert_eq!(kept.links, vec![Link { task_id: 4, depends_on: 1 }]);
        assert_eq!(without_task(&chain, 9), None);
    }
}
