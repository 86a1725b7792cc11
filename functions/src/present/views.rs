//! What the kanban, gantt and calendar look like (seed 001 §5, and the keys the client
//! reads beside the seed's).

use jiff::civil::Date;
use serde::Serialize;

use teamsync::auth::Caller;
use teamsync::messages::Lang;
use teamsync::projects::model::{Priority, Status, TaskRecord};
use teamsync::projects::partition::ProjectData;
use teamsync::projects::progress;
use teamsync::projects::seen::TasksSeen;
use teamsync::views::dashboard::{AdminDashboard, MemberDashboard};
use teamsync::views::project::{Board, Calendar, Gantt, Month, Scale};

use crate::present::i18n;
use crate::present::projects::{PersonRef, TaskItem, TaskList};

/// The colours a project's people are drawn in: a user keeps one colour in every project
/// and every view, by id.
const PEOPLE_COLOURS: [&str; 10] =
    ["#0D9488", "#0891B2", "#7C3AED", "#DB2777", "#EA580C", "#65A30D", "#2563EB", "#CA8A04", "#DC2626", "#475569"];

pub fn colour_of(user_id: u64) -> &'static str {
    PEOPLE_COLOURS[(user_id % PEOPLE_COLOURS.len() as u64) as usize]
}

/// The seed's colour of a kanban column.
fn column_colour(status: Status) -> &'static str {
    match status {
        Status::Planning => "#94A3B8",
        Status::Pending => "#F59E0B",
        Status::InProgress => "#0D9488",
        Status::Completed => "#10B981",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ColouredPerson {
    pub id: u64,
    pub username: String,
    pub color: &'static str,
}

fn person(data: &ProjectData, user_id: Option<u64>) -> Option<PersonRef> {
    let member = data.person(user_id?)?;
    Some(PersonRef { id: member.user_id, username: member.username.clone() })
}

fn coloured(data: &ProjectData, user_id: Option<u64>) -> Option<ColouredPerson> {
    person(data, user_id).map(|p| ColouredPerson { color: colour_of(p.id), id: p.id, username: p.username })
}

#[derive(Debug, Serialize)]
pub struct KanbanView {
    pub project_id: u64,
    pub columns: Vec<ColumnView>,
}

#[derive(Debug, Serialize)]
pub struct ColumnView {
    pub id: Status,
    pub title: &'static str,
    pub color: &'static str,
    pub tasks: Vec<Card>,
}

/// A task on a kanban.
#[derive(Debug, Serialize)]
pub struct Card {
    pub id: u64,
    pub title: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<PersonRef>,
    pub end_date: Option<Date>,
    pub normal_flag: &'static str,
    pub level: u8,
    pub parent_id: Option<u64>,
}

impl KanbanView {
    pub fn of(board: &Board, lang: Lang) -> KanbanView {
        let data = &board.seen.data;
        let card = |task: &TaskRecord| Card {
            id: task.id,
            title: task.title.clone(),
            status: task.status,
            priority: task.priority,
            assignee: person(data, task.assignee_id),
            end_date: task.end_date,
            normal_flag: progress::normal_flag(task, board.seen.today),
            level: task.level,
            parent_id: task.parent_id,
        };
        let columns = board
            .columns
            .iter()
            .map(|column| ColumnView {
                id: column.status,
                title: i18n::status_title(column.status, lang),
                color: column_colour(column.status),
                tasks: column.tasks.iter().filter_map(|id| data.task(*id).ok()).map(card).collect(),
            })
            .collect();
        KanbanView { project_id: data.project.id, columns }
    }
}

#[derive(Debug, Serialize)]
pub struct GanttView {
    pub project_id: u64,
    pub view_mode: Scale,
    pub date_range: DateRange,
    pub tasks: Vec<Bar>,
    /// The same list as `tasks`: the client reads `items`.
    pub items: Vec<Bar>,
    pub members: Vec<ColouredPerson>,
}

#[derive(Debug, Serialize)]
pub struct DateRange {
    pub start: Option<Date>,
    pub end: Option<Date>,
}

/// A task on a gantt, with its subtasks below it.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub id: u64,
    pub title: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub progress: f64,
    pub status: Status,
    pub level: u8,
    pub parent_id: Option<u64>,
    pub assignee: Option<ColouredPerson>,
    pub dependencies: Vec<u64>,
    pub children: Vec<Bar>,
}

impl GanttView {
    pub fn of(gantt: &Gantt) -> GanttView {
        let data = &gantt.seen.data;
        let children = data.children();
        let bar = |task: &TaskRecord, below: Vec<Bar>| {
            let days = teamsync::views::span(task);
            Bar {
                id: task.id,
                title: task.title.clone(),
                start: days.map(|d| d.0),
                end: days.map(|d| d.1),
                progress: progress::task_progress(task, &children),
                status: task.status,
                level: task.level,
                parent_id: task.parent_id,
                assignee: coloured(data, task.assignee_id),
                dependencies: data.links.predecessors(task.id),
                children: below,
            }
        };
        fn tree(task: &TaskRecord, gantt: &Gantt, bar: &dyn Fn(&TaskRecord, Vec<Bar>) -> Bar) -> Bar {
            let below = gantt
                .seen
                .data
                .tasks
                .iter()
                .filter(|t| t.parent_id == Some(task.id) && gantt.shown.contains(&t.id))
                .map(|t| tree(t, gantt, bar))
                .collect();
            bar(task, below)
        }
        let tasks: Vec<Bar> =
            gantt.roots.iter().filter_map(|id| data.task(*id).ok()).map(|t| tree(t, gantt, &bar)).collect();
        let members = data
            .active_members()
            .map(|m| ColouredPerson { id: m.user_id, username: m.username.clone(), color: colour_of(m.user_id) })
            .collect();
        GanttView {
            project_id: data.project.id,
            view_mode: gantt.scale,
            date_range: DateRange { start: gantt.range.0, end: gantt.range.1 },
            items: tasks.clone(),
            tasks,
            members,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CalendarView {
    pub project_id: u64,
    pub year: i16,
    pub month: i8,
    pub days: Vec<DayView>,
    /// Every task of the month once, with its dates: the client reads `items`.
    pub items: Vec<CalendarTask>,
}

#[derive(Debug, Serialize)]
pub struct DayView {
    pub date: Date,
    pub tasks: Vec<CalendarTask>,
}

#[derive(Debug, Serialize)]
pub struct CalendarTask {
    pub id: u64,
    pub title: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<PersonRef>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    /// On a day: the task is due that day. In `items`: it is due this month.
    pub is_due: bool,
}

impl CalendarView {
    pub fn of(calendar: &Calendar) -> CalendarView {
        let data = &calendar.seen.data;
        let entry = |task: &TaskRecord, is_due: bool| CalendarTask {
            id: task.id,
            title: task.title.clone(),
            status: task.status,
            priority: task.priority,
            assignee: person(data, task.assignee_id),
            start_date: task.start_date,
            end_date: task.end_date,
            is_due,
        };
        let days = calendar
            .days
            .iter()
            .map(|day| DayView {
                date: day.date,
                tasks: day
                    .entries
                    .iter()
                    .filter_map(|e| data.task(e.task_id).ok().map(|t| entry(t, e.is_due)))
                    .collect(),
            })
            .collect();
        let due_this_month =
            |id: u64| calendar.days.iter().flat_map(|d| &d.entries).any(|e| e.task_id == id && e.is_due);
        let items =
            calendar.items.iter().filter_map(|id| data.task(*id).ok().map(|t| entry(t, due_this_month(*id)))).collect();
        CalendarView {
            project_id: data.project.id,
            year: calendar.month.year,
            month: calendar.month.month,
            days,
            items,
        }
    }
}

/// A project as views across projects name it beside each task.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectRef {
    pub id: u64,
    pub title: String,
}

impl ProjectRef {
    fn of(data: &ProjectData) -> ProjectRef {
        ProjectRef { id: data.project.id, title: data.project.title.clone() }
    }
}

/// A view's item with the project it belongs to, for the views across projects.
#[derive(Debug, Serialize)]
pub struct InProject<T> {
    #[serde(flatten)]
    pub item: T,
    pub project: ProjectRef,
}

/// The kanban across projects: the same columns, each project's cards in them.
#[derive(Debug, Serialize)]
pub struct KanbanAcross {
    pub columns: Vec<ColumnAcross>,
}

#[derive(Debug, Serialize)]
pub struct ColumnAcross {
    pub id: Status,
    pub title: &'static str,
    pub color: &'static str,
    pub tasks: Vec<InProject<Card>>,
}

impl KanbanAcross {
    pub fn of(boards: &[Board], lang: Lang) -> KanbanAcross {
        let mut columns: Vec<ColumnAcross> = Status::all()
            .into_iter()
            .map(|status| ColumnAcross {
                id: status,
                title: i18n::status_title(status, lang),
                color: column_colour(status),
                tasks: Vec::new(),
            })
            .collect();
        for board in boards {
            let project = ProjectRef::of(&board.seen.data);
            for column in KanbanView::of(board, lang).columns {
                if let Some(across) = columns.iter_mut().find(|c| c.id == column.id) {
                    across
                        .tasks
                        .extend(column.tasks.into_iter().map(|item| InProject { item, project: project.clone() }));
                }
            }
        }
        KanbanAcross { columns }
    }
}

/// The gantt across projects: each project's trees, everyone drawn in them in their colour.
#[derive(Debug, Serialize)]
pub struct GanttAcross {
    pub view_mode: Scale,
    pub date_range: DateRange,
    pub tasks: Vec<InProject<Bar>>,
    /// The same list as `tasks`: the client reads `items`.
    pub items: Vec<InProject<Bar>>,
    pub members: Vec<ColouredPerson>,
}

impl GanttAcross {
    pub fn of(gantts: &[Gantt], scale: Scale) -> GanttAcross {
        let mut tasks = Vec::new();
        let mut members: Vec<ColouredPerson> = Vec::new();
        let (mut start, mut end): (Option<Date>, Option<Date>) = (None, None);
        for gantt in gantts {
            let project = ProjectRef::of(&gantt.seen.data);
            let view = GanttView::of(gantt);
            start = [start, view.date_range.start].into_iter().flatten().min();
            end = [end, view.date_range.end].into_iter().flatten().max();
            for person in view.members {
                if !members.iter().any(|m| m.id == person.id) {
                    members.push(person);
                }
            }
            tasks.extend(view.tasks.into_iter().map(|item| InProject { item, project: project.clone() }));
        }
        members.sort_by_key(|m| m.id);
        let items = tasks.iter().map(|t| InProject { item: t.item.clone(), project: t.project.clone() }).collect();
        GanttAcross { view_mode: scale, date_range: DateRange { start, end }, tasks, items, members }
    }
}

/// The calendar across projects: each day's tasks of every project.
#[derive(Debug, Serialize)]
pub struct CalendarAcross {
    pub year: i16,
    pub month: i8,
    pub days: Vec<DayAcross>,
    pub items: Vec<InProject<CalendarTask>>,
}

#[derive(Debug, Serialize)]
pub struct DayAcross {
    pub date: Date,
    pub tasks: Vec<InProject<CalendarTask>>,
}

impl CalendarAcross {
    pub fn of(month: Month, calendars: &[Calendar]) -> CalendarAcross {
        let mut days: std::collections::BTreeMap<Date, Vec<InProject<CalendarTask>>> = Default::default();
        let mut items = Vec::new();
        for calendar in calendars {
            let project = ProjectRef::of(&calendar.seen.data);
            let view = CalendarView::of(calendar);
            for day in view.days {
                let tasks = day.tasks.into_iter().map(|item| InProject { item, project: project.clone() });
                days.entry(day.date).or_default().extend(tasks);
            }
            items.extend(view.items.into_iter().map(|item| InProject { item, project: project.clone() }));
        }
        let days = days.into_iter().map(|(date, tasks)| DayAcross { date, tasks }).collect();
        CalendarAcross { year: month.year, month: month.month, days, items }
    }
}

/// The task lists of the caller's projects as one list, each task with its project.
#[derive(Debug, Serialize)]
pub struct ListAcross {
    pub items: Vec<InProject<TaskItem>>,
}

impl ListAcross {
    pub fn of(lists: &[TasksSeen], caller: &Caller, lang: Lang) -> ListAcross {
        let mut items = Vec::new();
        for listed in lists {
            let project = ProjectRef::of(&listed.seen.data);
            let list = TaskList::of(listed, caller, lang);
            items.extend(list.items.into_iter().map(|item| InProject { item, project: project.clone() }));
        }
        ListAcross { items }
    }
}

/// The member dashboard (seed 001 §5.4).
#[derive(Debug, Serialize)]
pub struct MemberDashboardView {
    pub today: Bucket,
    pub this_week: Bucket,
    pub overdue: Bucket,
}

#[derive(Debug, Serialize)]
pub struct Bucket {
    pub total: usize,
    pub tasks: Vec<DueTask>,
}

#[derive(Debug, Serialize)]
pub struct DueTask {
    pub id: u64,
    pub title: String,
    /// The project's title.
    pub project: String,
    pub project_id: u64,
    pub status: Status,
    pub priority: Priority,
    pub end_date: Option<Date>,
    pub is_overdue: bool,
}

impl MemberDashboardView {
    pub fn of(dashboard: &MemberDashboard) -> MemberDashboardView {
        let bucket = |tasks: &[TaskRecord]| Bucket {
            total: tasks.len(),
            tasks: tasks
                .iter()
                .map(|task| DueTask {
                    id: task.id,
                    title: task.title.clone(),
                    project: dashboard.projects.get(&task.project_id).map(|p| p.title.clone()).unwrap_or_default(),
                    project_id: task.project_id,
                    status: task.status,
                    priority: task.priority,
                    end_date: task.end_date,
                    is_overdue: progress::is_overdue(task, dashboard.today),
                })
                .collect(),
        };
        MemberDashboardView {
            today: bucket(&dashboard.due_today),
            this_week: bucket(&dashboard.this_week),
            overdue: bucket(&dashboard.overdue),
        }
    }
}

/// The admin dashboard (seed 001 §5.5), with the flat keys the client reads beside the seed's.
#[derive(Debug, Serialize)]
pub struct AdminDashboardView {
    pub team_id: u64,
    pub project_overview: ProjectOverview,
    pub projects: Vec<ProjectLine>,
    pub member_workload: Vec<Workload>,
    pub total_projects: usize,
    pub active_projects: usize,
    pub archived_projects: usize,
    pub total_tasks: i64,
    pub completion_rate: f64,
    pub overdue_tasks: usize,
    pub overdue_tasks_detail: Vec<OverdueTaskView>,
}

#[derive(Debug, Serialize)]
pub struct ProjectOverview {
    pub total: usize,
    pub active: usize,
    pub archived: usize,
    /// Active projects past their own end date and not completed.
    pub overdue_count: usize,
}

#[derive(Debug, Serialize)]
pub struct ProjectLine {
    pub id: u64,
    pub title: String,
    pub status: Status,
    pub progress: f64,
    pub member_count: usize,
    pub total_tasks: i64,
    pub completed_tasks: i64,
    pub overdue_task_count: usize,
}

#[derive(Debug, Serialize)]
pub struct Workload {
    pub user_id: u64,
    pub username: String,
    pub avatar: Option<String>,
    pub assigned_tasks: i64,
    pub completed_tasks: i64,
    pub overdue_tasks: usize,
    pub completion_rate: f64,
}

#[derive(Debug, Serialize)]
pub struct OverdueTaskView {
    pub id: u64,
    pub title: String,
    pub project: ProjectRef,
    pub assignee: Option<PersonRef>,
    pub end_date: Option<Date>,
    pub days_overdue: i64,
}

/// `part` of `whole` in percent, to one decimal (0 of nothing).
fn rate(part: i64, whole: i64) -> f64 {
    if whole <= 0 { 0.0 } else { progress::round1(100.0 * part as f64 / whole as f64) }
}

impl AdminDashboardView {
    pub fn of(dashboard: &AdminDashboard) -> AdminDashboardView {
        let overdue = dashboard.overdue();
        let archived = dashboard.projects.iter().filter(|p| p.is_archived()).count();
        let total_tasks: i64 = dashboard.projects.iter().map(|p| p.tally.total()).sum();
        let completed: i64 = dashboard.projects.iter().map(|p| p.tally.tasks_completed).sum();
        let projects = dashboard
            .active
            .iter()
            .map(|s| ProjectLine {
                id: s.project.id,
                title: s.project.title.clone(),
                status: s.project.status,
                progress: s.project.tally.progress(),
                member_count: s.members.len(),
                total_tasks: s.project.tally.total(),
                completed_tasks: s.project.tally.tasks_completed,
                overdue_task_count: s.overdue.len(),
            })
            .collect();
        let member_workload = dashboard
            .members
            .iter()
            .map(|(user, workload)| Workload {
                user_id: user.id,
                username: user.username.clone(),
                avatar: user.avatar.clone(),
                assigned_tasks: workload.assigned_tasks,
                completed_tasks: workload.completed_tasks,
                overdue_tasks: overdue.iter().filter(|(_, t)| t.assignee_id == Some(user.id)).count(),
                completion_rate: rate(workload.completed_tasks, workload.assigned_tasks),
            })
            .collect();
        let name_of =
            |user_id: u64| dashboard.members.iter().find(|(u, _)| u.id == user_id).map(|(u, _)| u.username.clone());
        let overdue_tasks_detail = overdue
            .iter()
            .map(|(project, task)| OverdueTaskView {
                id: task.id,
                title: task.title.clone(),
                project: ProjectRef { id: project.id, title: project.title.clone() },
                assignee: task.assignee_id.and_then(|id| name_of(id).map(|username| PersonRef { id, username })),
                end_date: task.end_date,
                days_overdue: task.end_date.map_or(0, |end| (dashboard.today - end).get_days().into()),
            })
            .collect();
        AdminDashboardView {
            team_id: dashboard.team_id,
            project_overview: ProjectOverview {
                total: dashboard.projects.len(),
                active: dashboard.projects.len() - archived,
                archived,
                overdue_count: dashboard.overdue_projects(),
            },
            projects,
            member_workload,
            total_projects: dashboard.projects.len(),
            active_projects: dashboard.projects.len() - archived,
            archived_projects: archived,
            total_tasks,
            completion_rate: rate(completed, total_tasks),
            overdue_tasks: overdue.len(),
            overdue_tasks_detail,
        }
    }
}
