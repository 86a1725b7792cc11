//! Reading identity records: users, their teams and sessions, and the claims on usernames
//! and emails.

use std::collections::HashMap;

use crate::auth::SessionRecord;
use crate::error::{Error, StoreError};
use crate::identity::model::{ClaimRecord, TeamRecord, UserInTeam, UserRecord};
use crate::keys::{self, Key};
use crate::messages::Msg;
use crate::store::{self, Db};

pub fn user_not_found() -> Error {
    Error::not_found(Msg::UserNotFound)
}

/// The user a login name refers to: an email address, or else a username, read in one round
/// trip. Usernames have no `@` today, but older ones may: such a name still finds its
/// account, and no one may take it as an email address (`accounts::claim_email`), so a
/// login name never names two accounts.
pub async fn find_user_id(db: &Db, login_name: &str) -> Result<Option<u64>, Error> {
    let by_name = keys::username_guard(login_name);
    let by_email = keys::email_guard(login_name);
    let mut found = db.get_many(&[by_name.clone(), by_email.clone()]).await?;
    let claim = found.remove(&by_email).or_else(|| found.remove(&by_name));
    Ok(claim.map(|item| store::from_item::<ClaimRecord>(item).map(|c| c.user_id)).transpose()?)
}

pub async fn load_user(db: &Db, user_id: u64) -> Result<UserRecord, Error> {
    db.get(&keys::user(user_id)).await?.ok_or_else(user_not_found)
}

/// A user and their team's name. `team_hint` (the session's team) lets both be read in one
/// round trip; the user item stays the truth if the hint is stale.
pub async fn load_user_in_team(db: &Db, user_id: u64, team_hint: Option<u64>) -> Result<UserInTeam, Error> {
    let user_key = keys::user(user_id);
    let mut wanted = vec![user_key.clone()];
    wanted.extend(team_hint.map(keys::team));
    let mut found = db.get_many(&wanted).await?;
    let user = found.remove(&user_key).ok_or_else(user_not_found)?;
    let user: UserRecord = store::from_item(user)?;
    let team: Option<TeamRecord> = match user.team_id {
        Some(id) => {
            let key = keys::team(id);
            match found.remove(&key) {
                Some(item) => Some(store::from_item(item)?),
                None => db.get(&key).await?,
            }
        }
        None => None,
    };
    Ok(UserInTeam { user, team_name: team.map(|t| t.name) })
}

/// Teams by id, read in one round trip.
pub async fn load_teams(db: &Db, team_ids: impl IntoIterator<Item = u64>) -> Result<HashMap<u64, TeamRecord>, Error> {
    let mut wanted: Vec<Key> = team_ids.into_iter().map(keys::team).collect();
    wanted.sort_by(|a, b| a.pk.cmp(&b.pk));
    wanted.dedup();
    let found = db.get_many(&wanted).await?;
    Ok(found
        .into_values()
        .map(|item| store::from_item::<TeamRecord>(item).map(|team| (team.id, team)))
        .collect::<Result<_, StoreError>>()?)
}

/// Team names by id, for a page of users.
pub async fn team_names(db: &Db, team_ids: impl IntoIterator<Item = u64>) -> Result<HashMap<u64, String>, Error> {
    Ok(load_teams(db, team_ids).await?.into_iter().map(|(id, team)| (id, team.name)).collect())
}

/// A user and their sessions, as a change of their role or team needs them: one read of
/// the user's partition.
pub async fn load_user_and_sessions(db: &Db, user_id: u64) -> Result<(UserRecord, Vec<SessionRecord>), Error> {
    let mut user = None;
    let mut sessions = Vec::new();
    for item in db.read_partition(&keys::user_partition(user_id)).await? {
        let sort_key = store::string_attr(&item, keys::SK);
        if sort_key == keys::PROFILE {
            user = Some(store::from_item::<UserRecord>(item)?);
        } else if sort_key.starts_with(keys::SESSION_PREFIX) {
            sessions.push(store::from_item::<SessionRecord>(item)?);
        }
    }
    Ok((user.ok_or_else(user_not_found)?, sessions))
}

pub async fn sessions_of(db: &Db, user_id: u64) -> Result<Vec<SessionRecord>, StoreError> {
    let items = db.query_prefix(None, &keys::user_partition(user_id), keys::SESSION_PREFIX).await?;
    items.into_iter().map(store::from_item).collect()
}
