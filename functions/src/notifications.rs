//! The notifications function: the caller's inbox (seed 001 §7). Every route reads or
//! changes the caller's own inbox only; the rules live in `teamsync::notifications`.

use http::Method;
use teamsync::Error;
use teamsync::auth::Caller;
use teamsync::messages::Msg;
use teamsync::notifications::inbox;
use teamsync::paging::PageRequest;

use crate::api::input::{self, Fields};
use crate::api::{self, Call, Reply, Routes};
use crate::present::notifications::InboxPage;

pub fn routes() -> Routes {
    Routes::new()
        .signed(Method::GET, "/api/notifications", list)
        .signed(Method::PATCH, "/api/notifications/{id}/read", read)
        .signed(Method::PATCH, "/api/notifications/read-all", read_all)
        .signed(Method::DELETE, "/api/notifications/{id}", delete)
}

/// The AWS clients this function calls. An inbox of its own: nothing else.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk)
}

async fn list(call: Call, caller: Caller) -> Result<Reply, Error> {
    let query = call.query();
    let mut fields = Fields::new(&query)?;
    let is_read = fields.optional("is_read", input::boolean);
    fields.finish()?;
    let page = PageRequest::parse(api::query_param(&call.req, "page"), api::query_param(&call.req, "page_size"))?;
    let inbox = inbox::list(&call.ctx, &caller, is_read, page, call.now).await?;
    Reply::ok(Msg::Success, InboxPage::of(inbox, call.meta.lang))
}

async fn read(call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok(Msg::NotificationRead, inbox::mark_read(&call.ctx, &caller, call.id("id")?, call.now).await?)
}

async fn read_all(call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok(Msg::AllNotificationsRead, inbox::mark_all_read(&call.ctx, &caller, call.now).await?)
}

async fn delete(call: Call, caller: Caller) -> Result<Reply, Error> {
    inbox::delete(&call.ctx, &caller, call.id("id")?, call.now).await?;
    Ok(Reply::deleted(Msg::NotificationDeleted))
}
