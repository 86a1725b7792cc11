//! One project's kanban, gantt and calendar, each read in one Query of its partition.

use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::error::Error;
use crate::messages::Msg;
use crate::projects::manage;
use crate::projects::model::Status;
use crate::projects::seen::Seen;
use crate::views::{Keep, Whose, groupable, roots, span};

/// A kanban: one column per status, in the statuses' order.
#[derive(Debug, Clone)]
pub struct Board {
    pub seen: Seen,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub status: Status,
    /// Task ids, in id order.
    pub tasks: Vec<u64>,
}

pub async fn kanban(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    whose: Whose,
    now: Timestamp,
) -> Result<Board, Error> {
    let seen = manage::get_project(ctx, caller, project_id, now).await?;
    Ok(board(seen, caller, whose, &|_| true))
}

/// The kanban of a project as read for `caller`, of the tasks `keep` lets through.
pub fn board(seen: Seen, caller: &Caller, whose: Whose, keep: &Keep<'_>) -> Board {
    let shown: Vec<u64> =
        groupable(&seen, caller, whose).into_iter().filter(|id| seen.data.task(*id).is_ok_and(keep)).collect();
    let columns = Status::all()
        .into_iter()
        .map(|status| Column {
            status,
            tasks: shown.iter().copied().filter(|id| seen.data.task(*id).is_ok_and(|t| t.status == status)).collect(),
        })
        .collect();
    Board { seen, columns }
}

/// The gantt's time scale (`view_mode`): the client draws it, the tasks are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    #[default]
    Day,
    Week,
    Month,
}

/// The gantt's request: an optional window of days, and the scale.
#[derive(Debug, Clone, Copy, Default)]
pub struct GanttQuery {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub scale: Scale,
}

/// A gantt: trees of tasks (`roots` and, under them, the `shown` children), and the window.
#[derive(Debug, Clone)]
pub struct Gantt {
    pub seen: Seen,
    pub scale: Scale,
    /// The window asked for; where a side is not given, the span of the tasks shown.
    pub range: (Option<Date>, Option<Date>),
    pub roots: Vec<u64>,
    pub shown: HashSet<u64>,
}

/// A project's gantt (seed 001 §5.1). Admins get every main task with its tree; a member
/// the trees of the tasks they see in full. With a window, a tree is shown when its root's
/// days meet the window (an undated root then is not).
pub async fn gantt(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    query: GanttQuery,
    now: Timestamp,
) -> Result<Gantt, Error> {
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(Error::field("end_date", Msg::StartAfterEnd));
    }
    let seen = manage::get_project(ctx, caller, project_id, now).await?;
    Ok(chart(seen, caller, query, &|_| true))
}

/// The gantt of a project as read for `caller`, of the tasks `keep` lets through (a task
/// whose parent it does not is drawn as a tree of its own).
pub fn chart(seen: Seen, caller: &Caller, query: GanttQuery, keep: &Keep<'_>) -> Gantt {
    let visible: HashSet<u64> =
        groupable(&seen, caller, Whose::All).into_iter().filter(|id| seen.data.task(*id).is_ok_and(keep)).collect();
    let in_window = |id: &u64| {
        let days = seen.data.task(*id).ok().and_then(span);
        match (query.from, query.to) {
            (None, None) => true,
            (from, to) => {
                days.is_some_and(|(start, end)| from.is_none_or(|f| end >= f) && to.is_none_or(|t| start <= t))
            }
        }
    };
    let tree_roots: Vec<u64> = roots(&seen, &visible).into_iter().filter(in_window).collect();
    let shown: HashSet<u64> = seen
        .data
        .tasks
        .iter()
        .filter(|t| visible.contains(&t.id))
        .filter(|t| tree_roots.contains(&t.id) || path_of(&t.path).any(|a| tree_roots.contains(&a)))
        .map(|t| t.id)
        .collect();
    let spans: Vec<(Date, Date)> = shown.iter().filter_map(|id| seen.data.task(*id).ok().and_then(span)).collect();
    let range =
        (query.from.or_else(|| spans.iter().map(|s| s.0).min()), query.to.or_else(|| spans.iter().map(|s| s.1).max()));
    Gantt { seen, scale: query.scale, range, roots: tree_roots, shown }
}

/// The ancestors' ids in a task's path (`/1/12`).
fn path_of(path: &str) -> impl Iterator<Item = u64> + '_ {
    path.split('/').filter_map(|id| id.parse().ok())
}

/// A month of a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i16,
    pub month: i8,
}

impl Month {
    pub fn of(day: Date) -> Month {
        Month { year: day.year(), month: day.month() }
    }

    pub fn first_day(self) -> Result<Date, Error> {
        Date::new(self.year, self.month, 1).map_err(|_| Error::field("month", Msg::OutOfRange { min: 1, max: 12 }))
    }
}

/// A calendar: the month's days that have tasks, and every task they hold once.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub seen: Seen,
    pub month: Month,
    pub days: Vec<Day>,
    /// The tasks on any of the days, each once, in id order.
    pub items: Vec<u64>,
}

#[derive(Debug, Clone)]
pub struct Day {
    pub date: Date,
    pub entries: Vec<Entry>,
}

/// A task on a day: its start day, or its due day (`is_due`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub task_id: u64,
    pub is_due: bool,
}

/// A project's calendar (seed 001 §5.3): each task on its start day and on its due day, for
/// the days of `month` (by default this month in the team's time zone).
pub async fn calendar(
    ctx: &AppContext,
    caller: &Caller,
    project_id: u64,
    month: Option<Month>,
    whose: Whose,
    now: Timestamp,
) -> Result<Calendar, Error> {
    if let Some(month) = month {
        month.first_day()?;
    }
    let seen = manage::get_project(ctx, caller, project_id, now).await?;
    let month = month.unwrap_or(Month::of(seen.today));
    Ok(month_of(seen, caller, month, whose, &|_| true))
}

/// The calendar of a project's `month` as read for `caller`, of the tasks `keep` lets
/// through.
pub fn month_of(seen: Seen, caller: &Caller, month: Month, whose: Whose, keep: &Keep<'_>) -> Calendar {
    let mut days: BTreeMap<Date, Vec<Entry>> = BTreeMap::new();
    let in_month = |day: Date| Month::of(day) == month;
    for id in groupable(&seen, caller, whose) {
        let Ok(task) = seen.data.task(id) else { continue };
        if !keep(task) {
            continue;
        }
        if let Some(start) = task.start_date.filter(|d| in_month(*d) && Some(*d) != task.end_date) {
            days.entry(start).or_default().push(Entry { task_id: id, is_due: false });
        }
        if let Some(due) = task.end_date.filter(|d| in_month(*d)) {
            days.entry(due).or_default().push(Entry { task_id: id, is_due: true });
        }
    }
    let mut items: Vec<u64> = days.values().flatten().map(|e| e.task_id).collect();
    items.sort_unstable();
    items.dedup();
    let days = days.into_iter().map(|(date, entries)| Day { date, entries }).collect();
    Calendar { seen, month, days, items }
}
