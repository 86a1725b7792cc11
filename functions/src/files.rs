//! The files function: task attachments through presigned S3 URLs, and the avatar links
//! (seed 001 §8). Every attachment route needs a signed-in caller; an avatar link is open to
//! whoever holds it (see `teamsync::files::avatars`).

use http::Method;
use teamsync::Error;
use teamsync::auth::Caller;
use teamsync::files::attachments::{self, FileDeclaration, parse_file_name, parse_mime_type};
use teamsync::files::avatars;
use teamsync::messages::Msg;

use crate::api::input::{self, Fields, present};
use crate::api::{self, Call, Reply, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .signed(Method::POST, "/api/tasks/{id}/attachments/upload-url", upload_url)
        .signed(Method::POST, "/api/files/tasks/{id}/upload-url", upload_url)
        .signed(Method::POST, "/api/tasks/{id}/attachments", confirm)
        .signed(Method::POST, "/api/files/tasks/{id}/attachments", confirm)
        .signed(Method::GET, "/api/files/tasks/{id}/attachments", list)
        .signed(Method::GET, "/api/attachments/{id}/download-url", download_url)
        .signed(Method::GET, "/api/files/attachments/{id}/download-url", download_url)
        .signed(Method::DELETE, "/api/attachments/{id}", delete)
        .signed(Method::DELETE, "/api/files/attachments/{id}", delete)
        .public(Method::GET, "/api/files/avatars/{user}/{file}/{name}", avatar)
}

/// The AWS clients this function calls. Attachments are announced, and kept in the bucket.
pub fn clients(sdk: &aws_config::SdkConfig, _settings: &teamsync::config::Settings) -> teamsync::context::AwsClients {
    teamsync::context::AwsClients::table(sdk).events(sdk).files(sdk)
}

/// `{file_name, file_type, file_size}` of a request body. Call `fields.finish()` after.
pub(crate) fn read_declaration(fields: &mut Fields) -> Result<FileDeclaration, Error> {
    let file_name = fields.required("file_name", parse_file_name);
    let file_type = fields.required("file_type", parse_mime_type);
    let file_size = fields.required_value("file_size", |v| v.as_u64().ok_or(Msg::MustBeInteger));
    Ok(FileDeclaration {
        file_name: present(file_name)?,
        file_type: present(file_type)?,
        file_size: present(file_size)?,
    })
}

async fn upload_url(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let file = read_declaration(&mut fields);
    fields.finish()?;
    let ticket = attachments::upload_url(&call.ctx, &caller, call.id("id")?, file?, call.now).await?;
    Reply::ok(Msg::UploadUrlIssued, ticket)
}

async fn confirm(call: Call, caller: Caller) -> Result<Reply, Error> {
    let body = call.body()?;
    let mut fields = Fields::new(&body)?;
    let file_key = fields.required("file_key", input::trimmed);
    let file = read_declaration(&mut fields);
    fields.finish()?;
    let (file, file_key) = (file?, present(file_key)?);
    let plan = attachments::confirm(&call.ctx, &caller, call.id("id")?, &file_key, file, call.now).await?;
    let confirmed = api::commit(&call.ctx, plan).await?;
    match confirmed.created {
        true => {
            // An attachment is read through its download link.
            let location = format!("/api/files/attachments/{}/download-url/", confirmed.attachment.id);
            Reply::created(Msg::AttachmentAdded, confirmed.attachment, &location)
        }
        false => Reply::ok(Msg::AttachmentAdded, confirmed.attachment),
    }
}

/// The task's attachments as a list, for those who see the task in full.
async fn list(call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok(Msg::Success, attachments::of_task(&call.ctx, &caller, call.id("id")?, call.now).await?)
}

async fn download_url(call: Call, caller: Caller) -> Result<Reply, Error> {
    Reply::ok(Msg::Success, attachments::download_url(&call.ctx, &caller, call.id("id")?, call.now).await?)
}

async fn delete(call: Call, caller: Caller) -> Result<Reply, Error> {
    api::commit(&call.ctx, attachments::delete(&call.ctx, &caller, call.id("id")?, call.now).await?).await?;
    Ok(Reply::deleted(Msg::AttachmentDeleted))
}

/// An avatar link: a redirect to a short-lived presigned GET of the image.
async fn avatar(call: Call) -> Result<Reply, Error> {
    let params = &call.params;
    let key = format!("avatars/{}/{}/{}", params.get("user")?, params.get("file")?, params.get("name")?);
    Reply::redirect(&avatars::resolve(&call.ctx, &key).await?)
}
