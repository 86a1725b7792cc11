//! One handler per route. Every route reads or changes the caller's own inbox only.

use jiff::Timestamp;
use lambda_http::Request;
use teamsync::api::{self, PathParams, Reply, RequestMeta};
use teamsync::i18n::Msg;
use teamsync::notifications::inbox;
use teamsync::paging::PageRequest;
use teamsync::validate::{self, Fields};
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
        Route::List => {
            let query = api::query_object(&req);
            let mut fields = Fields::new(&query)?;
            let is_read = fields.optional("is_read", validate::boolean);
            fields.finish()?;
            let page = PageRequest::parse(api::query_param(&req, "page"), api::query_param(&req, "page_size"))?;
            Reply::ok(Msg::Success, inbox::list(ctx, &caller, is_read, page, now, meta.lang).await?)
        }
        Route::Read => Reply::ok(Msg::NotificationRead, inbox::mark_read(ctx, &caller, params.id("id")?, now).await?),
        Route::ReadAll => Reply::ok(Msg::AllNotificationsRead, inbox::mark_all_read(ctx, &caller, now).await?),
        Route::Delete => {
            inbox::delete(ctx, &caller, params.id("id")?, now).await?;
            Ok(Reply::deleted(Msg::NotificationDeleted))
        }
    }
}
