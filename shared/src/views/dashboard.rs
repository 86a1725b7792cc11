//! The dashboards (seed 001 §5.4, §5.5). Each reads what it shows and the counts kept for it
//! ([`crate::projects::tally`]), never every task: a member's reads their open tasks due by
//! this Sunday, from the index of who holds what; an admin's reads the team's projects, its
//! members with their workloads, and each active project's overdue tasks.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

use crate::auth::Caller;
use crate::context::AppContext;
use crate::dates;
use crate::error::{Error, StoreError};
use crate::identity::model::UserRecord;
use crate::keys;
use crate::projects::model::{ProjectRecord, Status, TaskRecord, WorkloadRecord};
use crate::projects::progress::is_overdue;
use crate::projects::summary::{self, ProjectSummary};
use crate::projects::tally;
use crate::store::{self, GSI1};
use crate::team::{self, members};

/// A member's open tasks due today, this week (Monday to Sunday) or before today, in their
/// team's time zone.
#[derive(Debug, Clone)]
pub struct MemberDashboard {
    pub today: Date,
    pub due_today: Vec<TaskRecord>,
    pub this_week: Vec<TaskRecord>,
    pub overdue: Vec<TaskRecord>,
    /// The projects of those tasks, by id.
    pub projects: HashMap<u64, ProjectRecord>,
}

pub async fn member(ctx: &AppContext, caller: &Caller, now: Timestamp) -> Result<MemberDashboard, Error> {
    // Open tasks due by the latest Sunday any time zone has reached, read while the team's
    // zone is; each then falls where the team's own today puts it.
    let last = keys::open_due_by_end(sunday_of(dates::latest_today(now)));
    let holder = keys::assignee_partition(caller.user_id);
    let tasks = async {
        let items = ctx.db.query_between(Some(GSI1), &holder, keys::OPEN_PREFIX, &last).await?;
        items.into_iter().map(store::from_item).collect::<Result<Vec<TaskRecord>, StoreError>>().map_err(Error::from)
    };
    let (tasks, zones) = tokio::try_join!(tasks, summary::team_zones(ctx, caller.team_id))?;
    let zone =
        caller.team_id.and_then(|id| zones.get(&id).cloned()).unwrap_or_else(|| ctx.settings.default_timezone.clone());
    let today = dates::today_in(&zone, now);
    let (monday, sunday) = (monday_of(today), sunday_of(today));
    let mut project_ids: Vec<u64> = tasks.iter().map(|t| t.project_id).collect();
    project_ids.sort_unstable();
    project_ids.dedup();
    let projects: HashMap<u64, ProjectRecord> = summary::load_projects(ctx, &project_ids)
        .await?
        .into_iter()
        .filter(|p| !p.is_archived())
        .map(|p| (p.id, p))
        .collect();
    let tasks: Vec<TaskRecord> = tasks.into_iter().filter(|t| projects.contains_key(&t.project_id)).collect();
    let due_between = |first: Date, last: Date| {
        tasks.iter().filter(|t| t.end_date.is_some_and(|d| d >= first && d <= last)).cloned().collect()
    };
    Ok(MemberDashboard {
        due_today: due_between(today, today),
        this_week: due_between(monday, sunday),
        overdue: tasks.iter().filter(|t| is_overdue(t, today)).cloned().collect(),
        today,
        projects,
    })
}

fn monday_of(day: Date) -> Date {
    day.nth_weekday(-1, Weekday::Monday).ok().filter(|_| day.weekday() != Weekday::Monday).unwrap_or(day)
}

fn sunday_of(day: Date) -> Date {
    day.nth_weekday(1, Weekday::Sunday).ok().filter(|_| day.weekday() != Weekday::Sunday).unwrap_or(day)
}

/// A team at a glance for its admins: its projects, the active ones summarized, its members
/// with their workloads.
#[derive(Debug, Clone)]
pub struct AdminDashboard {
    pub team_id: u64,
    pub today: Date,
    /// Every project of the team, archived ones included.
    pub projects: Vec<ProjectRecord>,
    /// The active ones, with their members and overdue tasks.
    pub active: Vec<ProjectSummary>,
    /// The team's users and what they hold.
    pub members: Vec<(UserRecord, WorkloadRecord)>,
}

impl AdminDashboard {
    /// The overdue tasks of the active projects, most overdue first.
    pub fn overdue(&self) -> Vec<(&ProjectRecord, &TaskRecord)> {
        let mut overdue: Vec<(&ProjectRecord, &TaskRecord)> =
            self.active.iter().flat_map(|s| s.overdue.iter().map(move |t| (&s.project, t))).collect();
        overdue.sort_by_key(|(_, t)| (t.end_date, t.id));
        overdue
    }

    /// Active projects past their own end date and not completed.
    pub fn overdue_projects(&self) -> usize {
        let late = |p: &&ProjectRecord| p.status != Status::Completed && p.end_date.is_some_and(|end| end < self.today);
        self.active.iter().map(|s| &s.project).filter(late).count()
    }
}

/// The admin dashboard of the caller's team (the super admin names one with `team_id`).
/// Members get 403.
pub async fn admin(
    ctx: &AppContext,
    caller: &Caller,
    team_id: Option<u64>,
    now: Timestamp,
) -> Result<AdminDashboard, Error> {
    let team_id = team::team_of(caller, team_id)?;
    team::require_team_admin(caller, team_id)?;
    let (team, projects, users) = tokio::try_join!(
        team::load_team(ctx, team_id),
        summary::projects_of(ctx, caller, Some(team_id)),
        members::team_users(ctx, team_id)
    )?;
    let today = dates::today_in(&team.timezone, now);
    let active: Vec<ProjectRecord> = projects.iter().filter(|p| !p.is_archived()).cloned().collect();
    let (active, workloads) =
        tokio::try_join!(summary::summarize(ctx, active, now), tally::workloads(ctx, users.iter().map(|u| u.id)))?;
    let members = users
        .into_iter()
        .map(|user| {
            let workload =
                workloads.get(&user.id).cloned().unwrap_or(WorkloadRecord { user_id: user.id, ..Default::default() });
            (user, workload)
        })
        .collect();
    Ok(AdminDashboard { team_id, today, projects, active, members })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_runs_from_monday_to_sunday() {
        let wednesday = Date::new(2026, 12, 2).unwrap();
        assert_eq!(
            (monday_of(wednesday), sunday_of(wednesday)),
            (Date::new(2026, 11, 30).unwrap(), Date::new(2026, 12, 6).unwrap())
        );
        let monday = Date::new(2026, 11, 30).unwrap();
        assert_eq!((monday_of(monday), sunday_of(monday)), (monday, Date::new(2026, 12, 6).unwrap()));
        let sunday = Date::new(2026, 12, 6).unwrap();
        assert_eq!((monday_of(sunday), sunday_of(sunday)), (Date::new(2026, 11, 30).unwrap(), sunday));
    }
}
