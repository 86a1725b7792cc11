//! The projects function: projects, their members and progress (seed 001 §3, supplement
//! 4.12). Each handler reads the request into validated types, calls one domain function
//! and renders; the rules live in `teamsync::projects`.

use http::Method;
use teamsync::Error;
use teamsync::auth::Caller;
use teamsync::dates::parse_date;
use teamsync::messages::Msg;
use teamsync::names::parse_name;
use teamsync::paging::PageRequest;
use teamsync::projects::manage::{self, NewProject, ProjectFilter, ProjectPatch};
use teamsync::projects::model::{Status, parse_description, parse_project_title};
use teamsync::projects::seen::Seen;

use crate::api::input::{self, Fields, present};
use crate::api::{self, Call, Reply, Routes};
use crate::present::projects::ProjectView;

pub fn routes() -> Routes {
    Routes::new()
        .signed(Method::GET, "/api/projects", list)
        .signed(Method::POST, "/api/projects", create)
        .signed(Method::GET, "/api/projects/{id}", get)
        .signed(Method::PATCH, "/api/projects/{id}", update)
        .signed(Method::PATCH, "/api/projects/{id}/update", update)
        .signed(Method::PATCH, "/api/projects/{id}/archive", archive)
        .signed(Method::DELETE, "/api/projects/{id}", delete)
        .signed(Method::DELETE, "/api/projects/{id}/delete", delete)
        .signed(Method::GET, "/api/projects/{id}/progress", progress)
        .signed(Method::GET, "/api/projects/{id}/tasks/progress", task_counts)
        .signed(Method::PUT, "/api/projects/{id}/members", members)
}

/// The AWS clients this function calls. Changes are announced; a deleted project's attachments go from the bucket.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk).events(sdk).files(sdk)
}

/// A project in full, with its version as the ETag.
fn project_reply(message: Msg, seen: Seen) -> Result<Reply, Error> {
    let view = ProjectView::full(&seen.data, seen.today);
    Ok(Reply::ok(message, &view)?.etag(view.version))
}

async fn list(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let status = fields.optional("status", parse_name::<Status>);
    let archived = fields.optional("is_archived", input::boolean).unwrap_or(false);
    let search = fields.optional("search", input::trimmed);
    fields.finish()?;
    let page = PageRequest::parse(api::query_param(&call.req, "page"), api::query_param(&call.req, "page_size"))?;
    let filter = ProjectFilter { status, archived, search };
    let page = manage::list_projects(&call.ctx, &caller, filter, page, call.now).await?;
    Reply::ok(Msg::Success, page.map(|summary| ProjectView::summary(&summary)))
}

async fn create(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let title = fields.required("title", parse_project_title);
    let description = fields.optional("description", parse_description).unwrap_or_default();
    let status = fields.optional("status", parse_name::<Status>).unwrap_or_default();
    let start_date = fields.optional("start_date", parse_date);
    let end_date = fields.optional("end_date", parse_date);
    let member_ids = fields.required_value("member_ids", input::id_list);
    let team_id = fields.optional_value("team_id", input::id);
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
    let key = api::idempotency_key(&call.req, &caller, &body)?;
    let plan = manage::create_project(&call.ctx, &caller, input, call.now);
    let render = |seen: Seen| serde_json::to_value(ProjectView::full(&seen.data, seen.today)).map_err(Error::caused);
    let project = api::create_once(&call.ctx, key, call.now, plan, render).await?;
    Reply::created_versioned(Msg::ProjectCreated, project, "/api/projects/")
}

async fn get(call: Call, caller: Caller) -> Result<Reply, Error> {
    project_reply(Msg::Success, manage::get_project(&call.ctx, &caller, call.id("id")?, call.now).await?)
}

async fn update(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let patch = ProjectPatch {
        title: fields.optional("title", parse_project_title),
        description: fields.optional("description", parse_description),
        status: fields.optional("status", parse_name::<Status>),
        start_date: fields.patch("start_date", parse_date),
        end_date: fields.patch("end_date", parse_date),
    };
    fields.finish()?;
    let if_match = api::if_match(&call.req)?;
    let plan = manage::update_project(&call.ctx, &caller, call.id("id")?, patch, if_match, call.now).await?;
    project_reply(Msg::ProjectUpdated, api::commit(&call.ctx, plan).await?)
}

async fn archive(call: Call, caller: Caller) -> Result<Reply, Error> {
    let if_match = api::if_match(&call.req)?;
    let plan = manage::archive_project(&call.ctx, &caller, call.id("id")?, if_match, call.now).await?;
    project_reply(Msg::ProjectArchived, api::commit(&call.ctx, plan).await?)
}

async fn delete(call: Call, caller: Caller) -> Result<Reply, Error> {
    api::commit(&call.ctx, manage::delete_project(&call.ctx, &caller, call.id("id")?).await?).await?;
    Ok(Reply::deleted(Msg::ProjectDeleted))
}

async fn progress(call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok(Msg::Success, manage::project_progress(&call.ctx, &caller, call.id("id")?, call.now).await?)
}

async fn task_counts(call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok(Msg::Success, manage::task_counts(&call.ctx, &caller, call.id("id")?, call.now).await?)
}

async fn members(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let member_ids = fields.required_value("member_ids", input::id_list);
    fields.finish()?;
    let if_match = api::if_match(&call.req)?;
    let plan =
        manage::set_members(&call.ctx, &caller, call.id("id")?, present(member_ids)?, if_match, call.now).await?;
    project_reply(Msg::MembersUpdated, api::commit(&call.ctx, plan).await?)
}
