//! One handler per route: read the request into validated types, call one domain function,
//! render. Every route needs a signed-in caller; what they may do is the domain's call.

use jiff::Timestamp;
use lambda_http::Request;
use teamsync::api::{self, PathParams, Reply, RequestMeta};
use teamsync::auth::Caller;
use teamsync::i18n::Msg;
use teamsync::identity::model::{Role, parse_team_name};
use teamsync::paging::PageRequest;
use teamsync::team::members::{self, MemberOrder, MemberQuery, parse_team_role};
use teamsync::team::{self, TeamPatch, parse_timezone};
use teamsync::validate::{self, Fields, present};
use teamsync::{AppContext, Error};

use crate::Route;

pub(crate) async fn dispatch(
    ctx: &AppContext,
    route: Route,
    params: PathParams,
    req: Request,
    meta: RequestMeta,
) -> Result<Reply, Error> {
    let now = Timestamp::now();
    let caller = api::authenticate(ctx, &req, now).await?;
    match route {
        Route::Get => Reply::ok(Msg::Success, team::get_team(ctx, &caller, named_team(&req)?).await?),
        Route::Update => update(ctx, &caller, &req, now).await,
        Route::Members => list_members(ctx, &caller, &req, meta).await,
        Route::Invite => invite(ctx, &caller, &req, now).await,
        Route::ChangeRole => {
            let body = api::body_json(&req)?;
            let mut fields = Fields::new(&body)?;
            let role = fields.required("role", parse_team_role);
            fields.finish()?;
            let plan = members::change_role(ctx, &caller, params.id("id")?, present(role)?, now).await?;
            Reply::ok(Msg::RoleChanged, api::commit(ctx, plan).await?)
        }
        Route::Remove => {
            api::commit(ctx, members::remove_member(ctx, &caller, params.id("id")?, now).await?).await?;
            Ok(Reply::deleted(Msg::MemberRemoved))
        }
        Route::CheckUser => {
            let query = api::query_object(&req);
            let mut fields = Fields::new(&query)?;
            let username = fields.required("username", validate::trimmed);
            fields.finish()?;
            Reply::ok(Msg::Success, members::check_user(ctx, &caller, &present(username)?).await?)
        }
    }
}

/// The super admin names the team with `?team_id=`; everyone else acts on their own.
fn named_team(req: &Request) -> Result<Option<u64>, Error> {
    let query = api::query_object(req);
    let mut fields = Fields::new(&query)?;
    let team_id = fields.optional("team_id", parse_id);
    fields.finish()?;
    Ok(team_id)
}

fn parse_id(text: &str) -> Result<u64, Msg> {
    text.trim().parse().map_err(|_| Msg::MustBeInteger)
}

async fn update(ctx: &AppContext, caller: &Caller, req: &Request, now: Timestamp) -> Result<Reply, Error> {
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let patch = TeamPatch {
        name: fields.optional("name", parse_team_name),
        timezone: fields.optional("timezone", parse_timezone),
    };
    fields.finish()?;
    let plan = team::update_team(ctx, caller, named_team(req)?, patch, now).await?;
    Reply::ok(Msg::TeamUpdated, api::commit(ctx, plan).await?)
}

async fn list_members(ctx: &AppContext, caller: &Caller, req: &Request, meta: RequestMeta) -> Result<Reply, Error> {
    let query = api::query_object(req);
    let mut fields = Fields::new(&query)?;
    let role = fields.optional("role", parse_team_role);
    let search = fields.optional("search", validate::trimmed);
    let (order, descending) = fields.optional("ordering", MemberOrder::parse).unwrap_or_default();
    let team_id = fields.optional("team_id", parse_id);
    fields.finish()?;
    let page = PageRequest::parse(api::query_param(req, "page"), api::query_param(req, "page_size"))?;
    let query = MemberQuery { team_id, role, search, order, descending };
    Reply::ok(Msg::Success, members::list_members(ctx, caller, query, page, meta.lang).await?)
}

async fn invite(ctx: &AppContext, caller: &Caller, req: &Request, now: Timestamp) -> Result<Reply, Error> {
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let username = fields.required("username", validate::trimmed);
    let role = fields.optional("role", parse_team_role).unwrap_or(Role::Member);
    let team_id = fields.optional_value("team_id", validate::id);
    fields.finish()?;
    let plan = members::invite(ctx, caller, team_id, &present(username)?, role, now).await?;
    Reply::ok(Msg::InvitedToTeam, api::commit(ctx, plan).await?)
}
