//! The tasks function: a project's task trees, a task's changes and history, the claim flow
//! (seed 001 §4, the supplement 4.8–4.11). Every route needs a signed-in caller; what they
//! may do is the domain's call (`teamsync::projects::tasks`).

use http::Method;
use serde_json::Value;
use teamsync::Error;
use teamsync::auth::Caller;
use teamsync::dates::parse_date;
use teamsync::messages::{Lang, Msg};
use teamsync::names::parse_name;
use teamsync::projects::dependencies;
use teamsync::projects::manage;
use teamsync::projects::model::{MAX_LEVEL, Priority, Status, parse_description, parse_task_title};
use teamsync::projects::seen::{Layout, TaskSeen};
use teamsync::projects::tasks::{self, AssigneeFilter, NewTask, TaskPatch, TaskQuery};

use crate::api::input::{self, Fields, present};
use crate::api::{self, Call, Reply, Routes};
use crate::present::projects::{DependencyView, HistoryView, TaskItem, TaskList, TaskRenderer};

pub fn routes() -> Routes {
    Routes::new()
        .signed(Method::GET, "/api/projects/{id}/tasks", list)
        .signed(Method::GET, "/api/tasks/project/{id}", list)
        .signed(Method::GET, "/api/tasks/project/{id}/progress", task_counts)
        .signed(Method::POST, "/api/projects/{id}/tasks", create_main)
        .signed(Method::POST, "/api/tasks/project/{id}/create", create_main)
        .signed(Method::POST, "/api/tasks/create-unassigned", create_unassigned)
        .signed(Method::POST, "/api/tasks/{id}/subtasks", create_subtask)
        .signed(Method::GET, "/api/tasks/{id}", get)
        .signed(Method::PATCH, "/api/tasks/{id}", update)
        .signed(Method::PATCH, "/api/tasks/{id}/update", update)
        .signed(Method::PATCH, "/api/tasks/{id}/status", status)
        .signed(Method::DELETE, "/api/tasks/{id}", delete)
        .signed(Method::DELETE, "/api/tasks/{id}/delete", delete)
        .signed(Method::GET, "/api/tasks/{id}/history", history)
        .signed(Method::POST, "/api/tasks/{id}/claim", claim)
        .signed(Method::POST, "/api/tasks/{id}/dependencies", add_dependency)
        .signed(Method::DELETE, "/api/tasks/{id}/dependencies/{other}", remove_dependency)
}

/// The AWS clients this function calls. Changes are announced; a task lists its attachments' links, and a deleted task's files go.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk).events(sdk).files(sdk)
}

async fn create_main(call: Call, caller: Caller) -> Result<Reply, Error> {
    create(&call, &caller, Parent::Project(call.id("id")?)).await
}

async fn create_unassigned(call: Call, caller: Caller) -> Result<Reply, Error> {
    create(&call, &caller, Parent::Unassigned).await
}

async fn create_subtask(call: Call, caller: Caller) -> Result<Reply, Error> {
    create(&call, &caller, Parent::Task(call.id("id")?)).await
}

async fn get(call: Call, caller: Caller) -> Result<Reply, Error> {
    let task = tasks::get_task(&call.ctx, &caller, call.id("id")?, call.now).await?;
    match TaskRenderer::of(&task.seen, &caller, call.meta.lang).detail(task.clone()) {
        TaskItem::Full(task) => Ok(Reply::ok(Msg::Success, &task)?.etag(task.version)),
        redacted => Reply::ok(Msg::Success, redacted),
    }
}

async fn update(call: Call, caller: Caller) -> Result<Reply, Error> {
    change(&call, &caller, false).await
}

async fn status(call: Call, caller: Caller) -> Result<Reply, Error> {
    change(&call, &caller, true).await
}

async fn delete(call: Call, caller: Caller) -> Result<Reply, Error> {
    api::commit(&call.ctx, tasks::delete_task(&call.ctx, &caller, call.id("id")?, call.now).await?).await?;
    Ok(Reply::deleted(Msg::TaskDeleted))
}

async fn history(call: Call, caller: Caller) -> Result<Reply, Error> {
    let task_id = call.id("id")?;
    let entries = tasks::task_history(&call.ctx, &caller, task_id, call.now).await?;
    Reply::ok(Msg::Success, HistoryView::of(task_id, entries))
}

/// The project's task counts, as `GET /api/projects/{id}/tasks/progress/` answers them.
async fn task_counts(call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok(Msg::Success, manage::task_counts(&call.ctx, &caller, call.id("id")?, call.now).await?)
}

async fn claim(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let status = fields.optional("status", parse_name::<Status>);
    let end_date = fields.optional("end_date", parse_date);
    fields.finish()?;
    let plan = tasks::claim_task(&call.ctx, &caller, call.id("id")?, status, end_date, call.now).await?;
    task_reply(Msg::TaskClaimed, api::commit(&call.ctx, plan).await?, &caller, call.meta.lang)
}

async fn add_dependency(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let depends_on = fields.required_value("depends_on", input::id);
    fields.finish()?;
    let plan = dependencies::add(&call.ctx, &caller, call.id("id")?, present(depends_on)?, call.now).await?;
    let (dependencies, created) = api::commit(&call.ctx, plan).await?;
    let view = DependencyView::of(&dependencies);
    // The link is read through its dependent task, which lists what it depends on.
    let task = format!("/api/tasks/{}/", view.task_id);
    if created { Reply::created(Msg::DependencyAdded, view, &task) } else { Reply::ok(Msg::DependencyAdded, view) }
}

async fn remove_dependency(call: Call, caller: Caller) -> Result<Reply, Error> {
    let plan = dependencies::remove(&call.ctx, &caller, call.id("id")?, call.id("other")?, call.now).await?;
    api::commit(&call.ctx, plan).await?;
    Ok(Reply::deleted(Msg::DependencyRemoved))
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

async fn create(call: &Call, caller: &Caller, parent: Parent) -> Result<Reply, Error> {
    let (ctx, now, lang) = (&call.ctx, call.now, call.meta.lang);
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let title = fields.required("title", parse_task_title);
    let description = fields.optional("description", parse_description).unwrap_or_default();
    let status = fields.optional("status", parse_name::<Status>).unwrap_or_default();
    let priority = fields.optional("priority", parse_name::<Priority>).unwrap_or_default();
    let start_date = fields.optional("start_date", parse_date);
    let end_date = fields.optional("end_date", parse_date);
    // `0` (or null) names nobody: an unassigned main task, as `create-unassigned` makes.
    let assignee_id = match parent {
        Parent::Project(_) if fields.contains("assignee_id") => {
            fields.optional_value("assignee_id", input::id_or_none).flatten()
        }
        Parent::Project(_) => {
            fields.error("assignee_id", Msg::Required);
            None
        }
        Parent::Unassigned | Parent::Task(_) => None,
    };
    let project_id = match parent {
        Parent::Unassigned => fields.required_value("project_id", input::id),
        Parent::Project(id) => Some(id),
        Parent::Task(_) => None,
    };
    fields.finish()?;
    let input = NewTask { title: present(title)?, description, status, priority, start_date, end_date, assignee_id };
    let key = api::idempotency_key(&call.req, caller, &body)?;
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
    Reply::created_versioned(message, task, "/api/tasks/")
}

async fn list(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let layout = fields.optional("view", parse_name::<Layout>).unwrap_or_default();
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
    let level = fields.optional("level", input::integer_in(1, MAX_LEVEL.into())).map(|l| l as u8);
    let search = fields.optional("search", input::trimmed);
    fields.finish()?;
    let query = TaskQuery { layout, assignee, statuses, level, search };
    let listed = tasks::list_tasks(&call.ctx, &caller, call.id("id")?, query, call.now).await?;
    Reply::ok(Msg::Success, TaskList::of(&listed, &caller, call.meta.lang))
}

/// An assignee that may be cleared: absent leaves it, null or `0` removes it. The task's
/// current assignee sent back is no change (the domain's call).
fn assignee_patch(fields: &mut Fields, body: &Value) -> Option<Option<u64>> {
    match body.get("assignee_id")? {
        Value::Null => Some(None),
        _ => fields.optional_value("assignee_id", input::id_or_none),
    }
}

async fn change(call: &Call, caller: &Caller, status_only: bool) -> Result<Reply, Error> {
    let body = call.body()?;
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
    let if_match = api::if_match(&call.req)?;
    let plan = tasks::update_task(&call.ctx, caller, call.id("id")?, patch, if_match, call.now).await?;
    let message = if status_only { Msg::StatusUpdated } else { Msg::TaskUpdated };
    task_reply(message, api::commit(&call.ctx, plan).await?, caller, call.meta.lang)
}

/// A changed task in full, with its version as the ETag.
fn task_reply(message: Msg, task: TaskSeen, caller: &Caller, lang: Lang) -> Result<Reply, Error> {
    let view = TaskRenderer::of(&task.seen, caller, lang).full(&task.task);
    Ok(Reply::ok(message, &view)?.etag(view.version))
}
