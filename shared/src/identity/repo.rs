//! Reading and writing identity items. Index attributes are added here, so a user item
//! always sits in the right indexes.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::auth::SessionRecord;
use crate::error::{ApiError, BusinessCode};
use crate::i18n::Msg;
use crate::identity::model::{GuardRecord, TeamRecord, UserInTeam, UserRecord};
use crate::keys::{self, Key};
use crate::store::{self, Db, Item};

pub fn user_not_found() -> ApiError {
    ApiError::NotFound { msg: Msg::UserNotFound, code: Some(BusinessCode::UserNotFound), fields: Default::default() }
}

pub fn user_item(user: &UserRecord) -> Result<Item, ApiError> {
    let mut item = store::to_item(&keys::user(user.id), user)?;
    item.insert(keys::GSI2_PK.into(), AttributeValue::S(keys::DIRECTORY_USERS.into()));
    item.insert(keys::GSI2_SK.into(), AttributeValue::S(keys::user_sort(user.id)));
    // Sparse: a user without a team is simply absent from the membership index.
    if let Some(team_id) = user.team_id {
        item.insert(keys::GSI1_PK.into(), AttributeValue::S(keys::team_members_partition(team_id)));
        item.insert(keys::GSI1_SK.into(), AttributeValue::S(keys::user_sort(user.id)));
    }
    Ok(item)
}

pub fn guard_item(key: &Key, user_id: u64) -> Result<Item, ApiError> {
    store::to_item(key, &GuardRecord { user_id })
}

pub fn team_item(team: &TeamRecord) -> Result<Item, ApiError> {
    store::to_item(&keys::team(team.id), team)
}

pub fn session_item(session: &SessionRecord) -> Result<Item, ApiError> {
    let mut item = store::to_item(&keys::session(session.user_id, &session.session_id), session)?;
    item.insert(keys::EXPIRES_AT.into(), AttributeValue::N(session.expires_at.to_string()));
    Ok(item)
}

/// The user a login name refers to: an email address, or else a username, read in one round
/// trip. Usernames have no `@` today, but older ones may: such a name still finds its
/// account, and no one may take it as an email address (`accounts::claim_email`), so a
/// login name never names two accounts.
pub async fn find_user_id(db: &Db, login_name: &str) -> Result<Option<u64>, ApiError> {
    let by_name = keys::username_guard(login_name);
    let by_email = keys::email_guard(login_name);
    let mut found = db.get_many(&[by_name.clone(), by_email.clone()]).await?;
    let guard = found.remove(&by_email).or_else(|| found.remove(&by_name));
    guard.map(|item| store::from_item::<GuardRecord>(item).map(|g| g.user_id)).transpose()
}

pub async fn load_user(db: &Db, user_id: u64) -> Result<UserRecord, ApiError> {
    db.get(&keys::user(user_id)).await?.ok_or_else(user_not_found)
}

/// A user and their team's name. `team_hint` (the session's team) lets both be read in one
/// round trip; the user item stays the truth if the hint is stale.
pub async fn load_user_in_team(db: &Db, user_id: u64, team_hint: Option<u64>) -> Result<UserInTeam, ApiError> {
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
pub async fn load_teams(
    db: &Db,
    team_ids: impl IntoIterator<Item = u64>,
) -> Result<HashMap<u64, TeamRecord>, ApiError> {
    let mut wanted: Vec<Key> = team_ids.into_iter().map(keys::team).collect();
    wanted.sort_by(|a, b| a.pk.cmp(&b.pk));
    wanted.dedup();
    db.get_many(&wanted)
        .await?
        .into_values()
        .map(|item| store::from_item::<TeamRecord>(item).map(|team| (team.id, team)))
        .collect()
}

/// Team names by id, for a page of users.
pub async fn team_names(db: &Db, team_ids: impl IntoIterator<Item = u64>) -> Result<HashMap<u64, String>, ApiError> {
    Ok(load_teams(db, team_ids).await?.into_iter().map(|(id, team)| (id, team.name)).collect())
}

pub async fn sessions_of(db: &Db, user_id: u64) -> Result<Vec<SessionRecord>, ApiError> {
    db.query_prefix(None, &keys::user_partition(user_id), keys::SESSION_PREFIX)
        .await?
        .into_iter()
        .map(store::from_item)
        .collect()
}

/// The condition under which a read-modify-write of a user may commit: nobody else wrote
/// the user in between.
pub fn unchanged_since(user: &UserRecord) -> store::Condition {
    store::Condition::new("#version = :version")
        .name("#version", "version")
        .value(":version", AttributeValue::N(user.version.to_string()))
}
