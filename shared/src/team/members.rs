//! A team's people: listing, inviting, roles, removal (seed 001 §6).

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::names::{name_of, parse_name};

use crate::auth::{Caller, SessionRecord};
use crate::context::AppContext;
use crate::error::{Error, FieldErrors, Guard, StoreError};
use crate::events::{DomainEvent, EventDetail, EventKind};
use crate::identity::accounts::{Membership, plan_membership};
use crate::identity::model::{Role, TeamRecord, UserRecord};
use crate::identity::repo;
use crate::keys;
use crate::messages::Msg;
use crate::notifications::inbox;
use crate::notifications::model::{Draft, NotificationKind};
use crate::paging::{Page, PageRequest};
use crate::plan::Plan;
use crate::projects::membership;
use crate::projects::model::{TaskRecord, WorkloadRecord};
use crate::projects::repo::projects_of_member;
use crate::projects::tally;
use crate::store::{self, Condition, GSI1, Transaction};
use crate::team::{load_team, require_team_admin, team_of};

/// The counter of a team's admins on its item.
const ADMIN_COUNT: &str = "admin_count";

/// A team's users, from the membership index.
pub(crate) async fn team_users(ctx: &AppContext, team_id: u64) -> Result<Vec<UserRecord>, Error> {
    let items = ctx.db.query_prefix(Some(GSI1), &keys::team_members_partition(team_id), "USER#").await?;
    Ok(items.into_iter().map(store::from_item).collect::<Result<_, StoreError>>()?)
}

/// How many open tasks a workload holds.
fn open_count(workload: &WorkloadRecord) -> usize {
    usize::try_from(workload.open_tasks()).unwrap_or(0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberOrder {
    #[default]
    Id,
    Username,
    #[serde(alias = "date_joined")]
    CreatedAt,
    Role,
}

impl MemberOrder {
    /// An `ordering` value: a field, `-` first for descending.
    pub fn parse(text: &str) -> Result<(MemberOrder, bool), Msg> {
        let text = text.trim();
        match text.strip_prefix('-') {
            Some(field) => Ok((parse_name(field)?, true)),
            None => Ok((parse_name(text)?, false)),
        }
    }
}

/// The member list's filters.
#[derive(Debug, Clone, Default)]
pub struct MemberQuery {
    pub team_id: Option<u64>,
    pub role: Option<Role>,
    pub search: Option<String>,
    pub order: MemberOrder,
    pub descending: bool,
}

/// A member as the list has them: the user, and their open tasks (their workload).
#[derive(Debug, Clone)]
pub struct Member {
    pub user: UserRecord,
    pub open_tasks: usize,
}

/// The team's members, filtered and ordered, a page at a time. Every member may list.
pub async fn list_members(
    ctx: &AppContext,
    caller: &Caller,
    query: MemberQuery,
    page: PageRequest,
) -> Result<Page<Member>, Error> {
    let team_id = team_of(caller, query.team_id)?;
    let needle = query.search.as_deref().map(str::to_lowercase).filter(|s| !s.is_empty());
    let mut users: Vec<UserRecord> = team_users(ctx, team_id)
        .await?
        .into_iter()
        .filter(|u| query.role.is_none_or(|role| u.role == role))
        .filter(|u| {
            needle.as_deref().is_none_or(|n| {
                u.username.to_lowercase().contains(n)
                    || u.email.as_deref().is_some_and(|e| e.to_lowercase().contains(n))
            })
        })
        .collect();
    users.sort_by(|a, b| match query.order {
        MemberOrder::Id => a.id.cmp(&b.id),
        MemberOrder::Username => a.username.to_lowercase().cmp(&b.username.to_lowercase()),
        MemberOrder::CreatedAt => a.created_at.cmp(&b.created_at),
        MemberOrder::Role => name_of(&a.role).cmp(&name_of(&b.role)).then(a.id.cmp(&b.id)),
    });
    if query.descending {
        users.reverse();
    }
    let page = page.slice(users);
    let workloads = tally::workloads(ctx, page.items.iter().map(|u| u.id)).await?;
    Ok(page.map(|user| Member { open_tasks: workloads.get(&user.id).map_or(0, open_count), user }))
}

/// A role a team member can hold: any but the super admin's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TeamRole {
    TeamAdmin,
    Member,
}

pub fn parse_team_role(text: &str) -> Result<Role, Msg> {
    Ok(match parse_name::<TeamRole>(text)? {
        TeamRole::TeamAdmin => Role::TeamAdmin,
        TeamRole::Member => Role::Member,
    })
}

/// The admin count of a team moves with a role change, under a condition that keeps at
/// least one admin: two admins demoting each other at once cannot both succeed.
fn adjust_admins(tx: Transaction, team_id: u64, delta: i64) -> Transaction {
    if delta == 0 {
        return tx;
    }
    let condition = if delta < 0 {
        let more_than_one =
            Condition::new("#admins > :one").name("#admins", ADMIN_COUNT).value(":one", AttributeValue::N("1".into()));
        (more_than_one, Guard::AdminRemains)
    } else {
        (Condition::present(), Guard::Present)
    };
    tx.add(&keys::team(team_id), ADMIN_COUNT, delta, Some(condition))
}

fn last_admin() -> Error {
    Error::Rule { msg: Msg::LastTeamAdmin, fields: FieldErrors::single("role", Msg::LastTeamAdmin) }
}

fn admin_delta(before: Role, after: Role) -> i64 {
    i64::from(after == Role::TeamAdmin) - i64::from(before == Role::TeamAdmin)
}

/// An invitation made: the member as the list shows them, and when they joined.
#[derive(Debug, Clone)]
pub struct Invited {
    pub member: Member,
    pub invited_at: Timestamp,
}

/// Adds a registered user who has no team yet (seed 001 §6.2): 404 (4001) for an unknown
/// name, 409 (4002) for someone already in a team. They are told in their inbox.
pub async fn invite(
    ctx: &AppContext,
    caller: &Caller,
    named_team: Option<u64>,
    username: &str,
    role: Role,
    now: Timestamp,
) -> Result<Plan<Invited>, Error> {
    let team_id = team_of(caller, named_team)?;
    require_team_admin(caller, team_id)?;
    let not_registered =
        || Error::NotFound { msg: Msg::UserNotFound, fields: FieldErrors::single("username", Msg::NotRegistered) };
    // Who the name names, the team, the inviter's name and the notice's id, at once; then the
    // user with their sessions; then the change: three round trips.
    let named = async { repo::find_user_id(&ctx.db, username).await?.ok_or_else(not_registered) };
    let notice_ids = async { Ok(ctx.db.next_ids("notification", 1).await?) };
    let (user_id, team, inviter, mut notice_ids) =
        tokio::try_join!(named, load_team(ctx, team_id), repo::load_user(&ctx.db, caller.user_id), notice_ids)?;
    let (user, sessions) = repo::load_user_and_sessions(&ctx.db, user_id).await?;
    // Only a username names a user here, not an email.
    if !user.username.eq_ignore_ascii_case(username) {
        return Err(not_registered());
    }
    if user.team_id.is_some() || user.role == Role::SuperAdmin {
        return Err(Error::Conflict(FieldErrors::single("username", Msg::AlreadyInTeam)));
    }
    let draft = Draft::new(user.id, NotificationKind::MemberInvited, &team.name).by(&inviter.username);
    let effects = adjust_admins(ctx.db.transaction(), team_id, admin_delta(Role::Member, role));
    let (effects, notices) = inbox::stage_with_ids(effects, vec![draft], &mut notice_ids, now)?;
    let membership = Membership { team_id: Some(team_id), role };
    let plan = plan_membership(ctx, &user, &sessions, membership, effects, now).await?;
    let detail = EventDetail::by(caller.user_id).in_team(team_id).about(user.id).notices(notices);
    // Someone in no team holds no open task (an assignee is on the task's project, so in
    // its team): their workload starts at nothing.
    let invited = |joined: UserRecord| Invited { member: Member { user: joined, open_tasks: 0 }, invited_at: now };
    Ok(plan.map(invited).announce(DomainEvent::new(EventKind::MemberInvited, detail)))
}

/// A member of the team the caller administers, or 404.
async fn load_member(
    ctx: &AppContext,
    caller: &Caller,
    user_id: u64,
) -> Result<(UserRecord, Vec<SessionRecord>, TeamRecord), Error> {
    // A team admin's own team is theirs: read beside the user, it is read once.
    let own_team = async {
        match caller.team_id {
            Some(id) => Ok(ctx.db.get::<TeamRecord>(&keys::team(id)).await?),
            None => Ok::<_, Error>(None),
        }
    };
    let ((user, sessions), own_team) = tokio::try_join!(repo::load_user_and_sessions(&ctx.db, user_id), own_team)?;
    let team_id = match (caller.role, user.team_id) {
        (Role::SuperAdmin, Some(team_id)) => team_id,
        (_, Some(team_id)) if caller.team_id == Some(team_id) => team_id,
        _ => return Err(repo::user_not_found()),
    };
    require_team_admin(caller, team_id)?;
    let team = match own_team {
        Some(team) if team.id == team_id => team,
        _ => load_team(ctx, team_id).await?,
    };
    Ok((user, sessions, team))
}

/// A role changed (or already so): the member as the list shows them, and when.
#[derive(Debug, Clone)]
pub struct RoleChanged {
    pub member: Member,
    pub updated_at: Timestamp,
}

/// Makes a member a team admin or back (seed 001 §6.3). The last admin cannot step down
/// (422). Takes effect on the user's very next request.
pub async fn change_role(
    ctx: &AppContext,
    caller: &Caller,
    user_id: u64,
    role: Role,
    now: Timestamp,
) -> Result<Plan<RoleChanged>, Error> {
    // Their workload, for the answer, is read beside the check (and shown only if it passes).
    let (member, workloads) = tokio::join!(load_member(ctx, caller, user_id), tally::workloads(ctx, [user_id]));
    let (user, sessions, team) = member?;
    let open_tasks = workloads?.get(&user_id).map_or(0, open_count);
    if user.role == role {
        let updated_at = user.updated_at;
        let unchanged = RoleChanged { member: Member { user, open_tasks }, updated_at };
        return Ok(Plan::new(ctx.db.transaction(), unchanged));
    }
    let effects = adjust_admins(ctx.db.transaction(), team.id, admin_delta(user.role, role));
    let membership = Membership { team_id: Some(team.id), role };
    let plan = plan_membership(ctx, &user, &sessions, membership, effects, now).await?;
    let detail = EventDetail::by(caller.user_id).in_team(team.id).about(user_id);
    let changed = |user: UserRecord| RoleChanged { member: Member { user, open_tasks }, updated_at: now };
    Ok(plan.map(changed).announce(DomainEvent::new(EventKind::MemberRoleChanged, detail)))
}

/// Removes a member from the team (seed 001 §6.4). Their open tasks become unassigned, they
/// leave the team's projects (kept as former members, so old tasks still name them), and
/// the team's other admins are told. The last admin cannot be removed (422).
///
/// Done in steps, each one atomic, in an order that a retry simply finishes: project by
/// project, their tasks there and their membership; last, the user's own membership, which
/// commits only once they are on no project (see `projects::membership`): an assignment or
/// a project that took them in meanwhile is found and undone first.
pub async fn remove_member(ctx: &AppContext, caller: &Caller, user_id: u64, now: Timestamp) -> Result<Plan<()>, Error> {
    let (mut user, mut sessions, team) = load_member(ctx, caller, user_id).await?;
    if user.role == Role::TeamAdmin && team.admin_count <= 1 {
        return Err(last_admin());
    }
    // The notices' ids, one per admin of the team at most, allocated beside the reads.
    let notice_ids = async {
        match team.admin_count {
            0 => Ok(0..0),
            admins => ctx.db.next_ids("notification", admins).await.map_err(Error::from),
        }
    };
    let (actor, members, mut projects, notice_ids) = tokio::try_join!(
        repo::load_user(&ctx.db, caller.user_id),
        team_users(ctx, team.id),
        projects_of_member(ctx, user.id),
        notice_ids
    )?;
    let mut notice_ids = Some(notice_ids);
    let admins: Vec<u64> = members
        .into_iter()
        .filter(|u| u.role == Role::TeamAdmin && u.id != user.id && u.id != caller.user_id)
        .map(|u| u.id)
        .collect();
    let mut unassigned: Vec<TaskRecord> = Vec::new();
    let mut attempts = 0;
    let notices = loop {
        // The user as first read still holds on a first pass that left no project: the
        // commit below is conditioned on its version, so a join since fails it.
        let unchanged = attempts == 0 && projects.is_empty();
        // One project after another: each leave also writes the user's item, and parallel
        // transactions on one item would cancel each other.
        for project_id in std::mem::take(&mut projects) {
            unassigned.extend(membership::leave_unassigning(ctx, project_id, user.id, &actor, now).await?);
        }
        // Joins since the membership index was read show in the count (the index trails
        // the table by a moment): go round again.
        if !unchanged {
            (user, sessions) = repo::load_user_and_sessions(&ctx.db, user.id).await?;
        }
        let outcome = if user.project_count > 0 {
            Err(StoreError::Guard(Guard::Version))
        } else {
            let drafts: Vec<Draft> = admins
                .iter()
                .map(|admin| Draft {
                    count: Some(unassigned.len() as u64),
                    ..Draft::new(*admin, NotificationKind::MemberRemoved, &user.username).by(&actor.username)
                })
                .collect();
            let effects = adjust_admins(ctx.db.transaction(), team.id, admin_delta(user.role, Role::Member));
            let (effects, notices) = match notice_ids.take() {
                // A retry, or a team that gained admins since it was read, allocates anew.
                Some(mut ids) if ids.end - ids.start >= drafts.len() as u64 => {
                    inbox::stage_with_ids(effects, drafts, &mut ids, now)?
                }
                _ => inbox::stage(ctx, effects, drafts, now).await?,
            };
            // Under the user's version: a project that took them in since the read fails it.
            let leaving = Membership { team_id: None, role: Role::Member };
            match plan_membership(ctx, &user, &sessions, leaving, effects, now).await {
                Ok(plan) => plan.writes.commit().await.map(|()| notices),
                Err(failure) => Err(failure),
            }
        };
        match outcome {
            // A join or a session change slipped in: go round again.
            Err(StoreError::Guard(Guard::Version | Guard::Present)) if attempts < 4 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50 * attempts)).await;
                projects = projects_of_member(ctx, user.id).await?;
            }
            outcome => break outcome?,
        }
    };

    let mut events: Vec<DomainEvent> = unassigned
        .iter()
        .map(|task| {
            let detail = EventDetail::by(caller.user_id).in_project(team.id, task.project_id).task(task.id);
            DomainEvent::new(EventKind::TaskUpdated, detail)
        })
        .collect();
    let detail = EventDetail::by(caller.user_id).in_team(team.id).about(user.id).notices(notices);
    events.push(DomainEvent::new(EventKind::MemberRemoved, detail));
    Ok(Plan::new(ctx.db.transaction(), ()).announce_all(events))
}

#[derive(Debug, Serialize)]
pub struct UserCheck {
    /// A user has this username.
    pub exists: bool,
    /// They can be invited: registered, and in no team.
    pub available: bool,
}

/// `GET /api/team/check-user/?username=`: for the invite form of admins.
pub async fn check_user(ctx: &AppContext, caller: &Caller, username: &str) -> Result<UserCheck, Error> {
    if !caller.role.is_admin() {
        return Err(Error::forbidden());
    }
    let user = match repo::find_user_id(&ctx.db, username).await? {
        Some(id) => Some(repo::load_user(&ctx.db, id).await?),
        None => None,
    };
    let user = user.filter(|u| u.username.eq_ignore_ascii_case(username));
    Ok(UserCheck {
        exists: user.is_some(),
        available: user.is_some_and(|u| u.team_id.is_none() && u.role != Role::SuperAdmin),
    })
}
