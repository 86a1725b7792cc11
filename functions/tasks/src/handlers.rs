//! One handler per route: read the request into validated types, call one domain function,
//! render. Every route needs a signed-in caller; what they may do is the domain's call.

use jiff::Timestamp;
use lambda_http::Request;
use serde_json::Value;
use teamsync::api::{self, PathParams, Reply, RequestMeta};
use teamsync::auth::Caller;
use teamsync::dates::parse_date;
use teamsync::i18n::{Lang, Msg};
use teamsync::names::parse_name;
use teamsync::projects::model::{MAX_LEVEL, Priority, Status, parse_description, parse_task_title};
use teamsync::projects::seen::{Layout, TaskSeen};
use teamsync::projects::tasks::{self, AssigneeFilter, NewTask, TaskPatch, TaskQuery};
use teamsync::projects::views::{HistoryView, TaskItem, TaskList, TaskRenderer};
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
    let lang = meta.lang;
    match route {
        Route::List => list(ctx, &caller, &req, params.id("id")?, now, lang).await,
        Route::CreateMain => create(ctx, &caller, &req, Parent::Project(params.id("id")?), now, lang).await,
        Route::CreateUnassigned => create(ctx, &caller, &req, Parent::Unassigned, now, lang).await,
        Route::CreateSubtask => create(ctx, &caller, &req, Parent::Task(params.id("id")?), now, lang).await,
        Route::Get => {
            let task = tasks::get_task(ctx, &caller, params.id("id")?, now).await?;
            match TaskRenderer::of(&task.seen, &caller, lang).detail(task.clone()) {
                TaskItem::Full(task) => Ok(Reply::ok(Msg::Success, &task)?.etag(task.version)),
                redacted => Reply::ok(Msg::Success, redacted),
            }
        }
        Route::Update => update(ctx, &caller, &req, params.id("id")?, false, now, lang).await,
        Route::Status => update(ctx, &caller, &req, params.id("id")?, true, now, lang).await,
        Route::Delete => {
            api::commit(ctx, tasks::delete_task(ctx, &caller, params.id("id")?).await?).await?;
            Ok(Reply::deleted(Msg::TaskDeleted))
        }
        Route::History => {
            let task_id = params.id("id")?;
            let entries = tasks::task_history(ctx, &caller, task_id, now).await?;
            Reply::ok(Msg::Success, HistoryView::of(task_id, entries))
        }
        Route::Claim => {
            let body = api::body_json(&req)?;
            let mut fields = Fields::new(&body)?;
            let status = fields.optional("status", parse_name::<Status>);
            let end_date = fields.optional("end_date", parse_date);
            fields.finish()?;
            let plan = tasks::claim_task(ctx, &caller, params.id("id")?, status, end_date, now).await?;
            task_reply(Msg::TaskClaimed, api::commit(ctx, plan).await?, &caller, lang)
        }
    }
}

/// Where a new task goes.
enum Parent {
    /// A main task of this project, with an assignee.
    Project(u64),
    /// A main task without an assignee, for the claim flow; the project is in the body.
    Unassigned,
    /// A subtask of this task.
    Task(u64),
}

async fn create(
    ctx: &AppContext,
    caller: &Caller,
    req: &Request,
    parent: Parent,
    now: Timestamp,
    lang: Lang,
) -> Result<Reply, Error> {
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let title = fields.required("title", parse_task_title);
    let description = fields.optional("description", parse_description).unwrap_or_default();
    let status = fields.optional("status", parse_name::<Status>).unwrap_or(Status::Planning);
    let priority = fields.optional("priority", parse_name::<Priority>).unwrap_or(Priority::Medium);
    let start_date = fields.optional("start_date", parse_date);
    let end_date = fields.optional("end_date", parse_date);
    let assignee_id = match parent {
        Parent::Project(_) => fields.required_value("assignee_id", validate::id),
        Parent::Unassigned | Parent::Task(_) => None,
    };
    let project_id = match parent {
        Parent::Unassigned => fields.required_value("project_id", validate::id),
        Parent::Project(id) => Some(id),
        Parent::Task(_) => None,
    };
    fields.finish()?;
    let input = NewTask { title: present(title)?, description, status, priority, start_date, end_date, assignee_id };
    let key = api::idempotency_key(req, caller, &body)?;
    let message = match parent {
        Parent::Task(_) => Msg::SubtaskCreated,
        Parent::Project(_) | Parent::Unassigned => Msg::TaskCreated,
    };
    let plan = async {
        match parent {
            Parent::Task(parent_id) => tasks::create_subtask(ctx, caller, parent_id, input, now).await,
            Parent::Project(_) | Parent::Unassigned => {
                tasks::create_main_task(ctx, caller, present(project_id)?, input, now).await
            }
        }
    };
    let render = |task: TaskSeen| {
        serde_json::to_value(TaskRenderer::of(&task.seen, caller, lang).item(&task.task)).map_err(Error::caused)
    };
    let task = api::create_once(ctx, key, now, plan, render).await?;
    Reply::created_versioned(message, task)
}

async fn list(
    ctx: &AppContext,
    caller: &Caller,
    req: &Request,
    project_id: u64,
    now: Timestamp,
    lang: Lang,
) -> Result<Reply, Error> {
    let query = api::query_object(req);
    let mut fields = Fields::new(&query)?;
    let layout = fields
        .optional("view", |t| match t.trim() {
            "tree" => Ok(Layout::Tree),
            "flat" => Ok(Layout::Flat),
            _ => Err(Msg::MustBeOneOf(&["tree", "flat"])),
        })
        .unwrap_or_default();
    let assignee = fields
        .optional("assignee", |t| match t.trim() {
            "all" | "" => Ok(AssigneeFilter::All),
            "me" => Ok(AssigneeFilter::Me),
            id => id.parse().map(AssigneeFilter::User).map_err(|_| Msg::MustBeOneOf(&["me", "all", "<user id>"])),
        })
        .unwrap_or_default();
    let statuses = fields
        .optional("status", |t| {
            t.split(',').filter(|s| !s.trim().is_empty()).map(parse_name::<Status>).collect::<Result<Vec<_>, _>>()
        })
        .unwrap_or_default();
    let level = fields.optional("level", |t| {
        t.trim()
            .parse::<u8>()
            .ok()
            .filter(|l| (1..=MAX_LEVEL).contains(l))
            .ok_or(Msg::OutOfRange { min: 1, max: MAX_LEVEL as u64 })
    });
    let search = fields.optional("search", validate::trimmed);
    fields.finish()?;
    let query = TaskQuery { layout, assignee, statuses, level, search };
    let listed = tasks::list_tasks(ctx, caller, project_id, query, now).await?;
    Reply::ok(Msg::Success, TaskList::of(&listed, caller, lang))
}

/// An assignee that may be cleared: absent leaves it, null removes it.
fn assignee_patch(fields: &mut Fields, body: &Value) -> Option<Option<u64>> {
    match body.get("assignee_id")? {
        Value::Null => Some(None),
        _ => fields.optional_value("assignee_id", validate::id).map(Some),
    }
}

async fn update(
    ctx: &AppContext,
    caller: &Caller,
    req: &Request,
    task_id: u64,
    status_only: bool,
    now: Timestamp,
    lang: Lang,
) -> Result<Reply, Error> {
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let patch = if status_only {
        TaskPatch { status: fields.required("status", parse_name::<Status>), ..TaskPatch::default() }
    } else {
        TaskPatch {
            title: fields.optional("title", parse_task_title),
            description: fields.optional("description", parse_description),
            status: fields.optional("status", parse_name::<Status>),
            priority: fields.optional("priority", parse_name::<Priority>),
            assignee_id: assignee_patch(&mut fields, &body),
            start_date: fields.patch("start_date", parse_date),
            end_date: fields.patch("end_date", parse_date),
        }
    };
    fields.finish()?;
    let if_match = api::if_match(req)?;
    let plan = tasks::update_task(ctx, caller, task_id, patch, if_match, now).await?;
    let message = if status_only { Msg::StatusUpdated } else { Msg::TaskUpdated };
    task_reply(message, api::commit(ctx, plan).await?, caller, lang)
}

/// A changed task in full, with its version as the ETag.
fn task_reply(message: Msg, task: TaskSeen, caller: &Caller, lang: Lang) -> Result<Reply, Error> {
    let view = TaskRenderer::of(&task.seen, caller, lang).full(&task.task);
    Ok(Reply::ok(message, &view)?.etag(view.version))
}
