//! A task's attachments as stored: in the task's partition (its detail lists them with one
//! Query) and again under their own id. Uploading and confirming them is `files`'s; listing
//! them and removing them with their task or project is the task's own.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::context::AppContext;
use crate::error::{Error, StoreError};
use crate::keys::{self, Key};
use crate::store::{self, Record};

/// An attachment as stored, in its task's partition and again under its own id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttachmentRecord {
    pub id: u64,
    pub task_id: u64,
    pub project_id: u64,
    pub file_name: String,
    pub file_type: String,
    pub file_size: u64,
    /// The object's permanent key.
    pub file_key: String,
    /// The key it was uploaded under, which a repeated confirm names.
    pub upload_key: String,
    pub uploaded_by: u64,
    pub uploaded_by_name: String,
    pub created_at: Timestamp,
}

impl AttachmentRecord {
    /// Every item that holds it: itself, [`AttachmentById`] and its [`ConfirmedUpload`].
    pub fn item_keys(&self) -> [Key; 3] {
        [self.key(), keys::attachment_ref(self.id), keys::confirmed_upload(&self.upload_key)]
    }
}

/// An attachment in its task's partition (the task detail lists them with one Query).
impl Record for AttachmentRecord {
    fn key(&self) -> Key {
        keys::attachment(self.task_id, self.id)
    }
}

/// The same attachment, addressed by its id alone (download, delete).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AttachmentById(pub AttachmentRecord);

impl Record for AttachmentById {
    fn key(&self) -> Key {
        keys::attachment_ref(self.0.id)
    }
}

/// What the API shows (seed 001 §8.2); `url` is a fresh download link.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    pub id: u64,
    pub task_id: u64,
    pub file_name: String,
    pub file_type: String,
    pub file_size: u64,
    pub file_key: String,
    pub url: String,
    pub uploaded_by: u64,
    pub uploaded_by_name: String,
    pub created_at: Timestamp,
}

pub async fn view(ctx: &AppContext, record: AttachmentRecord) -> Result<AttachmentView, Error> {
    let url = ctx.files.download_url(&record.file_key, ttl(ctx.settings.files.download_url_ttl)).await?;
    Ok(AttachmentView {
        id: record.id,
        task_id: record.task_id,
        file_name: record.file_name,
        file_type: record.file_type,
        file_size: record.file_size,
        file_key: record.file_key,
        url,
        uploaded_by: record.uploaded_by,
        uploaded_by_name: record.uploaded_by_name,
        created_at: record.created_at,
    })
}

/// A task's attachments, oldest first.
pub async fn of_task(ctx: &AppContext, task_id: u64) -> Result<Vec<AttachmentRecord>, Error> {
    let items = ctx.db.query_prefix(None, &keys::task_partition(task_id), keys::ATTACHMENT_PREFIX).await?;
    Ok(items.into_iter().map(store::from_item).collect::<Result<_, StoreError>>()?)
}

/// Views of a task's attachments, for its detail.
pub async fn views(ctx: &AppContext, records: Vec<AttachmentRecord>) -> Result<Vec<AttachmentView>, Error> {
    futures_util::future::try_join_all(records.into_iter().map(|r| view(ctx, r))).await
}

/// Removes the attachments of tasks being deleted: objects first (an interrupted delete
/// still lists them and can be repeated), then their items.
pub async fn remove_all(ctx: &AppContext, records: &[AttachmentRecord]) -> Result<(), Error> {
    let objects: Vec<String> = records.iter().map(|r| r.file_key.clone()).collect();
    ctx.files.delete_all(&objects).await?;
    let items: Vec<Key> = records.iter().flat_map(AttachmentRecord::item_keys).collect();
    Ok(ctx.db.delete_all(&items).await?)
}

fn ttl(duration: jiff::SignedDuration) -> Duration {
    duration.unsigned_abs()
}
