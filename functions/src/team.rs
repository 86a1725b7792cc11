//! The team function: the team's settings, its people and their roles (seed 001 §6). Every
//! route needs a signed-in caller; what they may do is the domain's call (`teamsync::team`).

use http::Method;
use teamsync::Error;
use teamsync::auth::Caller;
use teamsync::identity::model::{Role, parse_team_name};
use teamsync::messages::Msg;
use teamsync::paging::PageRequest;
use teamsync::team::members::{self, MemberOrder, MemberQuery, parse_team_role};
use teamsync::team::{self, TeamPatch, parse_timezone};

use crate::api::input::{self, Fields, present};
use crate::api::{self, Call, Reply, Routes};
use crate::present::team::{InvitedView, MemberView, RoleChangedView};

pub fn routes() -> Routes {
    Routes::new()
        .signed(Method::GET, "/api/team", get)
        .signed(Method::PATCH, "/api/team", update)
        .signed(Method::GET, "/api/team/members", list_members)
        .signed(Method::POST, "/api/team/invite", invite)
        .signed(Method::PATCH, "/api/team/members/{id}/role", change_role)
        .signed(Method::DELETE, "/api/team/members/{id}", remove)
        .signed(Method::GET, "/api/team/check-user", check_user)
}

/// The AWS clients this function calls. Changes are announced.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk).events(sdk)
}

async fn get(call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok(Msg::Success, team::get_team(&call.ctx, &caller, named_team(&call)?).await?)
}

async fn change_role(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let role = fields.required("role", parse_team_role);
    fields.finish()?;
    let plan = members::change_role(&call.ctx, &caller, call.id("id")?, present(role)?, call.now).await?;
    Reply::ok(Msg::RoleChanged, RoleChangedView::of(api::commit(&call.ctx, plan).await?, call.meta.lang))
}

async fn remove(call: Call, caller: Caller) -> Result<Reply, Error> {
    let plan = members::remove_member(&call.ctx, &caller, call.id("id")?, call.now).await?;
    api::commit(&call.ctx, plan).await?;
    Ok(Reply::deleted(Msg::MemberRemoved))
}

async fn check_user(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let username = fields.required("username", input::trimmed);
    fields.finish()?;
    Reply::ok(Msg::Success, members::check_user(&call.ctx, &caller, &present(username)?).await?)
}

/// The super admin names the team with `?team_id=`; everyone else acts on their own.
fn named_team(call: &Call) -> Result<Option<u64>, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let team_id = fields.optional("team_id", parse_id);
    fields.finish()?;
    Ok(team_id)
}

fn parse_id(text: &str) -> Result<u64, Msg> {
    text.trim().parse().map_err(|_| Msg::MustBeInteger)
}

async fn update(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let patch = TeamPatch {
        name: fields.optional("name", parse_team_name),
        timezone: fields.optional("timezone", parse_timezone),
    };
    fields.finish()?;
    let plan = team::update_team(&call.ctx, &caller, named_team(&call)?, patch, call.now).await?;
    Reply::ok(Msg::TeamUpdated, api::commit(&call.ctx, plan).await?)
}

async fn list_members(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let role = fields.optional("role", parse_team_role);
    let search = fields.optional("search", input::trimmed);
    let (order, descending) = fields.optional("ordering", MemberOrder::parse).unwrap_or_default();
    let team_id = fields.optional("team_id", parse_id);
    fields.finish()?;
    let page = PageRequest::parse(api::query_param(&call.req, "page"), api::query_param(&call.req, "page_size"))?;
    let query = MemberQuery { team_id, role, search, order, descending };
    let members = members::list_members(&call.ctx, &caller, query, page).await?;
    Reply::ok(Msg::Success, members.map(|member| MemberView::of(member, call.meta.lang)))
}

async fn invite(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let username = fields.required("username", input::trimmed);
    let role = fields.optional("role", parse_team_role).unwrap_or(Role::Member);
    let team_id = fields.optional_value("team_id", input::id);
    fields.finish()?;
    let plan = members::invite(&call.ctx, &caller, team_id, &present(username)?, role, call.now).await?;
    Reply::ok(Msg::InvitedToTeam, InvitedView::of(api::commit(&call.ctx, plan).await?, call.meta.lang))
}
