//! A whole project read in one Query of its partition: the project, its members, its tasks.

use std::collections::HashMap;

use crate::error::Error;
use crate::keys;
use crate::messages::Msg;
use crate::projects::model::{LinksRecord, MemberRecord, ProjectRecord, Status, TaskRecord};
use crate::store::{self, Db};

#[derive(Debug, Clone)]
pub struct ProjectData {
    pub project: ProjectRecord,
    /// Current and former members, by user id.
    pub members: Vec<MemberRecord>,
    /// Every task of every level, ordered by id.
    pub tasks: Vec<TaskRecord>,
    /// The dependencies between its tasks (empty, at version 0, before the first).
    pub links: LinksRecord,
}

pub fn project_not_found() -> Error {
    Error::not_found(Msg::ProjectNotFound)
}

pub fn task_not_found() -> Error {
    Error::not_found(Msg::TaskNotFound)
}

impl ProjectData {
    /// Reads the partition; `None` when the project does not exist.
    pub async fn load(db: &Db, project_id: u64) -> Result<Option<ProjectData>, Error> {
        let items = db.query_prefix(None, &keys::project_partition(project_id), "").await?;
        let (mut project, mut members, mut tasks) = (None, Vec::new(), Vec::new());
        let mut links = LinksRecord { project_id, ..LinksRecord::default() };
        for item in items {
            let sort_key = store::string_attr(&item, keys::SK);
            if sort_key == keys::PROJECT {
                project = Some(store::from_item::<ProjectRecord>(item)?);
            } else if sort_key.starts_with(keys::MEMBER_PREFIX) {
                let member = store::from_item::<MemberRecord>(item)?;
                members.push(MemberRecord { project_id, ..member });
            } else if sort_key.starts_with(keys::TASK_PREFIX) {
                tasks.push(store::from_item::<TaskRecord>(item)?);
            } else if sort_key == keys::LINKS {
                links = store::from_item::<LinksRecord>(item)?;
            }
        }
        Ok(project.map(|project| ProjectData { project, members, tasks, links }))
    }

    pub async fn load_existing(db: &Db, project_id: u64) -> Result<ProjectData, Error> {
        Self::load(db, project_id).await?.ok_or_else(project_not_found)
    }

    pub fn active_members(&self) -> impl Iterator<Item = &MemberRecord> {
        self.members.iter().filter(|m| !m.former)
    }

    pub fn is_member(&self, user_id: u64) -> bool {
        self.active_members().any(|m| m.user_id == user_id)
    }

    /// Anyone who ever was on the project, for display.
    pub fn person(&self, user_id: u64) -> Option<&MemberRecord> {
        self.members.iter().find(|m| m.user_id == user_id)
    }

    /// The name to show for a task's creator: as the project knows them now (member items
    /// follow renames), else as the task kept it, else (a task stored before tasks kept it,
    /// made by an admin who is not on the project) the project creator's if it is theirs,
    /// else their id.
    pub fn creator_name(&self, task: &TaskRecord) -> String {
        let by = task.created_by;
        self.person(by)
            .map(|member| member.username.clone())
            .or_else(|| task.created_by_name.clone())
            .or_else(|| (self.project.created_by == by).then(|| self.project.created_by_name.clone()))
            .unwrap_or_else(|| by.to_string())
    }

    pub fn task(&self, task_id: u64) -> Result<&TaskRecord, Error> {
        self.tasks.iter().find(|t| t.id == task_id).ok_or_else(task_not_found)
    }

    /// Puts a task's new state in place of its old one.
    pub fn replace_task(&mut self, task: &TaskRecord) {
        if let Some(slot) = self.tasks.iter_mut().find(|t| t.id == task.id) {
            *slot = task.clone();
        }
    }

    /// The tasks `task_id` depends on that have not finished: what blocks it.
    pub fn blocked_by(&self, task_id: u64) -> Vec<u64> {
        let open = |id: &u64| self.tasks.iter().any(|t| t.id == *id && t.status != Status::Completed);
        self.links.predecessors(task_id).into_iter().filter(open).collect()
    }

    /// Each task's direct children, by parent id.
    pub fn children(&self) -> HashMap<u64, Vec<&TaskRecord>> {
        children_of(&self.tasks)
    }
}

/// Each task's direct children among `tasks`, by parent id.
pub fn children_of(tasks: &[TaskRecord]) -> HashMap<u64, Vec<&TaskRecord>> {
    let mut children: HashMap<u64, Vec<&TaskRecord>> = HashMap::new();
    for task in tasks {
        if let Some(parent) = task.parent_id {
            children.entry(parent).or_default().push(task);
        }
    }
    children
}
