//! One handler per route. Every attachment route needs a signed-in caller; an avatar link
//! is open to whoever holds it (see `teamsync::files::avatars`).

use jiff::Timestamp;
use lambda_http::Request;
use teamsync::api::{self, PathParams, Reply, RequestMeta};
use teamsync::auth::Caller;
use teamsync::files::attachments::{self, FileDeclaration};
use teamsync::files::avatars;
use teamsync::i18n::Msg;
use teamsync::validate::{Fields, present};
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
    if route == Route::Avatar {
        let key = format!("avatars/{}/{}/{}", params.get("user")?, params.get("file")?, params.get("name")?);
        return Reply::redirect(&avatars::resolve(ctx, &key).await?);
    }
    let caller = api::authenticate(ctx, &req, now).await?;
    match route {
        Route::UploadUrl => {
            let body = api::body_json(&req)?;
            let mut fields = Fields::new(&body)?;
            let file = FileDeclaration::read(&mut fields);
            fields.finish()?;
            let file = file?;
            Reply::ok(Msg::UploadUrlIssued, attachments::upload_url(ctx, &caller, params.id("id")?, file, now).await?)
        }
        Route::Confirm => confirm(ctx, &caller, &req, params.id("id")?, now).await,
        Route::DownloadUrl => {
            Reply::ok(Msg::Success, attachments::download_url(ctx, &caller, params.id("id")?, now).await?)
        }
        Route::Delete => {
            api::commit(ctx, attachments::delete(ctx, &caller, params.id("id")?, now).await?).await?;
            Ok(Reply::deleted(Msg::AttachmentDeleted))
        }
        Route::Avatar => unreachable!("answered above"),
    }
}

async fn confirm(
    ctx: &AppContext,
    caller: &Caller,
    req: &Request,
    task_id: u64,
    now: Timestamp,
) -> Result<Reply, Error> {
    let body = api::body_json(req)?;
    let mut fields = Fields::new(&body)?;
    let file_key = fields.required("file_key", teamsync::validate::trimmed);
    let file = FileDeclaration::read(&mut fields);
    fields.finish()?;
    let (file, file_key) = (file?, present(file_key)?);
    let plan = attachments::confirm(ctx, caller, task_id, &file_key, file, now).await?;
    let confirmed = api::commit(ctx, plan).await?;
    match confirmed.created {
        true => Reply::created(Msg::AttachmentAdded, confirmed.attachment),
        false => Reply::ok(Msg::AttachmentAdded, confirmed.attachment),
    }
}
