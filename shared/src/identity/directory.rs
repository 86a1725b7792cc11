//! Finding users: the team's people for members, everyone for the super admin.

use crate::auth::Caller;
use crate::context::AppContext;
use crate::error::{Error, StoreError};
use crate::identity::model::{UserInTeam, UserRecord};
use crate::identity::repo;
use crate::keys;
use crate::paging::{Page, PageRequest};
use crate::store::{self, GSI1, GSI2};

/// The users the caller may see, optionally filtered by a search text (username, nickname,
/// names or email, ignoring case), one page at a time and ordered by id.
pub async fn list_users(
    ctx: &AppContext,
    caller: &Caller,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Page<UserInTeam>, Error> {
    let users: Vec<UserRecord> = if caller.is_super_admin() {
        query_users(ctx, GSI2, keys::DIRECTORY_USERS).await?
    } else if let Some(team_id) = caller.team_id {
        query_users(ctx, GSI1, &keys::team_members_partition(team_id)).await?
    } else {
        vec![repo::load_user(&ctx.db, caller.user_id).await?]
    };
    let needle = search.map(str::to_lowercase).filter(|s| !s.is_empty());
    let matching: Vec<UserRecord> =
        users.into_iter().filter(|u| needle.as_deref().is_none_or(|n| matches(u, n))).collect();
    let page = page.slice(matching);
    let names = repo::team_names(&ctx.db, page.items.iter().filter_map(|u| u.team_id)).await?;
    Ok(page.map(|user| {
        let team_name = user.team_id.and_then(|id| names.get(&id).cloned());
        UserInTeam { user, team_name }
    }))
}

async fn query_users(ctx: &AppContext, index: store::IndexKeys, partition: &str) -> Result<Vec<UserRecord>, Error> {
    let items = ctx.db.query_prefix(Some(index), partition, "USER#").await?;
    Ok(items.into_iter().map(store::from_item).collect::<Result<_, StoreError>>()?)
}

fn matches(user: &UserRecord, needle: &str) -> bool {
    [&user.username, &user.nickname, &user.first_name, &user.last_name]
        .into_iter()
        .chain(user.email.as_ref())
        .any(|field| field.to_lowercase().contains(needle))
}

/// One user by name, if the caller may see them: themselves, their team, or anyone for the
/// super admin. Others get the same 404 as a name nobody has.
pub async fn find_user(ctx: &AppContext, caller: &Caller, username: &str) -> Result<UserInTeam, Error> {
    let user_id = repo::find_user_id(&ctx.db, username).await?.ok_or_else(repo::user_not_found)?;
    let found = repo::load_user_in_team(&ctx.db, user_id, caller.team_id).await?;
    let user = &found.user;
    let visible = caller.is_super_admin()
        || user.id == caller.user_id
        || (caller.team_id.is_some() && user.team_id == caller.team_id);
    // Only a username lookup, not an email one, names a user in this route.
    if !visible || !user.username.eq_ignore_ascii_case(username) {
        return Err(repo::user_not_found());
    }
    Ok(found)
}
