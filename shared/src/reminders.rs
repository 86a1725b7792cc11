//! Due reminders and overdue notices (seed 001 §9.3, DESIGN §3 "data flow of time").
//!
//! The reminders index (gsi3) holds exactly the open tasks still owed a reminder, keyed by
//! the day it is owed (`TaskRecord::next_reminder`): the day before the due date, then the
//! day after. A run reads the index up to the latest "today" anywhere and acts on each task
//! in its team's time zone, with conditional writes that also move the task along or out
//! of the index. So a run reads only what is due (not every task), needs no watermark,
//! catches up after downtime, and two runs at once notify once: the second one's
//! conditions fail.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use futures_util::StreamExt;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::context::AppContext;
use crate::dates;
use crate::error::{Error, Guard, StoreError};
use crate::events::{DomainEvent, EventDetail, EventKind, NoticeRef};
use crate::identity::repo::load_teams;
use crate::keys;
use crate::notifications::inbox;
use crate::notifications::model::{Draft, NotificationKind};
use crate::plan::Plan;
use crate::projects::model::{ProjectRecord, Status, TaskRecord};
use crate::store::{self, Condition, GSI3};

/// What one run did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct RunReport {
    /// The run's "now": the scheduled event's time.
    pub time: Option<Timestamp>,
    /// The last day read from the index: today in the earliest time zone (UTC+14).
    pub read_up_to: Option<Date>,
    /// Tasks the index held as due somewhere.
    pub tasks_read: usize,
    /// Items read in all: index entries, their projects and teams.
    pub items_read: usize,
    /// Items written in all: task updates and notifications.
    pub items_written: usize,
    pub notifications_written: usize,
    pub overdue: usize,
    pub due_reminders: usize,
    /// Steps another run took first (their conditions failed here).
    pub already_done: usize,
}

/// What a task is owed today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Its due date has passed: it is overdue, and its assignee is told once.
    Overdue,
    /// It is due tomorrow: its assignee is reminded once.
    DueReminder,
    /// It became due today without a reminder (created or moved onto today): no reminder
    /// any more, only the overdue notice after today.
    SkipReminder,
}

impl Step {
    fn notifies(self) -> bool {
        self != Step::SkipReminder
    }
}

fn step_for(task: &TaskRecord, today: Date) -> Option<Step> {
    let end = task.end_date?;
    if task.next_reminder()? > today {
        return None; // not yet, in this team's zone
    }
    if end < today {
        Some(Step::Overdue)
    } else if today.tomorrow().ok() == Some(end) {
        Some(Step::DueReminder)
    } else {
        Some(Step::SkipReminder)
    }
}

/// Runs the reminders as of `now`. Each task's step commits on its own; the plan left
/// announces them.
pub async fn run(ctx: &AppContext, now: Timestamp) -> Result<Plan<RunReport>, Error> {
    let read_up_to = (now + SignedDuration::from_hours(14)).to_zoned(TimeZone::UTC).date();
    let mut report = RunReport { time: Some(now), read_up_to: Some(read_up_to), ..RunReport::default() };
    // `~` sorts after the task ids that follow a day in the index's sort keys.
    let entries = ctx.db.query_up_to(Some(GSI3), keys::REMINDERS, &format!("{read_up_to}#~")).await?;
    report.tasks_read = entries.len();
    report.items_read = entries.len();
    let tasks: Vec<TaskRecord> = entries.into_iter().map(store::from_item).collect::<Result<_, _>>()?;
    if tasks.is_empty() {
        return Ok(Plan::new(ctx.db.transaction(), report));
    }

    // Each task's team, for its time zone: the projects, then the teams, a batch each.
    let mut project_keys: Vec<keys::Key> = tasks.iter().map(|t| keys::project(t.project_id)).collect();
    project_keys.sort_by(|a, b| a.pk.cmp(&b.pk));
    project_keys.dedup();
    let projects: HashMap<u64, u64> = ctx
        .db
        .get_many(&project_keys)
        .await?
        .into_values()
        .map(|item| store::from_item::<ProjectRecord>(item).map(|p| (p.id, p.team_id)))
        .collect::<Result<_, _>>()?;
    let teams = load_teams(&ctx.db, projects.values().copied()).await?;
    report.items_read += projects.len() + teams.len();
    let zone_of = |task: &TaskRecord| {
        projects
            .get(&task.project_id)
            .and_then(|team| teams.get(team))
            .map_or(ctx.settings.default_timezone.as_str(), |team| team.timezone.as_str())
    };

    let steps: Vec<(TaskRecord, Step)> = tasks
        .into_iter()
        .filter_map(|task| {
            let today = dates::today_in(zone_of(&task), now);
            step_for(&task, today).map(|step| (task, step))
        })
        .collect();
    // One counter update numbers every notice of the run.
    let owes_notice = |task: &TaskRecord, step: Step| step.notifies() && task.assignee_id.is_some();
    let notices = steps.iter().filter(|(task, step)| owes_notice(task, *step)).count() as u64;
    let mut ids = if notices > 0 { ctx.db.next_ids("notification", notices).await? } else { 0..0 };
    // The futures are built before the stream runs them: a closure kept inside the stream
    // across the await would make this future not `Send` (a compiler limitation).
    let taken: Vec<_> = steps
        .iter()
        .map(|(task, step)| {
            let wanted = usize::from(owes_notice(task, *step));
            let own: Vec<u64> = ids.by_ref().take(wanted).collect();
            take_step(ctx, task, *step, own, now)
        })
        .collect();
    let outcomes: Vec<Result<Option<Vec<NoticeRef>>, Error>> =
        futures_util::stream::iter(taken).buffer_unordered(8).collect().await;

    let mut events = Vec::new();
    for ((task, step), outcome) in steps.iter().zip(outcomes) {
        let Some(notices) = outcome? else {
            report.already_done += 1;
            continue;
        };
        report.items_written += 1 + notices.len();
        report.notifications_written += notices.len();
        match step {
            Step::Overdue => report.overdue += 1,
            Step::DueReminder => report.due_reminders += 1,
            Step::SkipReminder => continue,
        }
        let team_id = projects.get(&task.project_id).copied().unwrap_or_default();
        // The scheduler acts for nobody; actor 0 is the system.
        let detail = EventDetail::by(0).in_project(team_id, task.project_id).task(task.id).notices(notices);
        events.push(DomainEvent::new(EventKind::TaskUpdated, detail));
    }
    Ok(Plan::new(ctx.db.transaction(), report).announce_all(events))
}

/// One task's step, as one transaction: the task moves along (or out of) the index, with
/// its notification, under a condition that holds only while the step is still owed (its
/// due date and status as read, the step not taken). `None` when another run took it.
///
/// A step is the system's bookkeeping, not an edit: it moves neither the task's version nor
/// its `updated_at`.
async fn take_step(
    ctx: &AppContext,
    task: &TaskRecord,
    step: Step,
    notice_ids: Vec<u64>,
    now: Timestamp,
) -> Result<Option<Vec<NoticeRef>>, Error> {
    let Some(end) = task.end_date else {
        return Ok(None);
    };
    let mut after = task.clone();
    let (not_taken, kind) = match step {
        Step::Overdue => {
            after.is_overdue_notified = true;
            ("#notified <> :true", Some(NotificationKind::Overdue))
        }
        Step::DueReminder | Step::SkipReminder => {
            after.due_reminded_for = Some(end);
            (
                "(attribute_not_exists(#reminded) OR #reminded <> :end)",
                step.notifies().then_some(NotificationKind::DueReminder),
            )
        }
    };
    let owed = Condition::new(&format!("#end = :end AND #status <> :completed AND {not_taken}"))
        .name("#end", "end_date")
        .name("#status", "status")
        .value(":end", AttributeValue::S(end.to_string()))
        .value(":completed", AttributeValue::S(crate::names::name_of(&Status::Completed)));
    let owed = match step {
        Step::Overdue => owed.name("#notified", "is_overdue_notified").value(":true", AttributeValue::Bool(true)),
        Step::DueReminder | Step::SkipReminder => owed.name("#reminded", "due_reminded_for"),
    };
    let tx = ctx.db.transaction().save_if(task, &after, (owed, Guard::StepOwed));
    let drafts: Vec<Draft> =
        kind.zip(task.assignee_id).map(|(kind, assignee)| Draft::task(assignee, kind, task)).into_iter().collect();
    let (tx, notices) = inbox::stage_with_ids(tx, drafts, &mut notice_ids.into_iter(), now)?;
    match tx.commit().await {
        Ok(()) => Ok(Some(notices)),
        Err(StoreError::Guard(Guard::StepOwed)) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(end: Date) -> TaskRecord {
        TaskRecord {
            id: 1,
            project_id: 1,
            level: 1,
            status: Status::InProgress,
            assignee_id: Some(2),
            end_date: Some(end),
            ..TaskRecord::default()
        }
    }

    #[test]
    fn each_day_owes_its_step_once() {
        let today = jiff::civil::date(2026, 11, 21);
        assert_eq!(step_for(&task(today + jiff::Span::new().days(2)), today), None, "not yet");
        assert_eq!(step_for(&task(today.tomorrow().unwrap()), today), Some(Step::DueReminder));
        assert_eq!(step_for(&task(today), today), Some(Step::SkipReminder));
        assert_eq!(step_for(&task(today.yesterday().unwrap()), today), Some(Step::Overdue));
        let reminded =
            TaskRecord { due_reminded_for: Some(today.tomorrow().unwrap()), ..task(today.tomorrow().unwrap()) };
        assert_eq!(step_for(&reminded, today), None, "reminded; overdue only after the due date");
        let told = TaskRecord { is_overdue_notified: true, ..task(today.yesterday().unwrap()) };
        assert_eq!(step_for(&told, today), None);
        let done = TaskRecord { status: Status::Completed, ..task(today.yesterday().unwrap()) };
        assert_eq!(step_for(&done, today), None);
    }
}
