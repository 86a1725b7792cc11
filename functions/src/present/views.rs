//! What the kanban, gantt and calendar look like (seed 001 §5, and the keys the client
//! reads beside the seed's).

use jiff::civil::Date;
use serde::Serialize;

use teamsync::messages::Lang;
use teamsync::projects::model::{Priority, Status, TaskRecord};
use teamsync::projects::partition::ProjectData;
use teamsync::projects::progress;
use teamsync::views::project::{Board, Calendar, Gantt, Scale};

use crate::present::i18n;
use crate::present::projects::PersonRef;

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
