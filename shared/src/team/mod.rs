//! The team (seed 001 §6, DESIGN §2b): its settings, its people, their roles.
//!
//! A team admin manages their own team; the super admin, who belongs to no team, names the
//! team with `team_id`. Members may read their team and its member list (the client uses
//! it as a picker) but change nothing. Outsiders learn nothing: a user of another team is a
//! 404, like a user who does not exist.

pub mod members;

use jiff::Timestamp;
use serde::Serialize;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::error::Error;
use crate::events::{DomainEvent, EventDetail, EventKind};
use crate::identity::model::{Role, TeamRecord};
use crate::keys;
use crate::messages::Msg;
use crate::plan::Plan;
use crate::store::GSI1;

/// The team a caller acts on: their own, or for the super admin the one they name.
pub fn team_of(caller: &Caller, named: Option<u64>) -> Result<u64, Error> {
    match (caller.role, caller.team_id, named) {
        (Role::SuperAdmin, _, Some(team_id)) => Ok(team_id),
        (Role::SuperAdmin, _, None) => Err(Error::field("team_id", Msg::TeamIdRequired)),
        (_, Some(own), None) => Ok(own),
        (_, Some(own), Some(named)) if named == own => Ok(own),
        (_, Some(_), Some(_)) => Err(team_not_found()),
        (_, None, _) => Err(Error::NotFound { msg: Msg::NotInAnyTeam, fields: Default::default() }),
    }
}

/// The caller administers `team_id`: its team admin or the super admin. Members get 403.
pub fn require_team_admin(caller: &Caller, team_id: u64) -> Result<(), Error> {
    if caller.role.administers(caller.team_id, team_id) { Ok(()) } else { Err(Error::forbidden()) }
}

pub fn team_not_found() -> Error {
    Error::NotFound { msg: Msg::TeamNotFound, fields: Default::default() }
}

pub async fn load_team(ctx: &AppContext, team_id: u64) -> Result<TeamRecord, Error> {
    ctx.db.get(&keys::team(team_id)).await?.ok_or_else(team_not_found)
}

/// `GET /api/team/` (DESIGN §2b).
#[derive(Debug, Serialize)]
pub struct TeamView {
    pub id: u64,
    pub name: String,
    pub timezone: String,
    pub member_count: usize,
    pub created_at: Timestamp,
}

pub async fn get_team(ctx: &AppContext, caller: &Caller, named: Option<u64>) -> Result<TeamView, Error> {
    let team_id = team_of(caller, named)?;
    let (team, member_count) = tokio::try_join!(load_team(ctx, team_id), member_count(ctx, team_id))?;
    Ok(TeamView::of(team, member_count))
}

impl TeamView {
    fn of(team: TeamRecord, member_count: usize) -> TeamView {
        TeamView { id: team.id, name: team.name, timezone: team.timezone, member_count, created_at: team.created_at }
    }
}

/// How many users a team has, from the membership index.
async fn member_count(ctx: &AppContext, team_id: u64) -> Result<usize, Error> {
    Ok(ctx.db.query_prefix(Some(GSI1), &keys::team_members_partition(team_id), "").await?.len())
}

/// A change of the team's settings; `None` leaves a field.
#[derive(Debug, Default)]
pub struct TeamPatch {
    pub name: Option<String>,
    /// An IANA zone name, checked by the caller's parser.
    pub timezone: Option<String>,
}

/// `PATCH /api/team/`: team admins rename their team or move it to another time zone, in
/// which its "today" and "overdue" are judged from then on.
pub async fn update_team(
    ctx: &AppContext,
    caller: &Caller,
    named: Option<u64>,
    patch: TeamPatch,
    now: Timestamp,
) -> Result<Plan<TeamView>, Error> {
    let team_id = team_of(caller, named)?;
    require_team_admin(caller, team_id)?;
    let (before, member_count) = tokio::try_join!(load_team(ctx, team_id), member_count(ctx, team_id))?;
    let mut after = before.clone();
    after.name = patch.name.unwrap_or(after.name);
    after.timezone = patch.timezone.unwrap_or(after.timezone);
    let (tx, changes) = ctx.db.transaction().save(&before, &mut after, now);
    let event = (!changes.is_empty())
        .then(|| DomainEvent::new(EventKind::TeamUpdated, EventDetail::by(caller.user_id).in_team(team_id)));
    Ok(Plan::new(tx, TeamView::of(after, member_count)).announce_all(event))
}

/// A team's time zone name, checked.
pub fn parse_timezone(text: &str) -> Result<String, Msg> {
    let text = text.trim();
    match jiff::tz::TimeZone::get(text) {
        Ok(_) if !text.is_empty() => Ok(text.to_owned()),
        _ => Err(Msg::InvalidTimezone),
    }
}
