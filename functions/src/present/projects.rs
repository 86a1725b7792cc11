//! What projects and tasks look like to a caller (seed 001 §3, §4, the supplement and the
//! client doc), redaction included.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use teamsync::auth::Caller;
use teamsync::identity::model::Role;
use teamsync::messages::{Lang, Msg};
use teamsync::projects::access::{self, Access};
use teamsync::projects::dependencies::Dependencies;
use teamsync::projects::model::{HistoryRecord, MAX_LEVEL, Priority, ProjectRecord, Status, TaskRecord};
use teamsync::projects::partition::ProjectData;
use teamsync::projects::progress::{self, TaskStats};
use teamsync::projects::seen::{Layout, Seen, TaskSeen, TasksSeen};
use teamsync::projects::summary::ProjectSummary;

#[derive(Debug, Clone, Serialize)]
pub struct PersonRef {
    pub id: u64,
    pub username: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub id: u64,
    pub username: String,
    pub role: Role,
    pub avatar: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    pub id: u64,
    pub team_id: u64,
    pub title: String,
    pub description: String,
    pub status: Status,
    pub progress: f64,
    pub is_archived: bool,
    pub archived_at: Option<Timestamp>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub member_count: usize,
    pub total_tasks: usize,
    pub completed_tasks: usize,
    pub overdue_task_count: usize,
    pub created_by: PersonRef,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<MemberView>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_stats: Option<TaskStats>,
}

impl ProjectView {
    /// A list item: the project with its counts, read without its tasks.
    pub fn summary(summary: &ProjectSummary) -> ProjectView {
        ProjectView::with_stats(&summary.project, summary.members.len(), summary.overdue.len()).0
    }

    /// The project and its counts: as kept, with `overdue` found.
    fn with_stats(project: &ProjectRecord, member_count: usize, overdue: usize) -> (ProjectView, TaskStats) {
        let stats = TaskStats::counted(&project.tally, overdue);
        let view = ProjectView {
            id: project.id,
            team_id: project.team_id,
            title: project.title.clone(),
            description: project.description.clone(),
            status: project.status,
            progress: project.tally.progress(),
            is_archived: project.is_archived(),
            archived_at: project.archived_at,
            start_date: project.start_date,
            end_date: project.end_date,
            member_count,
            total_tasks: stats.total,
            completed_tasks: stats.completed,
            overdue_task_count: stats.overdue,
            created_by: PersonRef { id: project.created_by, username: project.created_by_name.clone() },
            created_at: project.created_at,
            updated_at: project.updated_at,
            version: project.version,
            members: None,
            task_stats: None,
        };
        (view, stats)
    }

    /// The detail: with members and task statistics.
    pub fn full(data: &ProjectData, today: Date) -> ProjectView {
        let members: Vec<MemberView> = data
            .active_members()
            .map(|m| MemberView { id: m.user_id, username: m.username.clone(), role: m.role, avatar: m.avatar.clone() })
            .collect();
        let overdue = data.tasks.iter().filter(|t| progress::is_overdue(t, today)).count();
        let (summary, stats) = ProjectView::with_stats(&data.project, members.len(), overdue);
        ProjectView { members: Some(members), task_stats: Some(stats), ..summary }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AssigneeView {
    pub id: u64,
    pub username: String,
    pub avatar: Option<String>,
}

/// A task the caller may see in full.
#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub id: u64,
    pub project_id: u64,
    pub parent_id: Option<u64>,
    pub level: u8,
    pub path: String,
    pub title: String,
    pub description: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<AssigneeView>,
    pub assignee_id: Option<u64>,
    pub assignee_name: Option<String>,
    pub assignee_avatar: Option<String>,
    pub created_by: u64,
    pub created_by_id: u64,
    pub created_by_name: String,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub subtask_count: usize,
    pub completed_subtask_count: usize,
    pub progress: f64,
    pub normal_flag: &'static str,
    pub is_overdue: bool,
    pub is_overdue_notified: bool,
    pub can_view: bool,
    pub can_edit: bool,
    pub can_have_subtasks: bool,
    /// The tasks it depends on, and those of them not finished yet.
    pub dependencies: Vec<u64>,
    pub blocked_by: Vec<u64>,
    pub is_blocked: bool,
    pub version: u64,
    /// Shown as `children` and again as `subtasks` (the client reads either).
    #[serde(flatten, serialize_with = "children_and_subtasks")]
    pub children: Option<Vec<TaskItem>>,
    /// In the task detail only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<teamsync::projects::attachments::AttachmentView>>,
}

/// A task of the caller's project that is not theirs to see (DESIGN §2b): who does it, its
/// description, dates and real status stay hidden.
#[derive(Debug, Clone, Serialize)]
pub struct RedactedTask {
    pub id: u64,
    pub project_id: u64,
    pub parent_id: Option<u64>,
    pub level: u8,
    pub title: String,
    pub status: &'static str,
    pub assignee: Option<AssigneeView>,
    pub can_view: bool,
    pub message: String,
    /// Shown as `children` and again as `subtasks`.
    #[serde(flatten, serialize_with = "children_and_subtasks")]
    pub children: Option<Vec<TaskItem>>,
}

/// A task's children under both names the clients read, `children` and `subtasks`; nothing
/// where a view has none (a flat list, a single task).
fn children_and_subtasks<S: Serializer>(children: &Option<Vec<TaskItem>>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    if let Some(children) = children {
        map.serialize_entry("children", children)?;
        map.serialize_entry("subtasks", children)?;
    }
    map.end()
}

#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum TaskItem {
    Full(Box<TaskView>),
    Redacted(RedactedTask),
}

/// A task's dependencies, as a change of them answers.
#[derive(Debug, Serialize)]
pub struct DependencyView {
    pub task_id: u64,
    pub dependencies: Vec<u64>,
    pub blocked_by: Vec<u64>,
    pub is_blocked: bool,
}

impl DependencyView {
    pub fn of(links: &Dependencies) -> DependencyView {
        DependencyView {
            task_id: links.task_id,
            dependencies: links.depends_on.clone(),
            blocked_by: links.blocked_by.clone(),
            is_blocked: !links.blocked_by.is_empty(),
        }
    }
}

/// A project's tasks as a list shows them (supplement 4.8).
#[derive(Debug, Serialize)]
pub struct TaskList {
    pub items: Vec<TaskItem>,
}

impl TaskList {
    /// The tasks the list chose, as a tree of main tasks with their `children` or flat.
    pub fn of(listed: &TasksSeen, caller: &Caller, lang: Lang) -> TaskList {
        let seen = &listed.seen;
        let renderer = TaskRenderer::new(&seen.data, caller, seen.access, seen.today, lang);
        let shown = |task: &TaskRecord| listed.shown.contains(&task.id);
        let tasks = seen.data.tasks.iter().filter(|t| shown(t));
        let items = match listed.layout {
            Layout::Flat => tasks.map(|t| renderer.item(t)).collect(),
            Layout::Tree => tasks.filter(|t| t.level == 1).map(|t| renderer.subtree(t, &shown)).collect(),
        };
        TaskList { items }
    }
}

/// A task's history (seed 4.7), newest first.
#[derive(Debug, Serialize)]
pub struct HistoryView {
    pub task_id: u64,
    pub histories: Vec<HistoryEntryView>,
}

#[derive(Debug, Serialize)]
pub struct HistoryEntryView {
    pub id: u64,
    /// The task's id again on each entry, where the client reads it.
    pub task_id: u64,
    pub changed_by: PersonRef,
    pub changed_by_name: String,
    pub field_name: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub changed_at: Timestamp,
}

impl HistoryView {
    pub fn of(task_id: u64, entries: Vec<HistoryRecord>) -> HistoryView {
        let histories = entries
            .into_iter()
            .map(|h| HistoryEntryView {
                id: h.id,
                task_id,
                changed_by_name: h.changed_by_name.clone(),
                changed_by: PersonRef { id: h.changed_by, username: h.changed_by_name },
                field_name: h.field_name,
                old_value: h.old_value,
                new_value: h.new_value,
                changed_at: h.changed_at,
            })
            .collect();
        HistoryView { task_id, histories }
    }
}

/// Renders tasks of one project for one caller.
pub struct TaskRenderer<'a> {
    data: &'a ProjectData,
    caller: &'a Caller,
    access: Access,
    today: Date,
    lang: Lang,
    children: HashMap<u64, Vec<&'a TaskRecord>>,
}

impl<'a> TaskRenderer<'a> {
    pub fn new(data: &'a ProjectData, caller: &'a Caller, access: Access, today: Date, lang: Lang) -> Self {
        TaskRenderer { data, caller, access, today, lang, children: data.children() }
    }

    /// For a task as one route read it.
    pub fn of(seen: &'a Seen, caller: &'a Caller, lang: Lang) -> Self {
        TaskRenderer::new(&seen.data, caller, seen.access, seen.today, lang)
    }

    /// A task's detail: in full, with its attachments, or redacted.
    pub fn detail(&self, task: TaskSeen) -> TaskItem {
        match self.item(&task.task) {
            TaskItem::Full(mut view) => {
                view.attachments = task.attachments;
                TaskItem::Full(view)
            }
            redacted => redacted,
        }
    }

    pub fn sees(&self, task: &TaskRecord) -> bool {
        access::sees_task(self.caller, self.access, task)
    }

    pub fn children_of(&self, task_id: u64) -> &[&'a TaskRecord] {
        self.children.get(&task_id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// One task, in full or redacted, without children.
    pub fn item(&self, task: &TaskRecord) -> TaskItem {
        if self.sees(task) {
            TaskItem::Full(Box::new(self.full(task)))
        } else {
            TaskItem::Redacted(self.redacted(task))
        }
    }

    /// One task and, below it, the children `keep` lets through.
    pub fn subtree(&self, task: &TaskRecord, keep: &dyn Fn(&TaskRecord) -> bool) -> TaskItem {
        let children: Vec<TaskItem> =
            self.children_of(task.id).iter().filter(|c| keep(c)).map(|c| self.subtree(c, keep)).collect();
        match self.item(task) {
            TaskItem::Full(mut view) => {
                view.children = Some(children);
                TaskItem::Full(view)
            }
            TaskItem::Redacted(mut view) => {
                view.children = Some(children);
                TaskItem::Redacted(view)
            }
        }
    }

    pub fn full(&self, task: &TaskRecord) -> TaskView {
        let person = task.assignee_id.and_then(|id| self.data.person(id));
        let assignee =
            person.map(|p| AssigneeView { id: p.user_id, username: p.username.clone(), avatar: p.avatar.clone() });
        let children = self.children_of(task.id);
        let writable = !self.data.project.is_archived();
        let blocked_by = self.data.blocked_by(task.id);
        TaskView {
            id: task.id,
            project_id: task.project_id,
            parent_id: task.parent_id,
            level: task.level,
            path: task.path.clone(),
            title: task.title.clone(),
            description: task.description.clone(),
            status: task.status,
            priority: task.priority,
            assignee_id: task.assignee_id,
            assignee_name: assignee.as_ref().map(|a| a.username.clone()),
            assignee_avatar: assignee.as_ref().and_then(|a| a.avatar.clone()),
            assignee,
            created_by: task.created_by,
            created_by_id: task.created_by,
            created_by_name: self.data.creator_name(task),
            start_date: task.start_date,
            end_date: task.end_date,
            created_at: task.created_at,
            updated_at: task.updated_at,
            subtask_count: children.len(),
            completed_subtask_count: children.iter().filter(|c| c.status == Status::Completed).count(),
            progress: progress::task_progress(task, &self.children),
            normal_flag: progress::normal_flag(task, self.today),
            is_overdue: progress::is_overdue(task, self.today),
            is_overdue_notified: task.is_overdue_notified,
            can_view: true,
            can_edit: writable,
            can_have_subtasks: writable && task.level < MAX_LEVEL && task.assignee_id == Some(self.caller.user_id),
            dependencies: self.data.links.predecessors(task.id),
            is_blocked: !blocked_by.is_empty(),
            blocked_by,
            version: task.version,
            children: None,
            attachments: None,
        }
    }

    pub fn redacted(&self, task: &TaskRecord) -> RedactedTask {
        RedactedTask {
            id: task.id,
            project_id: task.project_id,
            parent_id: task.parent_id,
            level: task.level,
            title: task.title.clone(),
            status: "private",
            assignee: None,
            can_view: false,
            message: crate::present::render(&Msg::TaskHidden, self.lang),
            children: None,
        }
    }
}
