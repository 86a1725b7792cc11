//! Who is calling: tokens, passwords, and the session check every protected route makes.

mod es256;
pub mod password;
pub mod tokens;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::error::{Error, TokenProblem};
use crate::identity::model::Role;
use crate::keys::{self, Key};
use crate::store::Record;
use tokens::TokenUse;

/// A signed-in session as stored. It carries the user's current role and team, so that a
/// change of either takes effect on the very next request of every session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    pub session_id: String,
    pub user_id: u64,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<u64>,
    /// The refresh token currently valid for this session.
    pub refresh_jti: String,
    /// The one it replaced, accepted for a short grace window after `rotated_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_refresh_jti: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Epoch seconds; also the table's TTL attribute. Checked on read, since DynamoDB
    /// deletes expired items only eventually.
    pub expires_at: i64,
    /// Moves with every rotation and membership change: of two concurrent refreshes, one
    /// rotates and the other sees it.
    #[serde(default)]
    pub version: u64,
}

impl Record for SessionRecord {
    fn key(&self) -> Key {
        keys::session(self.user_id, &self.session_id)
    }

    fn expires_at(&self) -> Option<i64> {
        Some(self.expires_at)
    }

    fn version(&self) -> Option<u64> {
        Some(self.version)
    }

    fn touch(&mut self, _now: Timestamp) {
        self.version += 1;
    }
}

impl SessionRecord {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at > now.as_second()
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: u64,
    pub session_id: String,
    pub role: Role,
    pub team_id: Option<u64>,
}

impl Caller {
    pub fn is_super_admin(&self) -> bool {
        self.role == Role::SuperAdmin
    }
}

/// Checks an access token and its session: one consistent read after the signature check.
/// A logged-out, expired or revoked session fails at once, whatever the token's `exp`.
pub async fn authenticate_token(ctx: &AppContext, token: &str, now: Timestamp) -> Result<Caller, Error> {
    let claimed = claimed_caller(ctx, token)?;
    session_caller(ctx, claimed.user_id, &claimed.session_id, now).await
}

/// The caller an access token names, its signature checked but its session not read yet:
/// what a request may start reading as, and writes wait for the session to confirm. A
/// token without a role claim (signed before tokens carried one) names the least
/// privileged caller, whom the session then corrects.
pub fn claimed_caller(ctx: &AppContext, token: &str) -> Result<Caller, Error> {
    let claims = ctx.tokens.verify(token, TokenUse::Access).map_err(Error::Unauthenticated)?;
    let user_id: u64 = claims.sub.parse().map_err(|_| Error::Unauthenticated(TokenProblem::Invalid))?;
    Ok(Caller { user_id, session_id: claims.sid, role: claims.role.unwrap_or(Role::Member), team_id: claims.team_id })
}

/// The caller of a live session, as its record says now (role and team included).
pub async fn session_caller(ctx: &AppContext, user_id: u64, session_id: &str, now: Timestamp) -> Result<Caller, Error> {
    live_caller(ctx.db.get(&keys::session(user_id, session_id)).await?, now)
}

/// The caller of a session record read, if the session is live.
pub fn live_caller(session: Option<SessionRecord>, now: Timestamp) -> Result<Caller, Error> {
    let session = session.filter(|s| s.is_live(now)).ok_or(Error::Unauthenticated(TokenProblem::SessionEnded))?;
    Ok(session.caller())
}

impl SessionRecord {
    pub fn caller(self) -> Caller {
        Caller { user_id: self.user_id, session_id: self.session_id, role: self.role, team_id: self.team_id }
    }
}
