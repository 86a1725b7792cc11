//! Task attachments (seed 001 §8 and the client's upload flow): the client PUTs the bytes
//! straight to S3 with a presigned URL, then confirms; the server checks the object and
//! moves it to its permanent key.
//!
//! Who may: upload and confirm, the task's assignee or an admin; download, whoever sees the
//! task in full; delete, the uploader or an admin. Everyone else is refused as on the task.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::context::AppContext;
use crate::error::{Error, FieldErrors, Guard, on_guard};
use crate::events::{DomainEvent, EventDetail, EventKind};
use crate::files::names::{self, Disposition, content_disposition};
use crate::files::{signatures, types};
use crate::keys::{self, Key};
use crate::messages::Msg;
use crate::plan::Plan;
use crate::projects::access::{self, Access};
use crate::projects::attachments::{AttachmentById, AttachmentRecord, AttachmentView, view};
use crate::projects::partition::ProjectData;
use crate::projects::repo;
use crate::projects::tasks::{changer_name, load_task, name_if_admin};
use crate::store::Record;
use crate::validate::bounded_text;

/// Which attachment an upload became: a second confirm of it answers the same one.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ConfirmedUpload {
    attachment_id: u64,
    task_id: u64,
    /// The upload's key (the item's, not stored in it).
    #[serde(skip)]
    upload_key: String,
}

impl Record for ConfirmedUpload {
    fn key(&self) -> Key {
        keys::confirmed_upload(&self.upload_key)
    }
}

/// A file the client declares: to be uploaded, or uploaded.
#[derive(Debug, Clone)]
pub struct FileDeclaration {
    pub file_name: String,
    /// A lower-cased MIME type.
    pub file_type: String,
    pub file_size: u64,
}

/// A file's name as the client gives it (shown in full in downloads, never a key).
pub fn parse_file_name(text: &str) -> Result<String, Msg> {
    bounded_text(text, 1, 255)
}

/// A MIME type such as `application/pdf`, lower-cased.
pub fn parse_mime_type(text: &str) -> Result<String, Msg> {
    let text = text.trim().to_ascii_lowercase();
    let valid = text.len() <= 127
        && text.split_once('/').is_some_and(|(kind, sub)| !kind.is_empty() && !sub.is_empty() && !sub.contains('/'));
    if valid { Ok(text) } else { Err(Msg::InvalidMimeType) }
}

/// The answer to an upload request (seed 001 §8.1, plus how to PUT).
#[derive(Debug, Serialize)]
pub struct UploadTicket {
    pub upload_url: String,
    pub file_key: String,
    pub expires_in: u64,
    pub method: &'static str,
    pub headers: UploadHeaders,
}

/// The headers the client's PUT must carry: the presigned URL signs the declared type.
#[derive(Debug, Serialize)]
pub struct UploadHeaders {
    #[serde(rename = "Content-Type")]
    pub content_type: String,
}

#[derive(Debug, Serialize)]
pub struct DownloadTicket {
    pub download_url: String,
    pub file_name: String,
    pub expires_in: u64,
}

fn ttl(duration: jiff::SignedDuration) -> Duration {
    duration.unsigned_abs()
}

fn not_found() -> Error {
    Error::NotFound { msg: Msg::AttachmentNotFound, fields: Default::default() }
}

/// A declared file must be of an allowed type (400, 5002), not empty (400), and within the
/// size limit (400, 5003). Answers the type it is kept and served as: the declared one, or
/// for a declaration of no type (`application/octet-stream`) or of an alias, the type of
/// its name's extension (see [`types`]); a type allowed only as declared stays so.
pub fn check_declaration(file: &FileDeclaration, allowed: &[String], max_bytes: u64) -> Result<String, Error> {
    let kept = types::kept_type(&file.file_name, &file.file_type)
        .filter(|kept| allowed.contains(kept))
        .or_else(|| allowed.contains(&file.file_type).then(|| file.file_type.clone()));
    let Some(kept) = kept else {
        return Err(Error::Invalid(FieldErrors::single("file_type", Msg::FileTypeNotAllowed)));
    };
    if file.file_size == 0 {
        return Err(Error::Invalid(FieldErrors::single("file_size", Msg::FileEmpty)));
    }
    if file.file_size > max_bytes {
        let msg = Msg::FileTooLarge { max_bytes };
        return Err(Error::Invalid(FieldErrors::single("file_size", msg)));
    }
    Ok(kept)
}

/// The task's project, if the caller may attach to the task: an admin or its assignee
/// (others who see the project get 403, outsiders 404).
async fn attachable_task(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    now: Timestamp,
) -> Result<ProjectData, Error> {
    let (data, _, access) = load_task(ctx, caller, task_id, now).await?;
    let task = data.task(task_id)?;
    if access != Access::Admin && task.assignee_id != Some(caller.user_id) {
        return Err(Error::forbidden());
    }
    access::require_writable(&data.project)?;
    Ok(data)
}

fn task_scope(task_id: u64) -> String {
    format!("tasks/{task_id}")
}

/// `POST /api/tasks/{id}/attachments/upload-url/`: a presigned PUT for a declared file, under
/// a key the server chooses. The signature covers type and size: the declared type, which
/// the client's PUT sends.
pub async fn upload_url(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    file: FileDeclaration,
    now: Timestamp,
) -> Result<UploadTicket, Error> {
    let policy = &ctx.settings.files;
    check_declaration(&file, &policy.attachment_types, policy.max_attachment_bytes)?;
    attachable_task(ctx, caller, task_id, now).await?;
    upload_ticket(ctx, &task_scope(task_id), file).await
}

/// A presigned PUT for a checked declaration, under a fresh upload key in `scope`.
pub(crate) async fn upload_ticket(ctx: &AppContext, scope: &str, file: FileDeclaration) -> Result<UploadTicket, Error> {
    let key = names::upload_key(scope, &file.file_name);
    let valid_for = ttl(ctx.settings.files.upload_url_ttl);
    let upload_url = ctx.files.upload_url(&key, &file.file_type, file.file_size, valid_for).await?;
    Ok(UploadTicket {
        upload_url,
        file_key: key,
        expires_in: valid_for.as_secs(),
        method: "PUT",
        headers: UploadHeaders { content_type: file.file_type },
    })
}

/// A confirmed upload: the attachment, and whether this confirm made it (a repeated one
/// answers the same attachment).
pub struct Confirmed {
    pub attachment: AttachmentView,
    pub created: bool,
}

/// `POST /api/tasks/{id}/attachments/`: confirms an upload. The object must exist under this
/// task's upload prefix with the declared size and type, and its bytes be of the type it is
/// kept as (the extension's, for a declaration of no type); otherwise 400, and a
/// mismatching object is removed. It is kept and served as that type. Confirming the same
/// key again answers the same attachment (`false`: not created now).
pub async fn confirm(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    upload_key: &str,
    file: FileDeclaration,
    now: Timestamp,
) -> Result<Plan<Confirmed>, Error> {
    let settled = names::settled_key(upload_key, &task_scope(task_id));
    // The caller's rights, an earlier confirm of this upload and the object, read at once;
    // the object is only looked at under a key issued for this task.
    let object = async {
        match settled {
            Some(_) => ctx.files.inspect(upload_key, signatures::SIGNATURE_LEN).await,
            None => Ok(None),
        }
    };
    let guard_key = keys::confirmed_upload(upload_key);
    // Its id and an admin's name too, so that recording it is the third round trip.
    let (data, done, object, id, admin_name) = tokio::join!(
        attachable_task(ctx, caller, task_id, now),
        ctx.db.get::<ConfirmedUpload>(&guard_key),
        object,
        ctx.db.next_id("attachment"),
        name_if_admin(ctx, caller),
    );
    let (data, id, admin_name) = (data?, id?, admin_name?);
    let settled = settled.ok_or_else(|| Error::field("file_key", Msg::ForeignUploadKey))?;
    if let Some(done) = done? {
        let record: AttachmentRecord =
            ctx.db.get(&keys::attachment(done.task_id, done.attachment_id)).await?.ok_or_else(not_found)?;
        return Ok(Plan::new(ctx.db.transaction(), Confirmed { attachment: view(ctx, record).await?, created: false }));
    }
    let policy = &ctx.settings.files;
    let object = object?.ok_or_else(|| Error::field("file_key", Msg::NotUploaded))?;
    let matches = object.size == file.file_size
        && object.content_type.as_deref().map(str::to_ascii_lowercase).as_deref() == Some(file.file_type.as_str());
    let checked = check_declaration(&file, &policy.attachment_types, policy.max_attachment_bytes).and_then(|kept| {
        if !matches {
            Err(Error::field("file_key", Msg::UploadDoesNotMatch))
        } else if !signatures::matches_type(&kept, &object.start) {
            Err(Error::field("file_key", Msg::ContentNotOfDeclaredType))
        } else {
            Ok(kept)
        }
    });
    let kept = match checked {
        Ok(kept) => kept,
        Err(problem) => {
            ctx.files.delete(upload_key).await?;
            return Err(problem);
        }
    };
    // Copied first, recorded second, the upload removed last: an interruption anywhere
    // leaves a confirm that can simply be repeated.
    let disposition = content_disposition(Disposition::Attachment, &file.file_name);
    let (uploaded_by_name, ()) = tokio::try_join!(
        changer_name(ctx, caller, &data, admin_name),
        ctx.files.settle(upload_key, &settled, &kept, &disposition)
    )?;
    let record = AttachmentRecord {
        id,
        task_id,
        project_id: data.project.id,
        file_name: file.file_name,
        file_type: kept,
        file_size: file.file_size,
        file_key: settled,
        upload_key: upload_key.to_owned(),
        uploaded_by: caller.user_id,
        uploaded_by_name,
        created_at: now,
    };
    let confirmed = ConfirmedUpload { attachment_id: record.id, task_id, upload_key: record.upload_key.clone() };
    ctx.db
        .transaction()
        .create(&confirmed, Guard::UploadUnconfirmed)
        .replace(&record)
        .replace(&AttachmentById(record.clone()))
        .commit()
        .await
        .map_err(on_guard(Guard::UploadUnconfirmed, || Error::conflict("file_key", Msg::ChangedConcurrently)))?;
    ctx.files.delete(upload_key).await?;
    let event = attachment_event(EventKind::AttachmentAdded, caller, &record, data.project.team_id);
    let confirmed = Confirmed { attachment: view(ctx, record).await?, created: true };
    Ok(Plan::new(ctx.db.transaction(), confirmed).announce(event))
}

fn attachment_event(kind: EventKind, caller: &Caller, record: &AttachmentRecord, team_id: u64) -> DomainEvent {
    let detail = EventDetail::by(caller.user_id).in_project(team_id, record.project_id).task(record.task_id);
    DomainEvent::new(kind, detail)
}

/// An attachment and its task's project, if the caller sees that task in full.
async fn load_visible(
    ctx: &AppContext,
    caller: &Caller,
    id: u64,
    now: Timestamp,
) -> Result<(AttachmentRecord, ProjectData, Access), Error> {
    let record: AttachmentRecord = ctx.db.get(&keys::attachment_ref(id)).await?.ok_or_else(not_found)?;
    // The attachment names its project: read straight away, not through its task's pointer.
    // The task went with its attachments; a storage failure stays one.
    let gone = |error| match error {
        Error::NotFound { .. } => not_found(),
        other => other,
    };
    let (data, _) = repo::load_project(ctx, caller, record.project_id, None, now).await.map_err(gone)?;
    let access = access::require_visible(caller, &data).map_err(gone)?;
    if !access::sees_task(caller, access, data.task(record.task_id).map_err(gone)?) {
        return Err(Error::Forbidden(Msg::TaskHidden));
    }
    Ok((record, data, access))
}

/// `GET /api/files/tasks/{id}/attachments/`: a task's attachments, oldest first, for those
/// who see the task in full, as its detail lists them; those who see it redacted get 403,
/// outsiders 404.
pub async fn of_task(
    ctx: &AppContext,
    caller: &Caller,
    task_id: u64,
    now: Timestamp,
) -> Result<Vec<AttachmentView>, Error> {
    let (loaded, attached) =
        tokio::join!(load_task(ctx, caller, task_id, now), crate::projects::attachments::of_task(ctx, task_id));
    let (data, _, access) = loaded?;
    if !access::sees_task(caller, access, data.task(task_id)?) {
        return Err(Error::Forbidden(Msg::TaskHidden));
    }
    crate::projects::attachments::views(ctx, attached?).await
}

/// `GET /api/attachments/{id}/download-url/`: a presigned GET; the object downloads under
/// its original name.
pub async fn download_url(ctx: &AppContext, caller: &Caller, id: u64, now: Timestamp) -> Result<DownloadTicket, Error> {
    let (record, _, _) = load_visible(ctx, caller, id, now).await?;
    let valid_for = ttl(ctx.settings.files.download_url_ttl);
    Ok(DownloadTicket {
        download_url: ctx.files.download_url(&record.file_key, valid_for).await?,
        file_name: record.file_name,
        expires_in: valid_for.as_secs(),
    })
}

/// `DELETE /api/attachments/{id}/`: the uploader or an admin. The items go first, then the
/// object, so the attachment never lists a file that is gone.
pub async fn delete(ctx: &AppContext, caller: &Caller, id: u64, now: Timestamp) -> Result<Plan<()>, Error> {
    let (record, data, access) = load_visible(ctx, caller, id, now).await?;
    if access != Access::Admin && record.uploaded_by != caller.user_id {
        return Err(Error::forbidden());
    }
    access::require_writable(&data.project)?;
    record.item_keys().iter().fold(ctx.db.transaction(), |tx, key| tx.delete(key, None)).commit().await?;
    ctx.files.delete(&record.file_key).await?;
    let event = attachment_event(EventKind::AttachmentDeleted, caller, &record, data.project.team_id);
    Ok(Plan::new(ctx.db.transaction(), ()).announce(event))
}
