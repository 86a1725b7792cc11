//! One handler per route: read the request into validated types, call one domain function,
//! render. Every route needs a signed-in caller; what they may do is the domain's call.

use jiff::Timestamp;
use lambda_http::Request;
use teamsync::api::{self, PathParams, Reply, RequestMeta};
use teamsync::auth::Caller;
use teamsync::dates::parse_date;
use teamsync::i18n::Msg;
use teamsync::names::parse_name;
use teamsync::paging::PageRequest;
use teamsync::projects::manage::{self, NewProject, ProjectFilter, ProjectPatch};
use teamsync::projects::model::{Status, parse_description, parse_project_title};
use teamsync::projects::seen::Seen;
use teamsync::projects::views::ProjectView;
use teamsync::validate::{self, Fields, present};
use teamsync::{AppContext, Error};

use crate::Route;

pub(crate) async fn dispatch(
    ctx: &AppContext,
    route: Route,
    params: PathParams,
    req: Request,
    _meta: RequestMeta,
) -> Result<Reply, Error> {
    let now = Timestamp::now();
    let caller = api::authenticate(ctx, &req, now).await?;
    match route {
        Route::List => list(ctx, &caller, &req, now).await,
        Route::Create => create(ctx, &caller, &req, now).await,
        Route::Get => project_reply(Msg::Success, manage::get_project(ctx, &caller, params.id("id")?, now).await?),
        Route::Update => update(ctx, &caller, &req, params.id("id")?, now).await,
        Route::Archive => {
            let if_match = api::if_match(&req)?;
            let plan = manage::archive_project(ctx, &caller, params.id("id")?, if_match, now).await?;
            project_reply(Msg::ProjectArchived, api::commit(ctx, plan).await?)
        }
        Route::Delete => {
            api::commit(ctx, manage::delete_project(ctx, &caller, params.id("id")?).await?).await?;
            Ok(Reply::deleted(Msg::ProjectDeleted))
        }
        Route::Progress => {
            Reply::ok(Msg::Success, manage::project_progress(ctx, &caller, params.id("id")?, now).await?)
        }
        Route::TaskCounts => Reply::ok(Msg::Success, manage::task_counts(ctx, &caller, params.id("id")?, now).await?),
        Route::Members => {
            let body = api::body_json(&req)?;
            let mut fields = Fields::new(&body)?;
            let member_ids = fields.required_value("member_ids", validate::id_list);
            fields.finish()?;
            let if_match = api::if_match(&req)?;
            let plan = manage::set_members(ctx, &caller, params.id("id")?, present(member_ids)?, if_match, now).await?;
            project_reply(Msg::MembersUpdated, api::commit(ctx, plan).await?)
        }
    }
}

/// A project in full, with its version as the ETag.
fn project_reply(message: Msg, seen: Seen) -> Result<Reply, Error> {
    let view = ProjectView::full(&seen.data, seen.today);
    Ok(Reply::ok(message, &view)?.etag(view.version))
}

async fn list(ctx: &AppContext, caller: &Caller, req: &Request, now: Timestamp) -> Result<Reply, Error> {
    let query = api::query_object(req);
    let mut fields = Fields::new(&query)?;
    let status = fields.optional("status", parse_name::<Status>);
    let archived = fields.optional("is_archived", validate::boolean).unwrap_or(false);
    let search = fields.optional("search", validate::trimmed);
    fields.finish()?;
    let page = PageRequest::parse(api::query_param(req, "page"), api::query_param(req, "page_size"))?;
    let filter = ProjectFilter { status, archived, search };
    let page = manage::list_projects(ctx, caller, filter, page, now).await?;
    Reply::ok(Msg::Success, page.map(|seen| ProjectView::summary(&seen.data, seen.today)))
}

async fn create(ctx: &AppContext, caller: &Caller, req: &Request, now: Timestamp) -> Result<Reply, Error> {
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let title = fields.required("title", parse_project_title);
    let description = fields.optional("description", parse_description).unwrap_or_default();
    let status = fields.optional("status", parse_name::<Status>).unwrap_or(Status::Planning);
    let start_date = fields.optional("start_date", parse_date);
    let end_date = fields.optional("end_date", parse_date);
    let member_ids = fields.required_value("member_ids", validate::id_list);
    let team_id = fields.optional_value("team_id", validate::id);
    fields.finish()?;
    let input = NewProject {
        team_id,
        title: present(title)?,
        description,
        status,
        start_date,
        end_date,
        member_ids: present(member_ids)?,
    };
    let key = api::idempotency_key(req, caller, &body)?;
    let plan = manage::create_project(ctx, caller, input, now);
    let render = |seen: Seen| serde_json::to_value(ProjectView::full(&seen.data, seen.today)).map_err(Error::caused);
    Reply::created_versioned(Msg::ProjectCreated, api::create_once(ctx, key, now, plan, render).await?)
}

async fn update(
    ctx: &AppContext,
    caller: &Caller,
    req: &Request,
    project_id: u64,
    now: Timestamp,
) -> Result<Reply, Error> {
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let patch = ProjectPatch {
        title: fields.optional("title", parse_project_title),
        description: fields.optional("description", parse_description),
        status: fields.optional("status", parse_name::<Status>),
        start_date: fields.patch("start_date", parse_date),
        end_date: fields.patch("end_date", parse_date),
    };
    fields.finish()?;
    let if_match = api::if_match(req)?;
    let plan = manage::update_project(ctx, caller, project_id, patch, if_match, now).await?;
    project_reply(Msg::ProjectUpdated, api::commit(ctx, plan).await?)
}
