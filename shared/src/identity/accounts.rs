//! Accounts: registration, the bootstrap super admin, profile and password changes, roles.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use serde::Serialize;

use crate::auth::{Caller, SessionRecord, password};
use crate::context::AppContext;
use crate::error::{Error, Guard, StoreError};
use crate::identity::model::{
    ClaimRecord, Email, JoinType, Password, Role, ShownRole, TeamRecord, UserInTeam, UserRecord, Username,
    parse_external_avatar,
};
use crate::identity::repo;
use crate::keys;
use crate::messages::Msg;
use crate::plan::Plan;
use crate::projects::model::MemberLooks;
use crate::store::{self, Condition, Record, Transaction};

pub struct Registration {
    pub username: Username,
    pub email: Option<Email>,
    pub password: Password,
    pub profile: ProfileFields,
    pub join: JoinPlan,
}

/// Optional descriptive fields of a user.
#[derive(Default)]
pub struct ProfileFields {
    pub nickname: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub about: Option<String>,
}

pub enum JoinPlan {
    /// Found a team and become its team admin.
    CreateTeam { name: String },
    /// Start without a team until a team admin invites you.
    AwaitInvitation,
}

/// Creates a user, their uniqueness guards and (when founding one) their team in one
/// transaction: of two registrations of one name, exactly one commits; the other gets 409.
pub async fn register(ctx: &AppContext, registration: Registration, now: Timestamp) -> Result<UserInTeam, Error> {
    create_user(ctx, registration, Role::Member, now).await
}

async fn create_user(
    ctx: &AppContext,
    registration: Registration,
    base_role: Role,
    now: Timestamp,
) -> Result<UserInTeam, Error> {
    let password_hash = password::hash(&registration.password).await?;
    let user_id = ctx.db.next_id("user").await?;
    let team = match &registration.join {
        JoinPlan::CreateTeam { name } => Some(TeamRecord {
            id: ctx.db.next_id("team").await?,
            name: name.clone(),
            timezone: ctx.settings.default_timezone.clone(),
            admin_count: 1,
            created_by: user_id,
            created_at: now,
            updated_at: now,
            version: 1,
        }),
        JoinPlan::AwaitInvitation => None,
    };
    let profile = registration.profile;
    let user = UserRecord {
        id: user_id,
        username: registration.username.as_str().to_owned(),
        email: registration.email.as_ref().map(|e| e.as_str().to_owned()),
        nickname: profile.nickname.unwrap_or_default(),
        first_name: profile.first_name.unwrap_or_default(),
        last_name: profile.last_name.unwrap_or_default(),
        gender: profile.gender.unwrap_or_default(),
        phone: profile.phone.unwrap_or_default(),
        about: profile.about.unwrap_or_default(),
        avatar: None,
        role: if team.is_some() { Role::TeamAdmin } else { base_role },
        team_id: team.as_ref().map(|t| t.id),
        join_type: match registration.join {
            JoinPlan::CreateTeam { .. } => JoinType::Create,
            JoinPlan::AwaitInvitation => JoinType::Join,
        },
        password_hash,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        project_count: 0,
        version: 1,
    };
    let mut tx = ctx
        .db
        .transaction()
        .create(&user, Guard::Fresh)
        .create(&ClaimRecord::username(&user.username, user.id), Guard::UsernameFree);
    if let Some(email) = &user.email {
        tx = claim_email(tx, email, user.id);
    }
    if let Some(team) = &team {
        tx = tx.create(team, Guard::Fresh);
    }
    tx.commit().await?;
    Ok(UserInTeam { user, team_name: team.map(|t| t.name) })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    Created(u64),
    AlreadyThere(u64),
}

/// Makes sure the configured super admin exists. Idempotent and safe to race: an existing
/// account is left as it is (its password may have been changed since).
pub async fn bootstrap_super_admin(
    ctx: &AppContext,
    username: Username,
    password: Password,
    now: Timestamp,
) -> Result<Bootstrap, Error> {
    if let Some(id) = repo::find_user_id(&ctx.db, username.as_str()).await? {
        return Ok(Bootstrap::AlreadyThere(id));
    }
    let registration = Registration {
        username: username.clone(),
        email: None,
        password,
        profile: ProfileFields::default(),
        join: JoinPlan::AwaitInvitation,
    };
    match create_user(ctx, registration, Role::SuperAdmin, now).await {
        Ok(registered) => Ok(Bootstrap::Created(registered.user.id)),
        Err(Error::Conflict(..)) => {
            let id = repo::find_user_id(&ctx.db, username.as_str()).await?.ok_or_else(repo::user_not_found)?;
            Ok(Bootstrap::AlreadyThere(id))
        }
        Err(other) => Err(other),
    }
}

/// The caller's own account, with their team.
pub async fn profile(ctx: &AppContext, caller: &Caller) -> Result<UserInTeam, Error> {
    repo::load_user_in_team(&ctx.db, caller.user_id, caller.team_id).await
}

/// Where a signed-in user stands, as the client's waiting page asks: a visitor (in no team)
/// waits to be invited; everyone else is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VisitorStatus {
    pub is_visitor: bool,
    pub status: Standing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Registered, in no team yet: waiting for a team admin's invitation.
    Waiting,
    /// In a team (or the super admin).
    Active,
}

/// `GET /api/auth/visitor/status/`: from the caller's session, which carries their current
/// role and team (an invitation changes it in the same transaction), so nothing is read.
pub fn visitor_status(caller: &Caller) -> VisitorStatus {
    let is_visitor = caller.role.shown(caller.team_id) == ShownRole::Visitor;
    VisitorStatus { is_visitor, status: if is_visitor { Standing::Waiting } else { Standing::Active } }
}

/// A partial profile change; `None` leaves a field as it is.
#[derive(Default)]
pub struct ProfilePatch {
    pub username: Option<Username>,
    /// `Some(None)` removes the email.
    pub email: Option<Option<Email>>,
    pub avatar: Option<AvatarChange>,
    pub fields: ProfileFields,
}

/// A new avatar, by where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvatarChange {
    /// A link the avatar flows made to an image they stored.
    Stored(String),
    /// What a client sent in a profile change: its own current avatar sent back (no
    /// change), or an external `https://` image URL (a random avatar service's); anything
    /// else is refused (400 on `avatar`).
    Sent(String),
}

/// Applies a profile change. A new username or email moves its uniqueness guard in the same
/// transaction as the user, so a name is never held by two users nor lost half-way.
pub async fn update_profile(
    ctx: &AppContext,
    caller: &Caller,
    patch: ProfilePatch,
    now: Timestamp,
) -> Result<UserInTeam, Error> {
    // The team's name is for the answer; a profile change does not move the user's team.
    // Projects show their members by name and avatar from their own items: when the change
    // may touch either, the projects they are on are read beside the user.
    let may_rename = patch.username.is_some() || patch.avatar.is_some();
    let memberships = async {
        match may_rename {
            true => crate::projects::repo::projects_of_member(ctx, caller.user_id).await,
            false => Ok(Vec::new()),
        }
    };
    let (UserInTeam { user: before, team_name }, memberships) =
        tokio::try_join!(repo::load_user_in_team(&ctx.db, caller.user_id, caller.team_id), memberships)?;
    let mut after = before.clone();
    match patch.avatar {
        Some(AvatarChange::Stored(link)) => after.avatar = Some(link),
        Some(AvatarChange::Sent(text)) if before.avatar.as_deref() == Some(text.trim()) => {}
        Some(AvatarChange::Sent(text)) => {
            after.avatar = Some(parse_external_avatar(&text).map_err(|msg| Error::field("avatar", msg))?);
        }
        None => {}
    }
    let mut tx = ctx.db.transaction();
    if let Some(username) = patch.username {
        if keys::username_guard(&before.username) != keys::username_guard(username.as_str()) {
            tx = tx
                .delete(&keys::username_guard(&before.username), None)
                .create(&ClaimRecord::username(username.as_str(), before.id), Guard::UsernameFree);
        }
        after.username = username.as_str().to_owned();
    }
    if let Some(email) = patch.email {
        let old_key = before.email.as_deref().map(keys::email_guard);
        if old_key != email.as_ref().map(|e| keys::email_guard(e.as_str())) {
            if let Some(old) = &old_key {
                tx = tx.delete(old, None);
            }
            if let Some(email) = &email {
                tx = claim_email(tx, email.as_str(), before.id);
            }
        }
        after.email = email.map(|e| e.as_str().to_owned());
    }
    let fields = patch.fields;
    let replace = |target: &mut String, value: Option<String>| {
        if let Some(value) = value {
            *target = value;
        }
    };
    replace(&mut after.nickname, fields.nickname);
    replace(&mut after.first_name, fields.first_name);
    replace(&mut after.last_name, fields.last_name);
    replace(&mut after.gender, fields.gender);
    replace(&mut after.phone, fields.phone);
    replace(&mut after.about, fields.about);
    // A new name or avatar reaches their projects in the same transaction (past DynamoDB's
    // 100 actions, in the ones that follow).
    let renamed_in: Vec<u64> = match after.username != before.username || after.avatar != before.avatar {
        true => memberships,
        false => Vec::new(),
    };
    let looks = MemberLooks { username: after.username.clone(), avatar: after.avatar.clone() };
    let user_id = after.id;
    let rename = |tx: Transaction, project_id: &u64| {
        tx.patch(&keys::project_member(*project_id, user_id), &looks, Some((Condition::present(), Guard::Present)))
    };
    // The user and the claims it moves take at most seven actions.
    let (first, rest) = store::fit(&renamed_in, 1, 7);
    let (tx, _) = first.iter().fold(tx, rename).save(&before, &mut after, now);
    tx.commit().await?;
    for batch in rest {
        batch.iter().fold(ctx.db.transaction(), rename).commit().await?;
    }
    Ok(UserInTeam { user: after, team_name })
}

/// Stages `email` becoming `user_id`'s address: it must be nobody's address yet, nor an
/// older account's username (usernames once could hold `@`), so that a login name names
/// one account only (`repo::find_user_id`).
fn claim_email(tx: Transaction, email: &str, user_id: u64) -> Transaction {
    let not_someone_elses = Condition::new("attribute_not_exists(pk) OR #user = :me")
        .name("#user", "user_id")
        .value(":me", AttributeValue::N(user_id.to_string()));
    tx.create(&ClaimRecord::email(email, user_id), Guard::EmailFree).check(
        &keys::username_guard(email),
        not_someone_elses,
        Guard::EmailFree,
    )
}

pub struct PasswordChange {
    pub old_password: Password,
    pub new_password: Password,
}

/// Changes the caller's password and ends every other session of theirs.
pub async fn change_password(
    ctx: &AppContext,
    caller: &Caller,
    change: PasswordChange,
    now: Timestamp,
) -> Result<Plan<()>, Error> {
    let before = repo::load_user(&ctx.db, caller.user_id).await?;
    if !password::verify(&change.old_password, Some(&before.password_hash)).await? {
        return Err(Error::field("old_password", Msg::PasswordIncorrect));
    }
    if change.old_password == change.new_password {
        return Err(Error::field("new_password", Msg::PasswordUnchanged));
    }
    let mut after = before.clone();
    after.password_hash = password::hash(&change.new_password).await?;
    let others: Vec<keys::Key> = repo::sessions_of(&ctx.db, caller.user_id)
        .await?
        .iter()
        .filter(|s| s.session_id != caller.session_id)
        .map(Record::key)
        .collect();
    // Sessions beyond one transaction's room are ended first: should the password write
    // then fail, the user is merely signed out elsewhere, never left with a session that
    // outlives the change.
    let (last, overflow) = store::fit(&others, 1, 1);
    for chunk in overflow {
        chunk.iter().fold(ctx.db.transaction(), |tx, key| tx.delete(key, None)).commit().await?;
    }
    let (tx, _) = last.iter().fold(ctx.db.transaction(), |tx, key| tx.delete(key, None)).save(&before, &mut after, now);
    let ended = (!others.is_empty()).then(|| crate::identity::sessions::session_ended(caller.user_id));
    Ok(Plan::new(tx, ()).announce_all(ended))
}

/// Where a user stands: their team (or none) and their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub team_id: Option<u64>,
    pub role: Role,
}

/// Plans moving a user (as read: `before`, with their `sessions`) to another team or role, together with
/// `effects`, the other writes of the same change (a team's admin count, notifications).
/// The user and every live session of theirs change in the same transaction, so the change
/// governs their very next request: a demoted admin loses admin rights at once, without
/// waiting for a token to expire. Fails with 409 if the user changed since `before` was
/// read. Sessions beyond one transaction's room (a hundred devices) are changed right
/// after the user, and the plan is then made already.
pub async fn plan_membership(
    ctx: &AppContext,
    before: &UserRecord,
    sessions: &[SessionRecord],
    membership: Membership,
    effects: Transaction,
    now: Timestamp,
) -> Result<Plan<UserRecord>, StoreError> {
    let mut after = before.clone();
    after.role = membership.role;
    after.team_id = membership.team_id;
    // A session logged out or refreshed meanwhile fails its version (an update would
    // otherwise recreate it as a stub); the caller may simply retry.
    let update_sessions = |tx: Transaction, chunk: &[SessionRecord]| {
        chunk.iter().fold(tx, |tx, session| {
            let mut changed = SessionRecord { role: membership.role, team_id: membership.team_id, ..session.clone() };
            tx.save(session, &mut changed, now).0
        })
    };
    let (first, rest) = store::fit(sessions, 1, effects.len() + 1);
    let (tx, _) = update_sessions(effects, first).save(before, &mut after, now);
    if rest.len() == 0 {
        return Ok(Plan::new(tx, after));
    }
    tx.commit().await?;
    for chunk in rest {
        update_sessions(ctx.db.transaction(), chunk).commit().await?;
    }
    Ok(Plan::new(ctx.db.transaction(), after))
}
