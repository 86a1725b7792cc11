//! Avatars (seed 003, DESIGN §2b): a presigned upload then a confirm, or the client's
//! multipart upload. Images only, 5 MiB by default (the client lets 5 MB through).
//!
//! A user's `avatar` is a link into this API (`/api/files/avatars/<user>/<uuid>/<name>`)
//! that redirects to a short-lived presigned GET: the bucket stays private, and the link
//! stays valid however long the profile is cached. Knowing the link is what lets one see
//! the picture (the uuid makes it unguessable), as with most products' avatar URLs.

use jiff::Timestamp;

use crate::auth::Caller;
use crate::context::AppContext;
use crate::error::Error;
use crate::files::attachments::{FileDeclaration, UploadTicket, check_declaration, upload_ticket};
use crate::files::names::{self, Disposition, content_disposition};
use crate::files::signatures;
use crate::identity::accounts::{self, AvatarChange, ProfilePatch};
use crate::identity::model::UserInTeam;
use crate::messages::Msg;

pub const IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];
/// Where links point: the API's path for avatar objects.
pub const LINK_PATH: &str = "/api/files/";

fn image_types() -> Vec<String> {
    IMAGE_TYPES.iter().map(|t| (*t).to_owned()).collect()
}

fn scope(caller: &Caller) -> String {
    format!("avatars/{}", caller.user_id)
}

/// `POST /api/auth/me/avatar/upload-url/`.
pub async fn upload_url(ctx: &AppContext, caller: &Caller, file: FileDeclaration) -> Result<UploadTicket, Error> {
    check_image(ctx, &file)?;
    upload_ticket(ctx, &scope(caller), file).await
}

/// An avatar is an image within the avatar size limit. Answers the type it is kept as (an
/// image declared as `application/octet-stream` is judged by its name's extension).
fn check_image(ctx: &AppContext, file: &FileDeclaration) -> Result<String, Error> {
    check_declaration(file, &image_types(), ctx.settings.files.max_avatar_bytes).map_err(|error| match error {
        Error::Invalid(fields) if fields.first() == Some(&Msg::FileTypeNotAllowed) => not_an_image(),
        other => other,
    })
}

/// The bytes of an avatar are an image of the type it is kept as.
fn check_image_bytes(kept: &str, start: &[u8]) -> Result<(), Error> {
    if signatures::matches_type(kept, start) { Ok(()) } else { Err(not_an_image()) }
}

fn not_an_image() -> Error {
    Error::field("avatar", Msg::NotAnImage)
}

/// `POST /api/auth/me/avatar/` `{file_key}`: the uploaded image becomes the avatar.
pub async fn confirm(
    ctx: &AppContext,
    caller: &Caller,
    upload_key: &str,
    base_url: &str,
    now: Timestamp,
) -> Result<UserInTeam, Error> {
    let settled = names::settled_key(upload_key, &scope(caller))
        .ok_or_else(|| Error::field("file_key", Msg::ForeignUploadKey))?;
    let object = ctx
        .files
        .inspect(upload_key, signatures::SIGNATURE_LEN)
        .await?
        .ok_or_else(|| Error::field("file_key", Msg::NotUploaded))?;
    let content_type = object.content_type.unwrap_or_default().to_ascii_lowercase();
    let declared =
        FileDeclaration { file_name: settled.clone(), file_type: content_type.clone(), file_size: object.size };
    let kept = match check_image(ctx, &declared).and_then(|kept| check_image_bytes(&kept, &object.start).map(|()| kept))
    {
        Ok(kept) => kept,
        Err(error) => {
            ctx.files.delete(upload_key).await?;
            return Err(error);
        }
    };
    let name = settled.rsplit('/').next().unwrap_or("avatar");
    ctx.files.settle(upload_key, &settled, &kept, &content_disposition(Disposition::Inline, name)).await?;
    let account = set_avatar(ctx, caller, &settled, base_url, now).await?;
    ctx.files.delete(upload_key).await?;
    Ok(account)
}

/// `POST /api/auth/me/avatar/upload/` (multipart, the client's call): the server stores the
/// image itself.
pub async fn upload(
    ctx: &AppContext,
    caller: &Caller,
    file_name: &str,
    content_type: &str,
    bytes: Vec<u8>,
    base_url: &str,
    now: Timestamp,
) -> Result<UserInTeam, Error> {
    let declared = FileDeclaration {
        file_name: file_name.to_owned(),
        file_type: content_type.to_ascii_lowercase(),
        file_size: bytes.len() as u64,
    };
    let kept = check_image(ctx, &declared)?;
    check_image_bytes(&kept, &bytes)?;
    let key = names::object_key(&scope(caller), file_name);
    let name = key.rsplit('/').next().unwrap_or("avatar").to_owned();
    ctx.files.put(&key, bytes, &kept, &content_disposition(Disposition::Inline, &name)).await?;
    set_avatar(ctx, caller, &key, base_url, now).await
}

async fn set_avatar(
    ctx: &AppContext,
    caller: &Caller,
    key: &str,
    base_url: &str,
    now: Timestamp,
) -> Result<UserInTeam, Error> {
    let link = format!("{}{LINK_PATH}{key}", base_url.trim_end_matches('/'));
    let patch = ProfilePatch { avatar: Some(AvatarChange::Stored(link)), ..ProfilePatch::default() };
    accounts::update_profile(ctx, caller, patch, now).await
}

/// Where an avatar link leads: a presigned GET of the object, if the path names one.
pub async fn resolve(ctx: &AppContext, path_in_files: &str) -> Result<String, Error> {
    let valid = path_in_files.strip_prefix("avatars/").and_then(|rest| {
        let mut parts = rest.split('/');
        let (user, id, name) = (parts.next()?, parts.next()?, parts.next()?);
        let ok = parts.next().is_none()
            && user.parse::<u64>().is_ok()
            && uuid::Uuid::parse_str(id).is_ok()
            && name == names::safe_name(name);
        ok.then_some(())
    });
    let not_found = || Error::NotFound { msg: Msg::RouteNotFound, fields: Default::default() };
    valid.ok_or_else(not_found)?;
    // A link to an object that is gone leads to S3's own 404.
    ctx.files.download_url(path_in_files, ctx.settings.files.download_url_ttl.unsigned_abs()).await
}
