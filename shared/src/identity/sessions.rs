//! Signing in and out: login with its failure window, refresh-token rotation with reuse
//! detection, logout.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::auth::tokens::TokenUse;
use crate::auth::{Caller, SessionRecord, password};
use crate::context::AppContext;
use crate::error::{Error, Guard, StoreError, TokenProblem};
use crate::events::{DomainEvent, EventDetail, EventKind};
use crate::identity::model::{LastLogin, Password, UserInTeam, UserRecord};
use crate::identity::repo;
use crate::keys;
use crate::plan::Plan;
use crate::store::{self, Change, Condition, Record};

/// The tokens of a login or refresh (seed 001 §2.1, §2.2).
#[derive(Debug, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    /// When the access token expires.
    pub expires_at: Timestamp,
    pub expires_in: i64,
    pub refresh_expires_at: Timestamp,
}

pub struct LoginInput {
    /// A username or an email address.
    pub login_name: String,
    pub password: Password,
}

pub struct LoginOutcome {
    pub tokens: TokenPair,
    pub account: UserInTeam,
}

/// Failed logins of one account (or one unknown name) within a fixed window.
#[derive(Debug, Serialize, Deserialize)]
struct ThrottleRecord {
    failures: u32,
    /// Epoch seconds when the window closes and the count starts again; DynamoDB may
    /// delete the record then.
    window_ends_at: i64,
    /// Whose failures: `user-<id>` or `name-<name>` (the key's, not stored in the item).
    #[serde(skip)]
    subject: String,
}

impl Record for ThrottleRecord {
    fn key(&self) -> keys::Key {
        keys::login_throttle(&self.subject)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.window_ends_at)
    }
}

const FAILURES: &str = "failures";
const WINDOW_ENDS_AT: &str = "window_ends_at";

pub async fn login(ctx: &AppContext, input: LoginInput, now: Timestamp) -> Result<LoginOutcome, Error> {
    let user_id = repo::find_user_id(&ctx.db, &input.login_name).await?;
    // Count failures per account, so switching between username and email gains nothing;
    // names without an account are counted by name.
    let subject = match user_id {
        Some(id) => format!("user-{id}"),
        None => format!("name-{}", input.login_name.to_lowercase()),
    };
    let throttle_key = keys::login_throttle(&subject);
    let mut wanted = vec![throttle_key.clone()];
    wanted.extend(user_id.map(keys::user));
    let mut found = ctx.db.get_many(&wanted).await?;
    let throttle: Option<ThrottleRecord> = found
        .remove(&throttle_key)
        .map(store::from_item)
        .transpose()?
        .filter(|t: &ThrottleRecord| t.window_ends_at > now.as_second());
    if let Some(throttle) = &throttle
        && throttle.failures >= ctx.settings.lockout.max_failures
    {
        let retry_after_secs = (throttle.window_ends_at - now.as_second()).max(1) as u64;
        return Err(Error::TooManyAttempts { retry_after_secs });
    }
    let user: Option<UserRecord> = match user_id {
        Some(id) => found.remove(&keys::user(id)).map(store::from_item).transpose()?,
        None => None,
    };
    let valid = password::verify(&input.password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    let Some(mut user) = user.filter(|_| valid) else {
        record_failure(ctx, subject, now).await?;
        return Err(Error::InvalidCredentials);
    };

    let (session, tokens) = new_session(ctx, &user, now)?;
    user.last_login_at = Some(now);
    // The login time is written on its own: it moves no version, and a profile change at
    // the same moment loses nothing.
    let mut tx = ctx.db.transaction().create(&session, Guard::Fresh).patch(
        &user.key(),
        &LastLogin { last_login_at: now },
        Some((still_as_checked(&user), Guard::Version)),
    );
    if throttle.is_some() {
        tx = tx.delete(&throttle_key, None);
    }
    // The team's name is only for the answer: read it while the session is written.
    let (committed, teams) = tokio::join!(tx.commit(), repo::team_names(&ctx.db, user.team_id));
    committed?;
    let mut teams = teams?;
    let team_name = user.team_id.and_then(|id| teams.remove(&id));
    let account = UserInTeam { user, team_name };
    Ok(LoginOutcome { tokens, account })
}

/// A login's condition: the password it checked, and the role and team it copies into the
/// session, are still the user's when the session is written (else the login is retried).
/// A change of anything else, such as a nickname, is no concern of it.
fn still_as_checked(user: &UserRecord) -> Condition {
    let team = match user.team_id {
        Some(_) => "#team = :team",
        None => "attribute_not_exists(#team)",
    };
    let condition = Condition::new(&format!("#hash = :hash AND #role = :role AND {team}"))
        .name("#hash", "password_hash")
        .value(":hash", AttributeValue::S(user.password_hash.clone()))
        .name("#role", "role")
        .value(":role", AttributeValue::S(crate::names::name_of(&user.role)))
        .name("#team", "team_id");
    match user.team_id {
        Some(team_id) => condition.value(":team", AttributeValue::N(team_id.to_string())),
        None => condition,
    }
}

/// Adds one failure to the account's window, opening a new window when none is open.
/// Both steps are conditional, so concurrent failures are all counted.
async fn record_failure(ctx: &AppContext, subject: String, now: Timestamp) -> Result<(), Error> {
    let fresh =
        ThrottleRecord { failures: 1, window_ends_at: (now + ctx.settings.lockout.window).as_second(), subject };
    let now_n = AttributeValue::N(now.as_second().to_string());
    for _ in 0..3 {
        let window_open = Condition::new("#end > :now").name("#end", WINDOW_ENDS_AT).value(":now", now_n.clone());
        if ctx.db.update(&fresh.key(), Change::add(FAILURES, 1), Some(window_open)).await? {
            return Ok(());
        }
        let window_closed = Condition::new("attribute_not_exists(pk) OR #end <= :now")
            .name("#end", WINDOW_ENDS_AT)
            .value(":now", now_n.clone());
        let opened = ctx.db.put(store::item_of(&fresh)?, Some(window_closed)).await?;
        if opened {
            return Ok(());
        }
    }
    Err(Error::bug("could not record a failed login after three attempts"))
}

/// A new session for `user` and its first token pair.
fn new_session(ctx: &AppContext, user: &UserRecord, now: Timestamp) -> Result<(SessionRecord, TokenPair), Error> {
    let session = SessionRecord {
        session_id: uuid::Uuid::new_v4().simple().to_string(),
        user_id: user.id,
        role: user.role,
        team_id: user.team_id,
        refresh_jti: uuid::Uuid::new_v4().simple().to_string(),
        previous_refresh_jti: None,
        rotated_at: None,
        created_at: now,
        expires_at: (now + ctx.settings.refresh_ttl).as_second(),
        version: 1,
    };
    let tokens = token_pair(ctx, &session, now)?;
    Ok((session, tokens))
}

/// Signs an access token and the refresh token of the session's current rotation.
fn token_pair(ctx: &AppContext, session: &SessionRecord, now: Timestamp) -> Result<TokenPair, Error> {
    let access_expires = now + ctx.settings.access_ttl;
    let refresh_expires = Timestamp::from_second(session.expires_at).map_err(Error::caused)?;
    let mut access = ctx.tokens.claims(session.user_id, &session.session_id, TokenUse::Access, now, access_expires);
    (access.role, access.team_id) = (Some(session.role), session.team_id);
    let mut refresh = ctx.tokens.claims(session.user_id, &session.session_id, TokenUse::Refresh, now, refresh_expires);
    refresh.jti = Some(session.refresh_jti.clone());
    Ok(TokenPair {
        access_token: ctx.tokens.sign(&access)?,
        refresh_token: ctx.tokens.sign(&refresh)?,
        token_type: "Bearer",
        expires_at: access_expires,
        expires_in: ctx.settings.access_ttl.as_secs(),
        refresh_expires_at: refresh_expires,
    })
}

/// Exchanges a refresh token for a new pair and rotates it. The token just replaced stays
/// usable for the grace window (a client retrying concurrently gets the current pair);
/// presented later, it is taken as stolen and ends the whole session.
/// What a refresh came to.
pub enum Refreshed {
    /// A new pair: the session rotated (or, in the grace window, the current one).
    Tokens(TokenPair),
    /// The token was used before, after the grace window: it is taken as stolen, and its
    /// session has been ended (the answer is 401).
    Revoked,
}

pub async fn refresh(ctx: &AppContext, refresh_token: &str, now: Timestamp) -> Result<Plan<Refreshed>, Error> {
    let claims = ctx.tokens.verify(refresh_token, TokenUse::Refresh).map_err(Error::Unauthenticated)?;
    let user_id: u64 = claims.sub.parse().map_err(|_| Error::Unauthenticated(TokenProblem::Invalid))?;
    let jti = claims.jti.ok_or(Error::Unauthenticated(TokenProblem::Invalid))?;
    let key = keys::session(user_id, &claims.sid);
    // Two passes: if a concurrent refresh rotates the session between our read and write,
    // the second pass sees the rotation and takes the grace path.
    for _ in 0..2 {
        let session: SessionRecord = ctx
            .db
            .get(&key)
            .await?
            .filter(|s: &SessionRecord| s.is_live(now))
            .ok_or(Error::Unauthenticated(TokenProblem::SessionEnded))?;
        if jti == session.refresh_jti {
            let mut rotated = session.clone();
            rotated.previous_refresh_jti = Some(session.refresh_jti.clone());
            rotated.refresh_jti = uuid::Uuid::new_v4().simple().to_string();
            rotated.rotated_at = Some(now);
            rotated.expires_at = (now + ctx.settings.refresh_ttl).as_second();
            // Under the session's version: a concurrent rotation wins, and this pass sees it.
            match ctx.db.save(&session, &mut rotated, now).await {
                Ok(_) => {
                    return Ok(Plan::new(ctx.db.transaction(), Refreshed::Tokens(token_pair(ctx, &rotated, now)?)));
                }
                Err(StoreError::Guard(Guard::Version)) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        let in_grace = session.previous_refresh_jti.as_deref() == Some(jti.as_str())
            && session.rotated_at.is_some_and(|at| now.duration_since(at) <= ctx.settings.refresh_reuse_grace);
        if in_grace {
            return Ok(Plan::new(ctx.db.transaction(), Refreshed::Tokens(token_pair(ctx, &session, now)?)));
        }
        tracing::warn!(user_id, session_id = %claims.sid, "refresh token reused; the session ends");
        let ended = ctx.db.transaction().delete(&key, None);
        return Ok(Plan::new(ended, Refreshed::Revoked).announce(session_ended(user_id)));
    }
    Err(Error::bug("refresh lost two races in a row"))
}

/// Ends the caller's session: its access and refresh tokens stop working at once, and its
/// WebSockets are closed.
pub fn logout(ctx: &AppContext, caller: &Caller) -> Plan<()> {
    let ended = ctx.db.transaction().delete(&keys::session(caller.user_id, &caller.session_id), None);
    Plan::new(ended, ()).announce(session_ended(caller.user_id))
}

/// Tells the notifier that sessions of `user_id` ended, so it closes their WebSockets.
pub(crate) fn session_ended(user_id: u64) -> DomainEvent {
    DomainEvent::new(EventKind::SessionEnded, EventDetail::by(user_id).about(user_id))
}
