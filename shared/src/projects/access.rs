//! Who may do what with a project and its tasks. Every route asks here; handlers never
//! decide.
//!
//! - The super admin administers every project; a team admin, their team's projects.
//! - A member sees the projects they are on, and the details of the tasks assigned to
//!   them or to nobody yet (those they may claim); other tasks come back redacted.
//! - Anyone else is told the project does not exist (404), so ids reveal nothing.

use crate::auth::Caller;
use crate::error::Error;
use crate::messages::Msg;
use crate::projects::model::{ProjectRecord, TaskRecord};
use crate::projects::partition::{ProjectData, project_not_found};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Sees nothing: not told the project exists.
    None,
    /// On the project: sees it, and full details of their own tasks.
    Member,
    /// Administers it: the super admin, or a team admin of its team.
    Admin,
}

pub fn administers(caller: &Caller, project: &ProjectRecord) -> bool {
    caller.role.administers(caller.team_id, project.team_id)
}

pub fn access(caller: &Caller, data: &ProjectData) -> Access {
    access_to(caller, &data.project, data.is_member(caller.user_id))
}

/// [`access`] to a project whose current membership of the caller is known.
pub fn access_to(caller: &Caller, project: &ProjectRecord, is_member: bool) -> Access {
    if administers(caller, project) {
        Access::Admin
    } else if is_member {
        Access::Member
    } else {
        Access::None
    }
}

/// The caller may see the project: a member or an admin. Others get 404.
pub fn require_visible(caller: &Caller, data: &ProjectData) -> Result<Access, Error> {
    match access(caller, data) {
        Access::None => Err(project_not_found()),
        visible => Ok(visible),
    }
}

/// The caller administers the project: others who can see it get 403, the rest 404.
pub fn require_admin(caller: &Caller, data: &ProjectData) -> Result<(), Error> {
    match require_visible(caller, data)? {
        Access::Admin => Ok(()),
        _ => Err(Error::forbidden()),
    }
}

/// Writes to an archived project, or to its tasks, are refused.
pub fn require_writable(project: &ProjectRecord) -> Result<(), Error> {
    if project.is_archived() {
        Err(Error::Rule { msg: Msg::ArchivedIsReadOnly, fields: Default::default() })
    } else {
        Ok(())
    }
}

/// Full details of a task: admins and its assignee; and, while nobody has it, everyone on
/// the project, who may claim it.
pub fn sees_task(caller: &Caller, access: Access, task: &TaskRecord) -> bool {
    match task.assignee_id {
        _ if access == Access::Admin => true,
        Some(assignee) => assignee == caller.user_id,
        None => access == Access::Member,
    }
}

/// Changing a task's fields or status: admins and its assignee.
pub fn require_task_editor(caller: &Caller, access: Access, task: &TaskRecord) -> Result<(), Error> {
    if sees_task(caller, access, task) { Ok(()) } else { Err(Error::Forbidden(Msg::TaskHidden)) }
}
