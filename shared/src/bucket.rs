//! The attachments bucket, through the S3 SDK: presigned URLs for the client's own uploads
//! and downloads, and the few object calls the server makes itself.

use std::time::Duration;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{Delete, MetadataDirective, ObjectIdentifier};

use crate::error::{Error, StoreError};
use crate::store::WriteGate;

/// An uploaded object as a confirm looks at it: its size, its type, and its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub size: u64,
    pub content_type: Option<String>,
    /// Its first bytes, as many as were asked for (fewer in a shorter object).
    pub start: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct FileStore {
    /// `None` in a function that keeps no files: it does not link the S3 client.
    client: Option<aws_sdk_s3::Client>,
    /// `None` when no bucket is configured: every file route then answers 500 (logged).
    bucket: Option<String>,
    /// What every write waits for, as the table's writes do ([`WriteGate`]).
    gate: Option<WriteGate>,
}

fn s3_error<E: std::error::Error + 'static>(operation: &str, error: E) -> Error {
    Error::bug(format!("s3 {operation}: {}", aws_sdk_s3::error::DisplayErrorContext(error)))
}

impl FileStore {
    pub fn new(client: Option<aws_sdk_s3::Client>, bucket: Option<String>) -> FileStore {
        FileStore { client, bucket, gate: None }
    }

    /// This bucket for one request, whose writes wait for `gate`.
    pub fn gated(&self, gate: WriteGate) -> FileStore {
        FileStore { gate: Some(gate), ..self.clone() }
    }

    async fn may_write(&self) -> Result<(), Error> {
        match &self.gate {
            Some(gate) if !gate.opens().await => Err(Error::Storage(StoreError::Unconfirmed)),
            _ => Ok(()),
        }
    }

    fn client(&self) -> Result<&aws_sdk_s3::Client, Error> {
        self.client.as_ref().ok_or_else(|| Error::bug("this function was built without the S3 client"))
    }

    fn bucket(&self) -> Result<&str, Error> {
        self.bucket.as_deref().ok_or_else(|| Error::bug("TEAMSYNC_BUCKET is not set"))
    }

    /// A URL the client PUTs the object to, without credentials. The signature covers the
    /// content type and the length, so another type or size is refused by S3 itself.
    pub async fn upload_url(
        &self,
        key: &str,
        content_type: &str,
        length: u64,
        valid_for: Duration,
    ) -> Result<String, Error> {
        let config = PresigningConfig::expires_in(valid_for).map_err(Error::caused)?;
        let length = i64::try_from(length).map_err(Error::caused)?;
        let request = self
            .client()?
            .put_object()
            .bucket(self.bucket()?)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(config)
            .await
            .map_err(|e| s3_error("presign PutObject", e))?;
        Ok(request.uri().to_owned())
    }

    /// A URL the client GETs the object from, without credentials.
    pub async fn download_url(&self, key: &str, valid_for: Duration) -> Result<String, Error> {
        let config = PresigningConfig::expires_in(valid_for).map_err(Error::caused)?;
        let request = self
            .client()?
            .get_object()
            .bucket(self.bucket()?)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| s3_error("presign GetObject", e))?;
        Ok(request.uri().to_owned())
    }

    /// The object's size, type and first `leading` bytes, in one ranged GET; `None` when there
    /// is no such object.
    pub async fn inspect(&self, key: &str, leading: usize) -> Result<Option<ObjectInfo>, Error> {
        let range = format!("bytes=0-{}", leading.max(1) - 1);
        let output = match self.client()?.get_object().bucket(self.bucket()?).key(key).range(range).send().await {
            Ok(output) => output,
            Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            // S3 answers 416 to any range of an empty object.
            Err(error) if error.code() == Some("InvalidRange") => return self.head(key).await,
            Err(error) => return Err(s3_error("GetObject", error)),
        };
        // `bytes 0-15/1234`: the whole object's size follows the slash.
        let size = output.content_range().and_then(|range| range.rsplit('/').next()?.parse().ok());
        let content_type = output.content_type().map(str::to_owned);
        let start = output.body.collect().await.map_err(|e| s3_error("GetObject body", e))?.to_vec();
        Ok(Some(ObjectInfo { size: size.unwrap_or(start.len() as u64), content_type, start }))
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, Error> {
        match self.client()?.head_object().bucket(self.bucket()?).key(key).send().await {
            Ok(output) => Ok(Some(ObjectInfo {
                size: output.content_length().and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
                content_type: output.content_type().map(str::to_owned),
                start: Vec::new(),
            })),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(error) => Err(s3_error("HeadObject", error)),
        }
    }

    /// Copies an object to its permanent key with the headers downloads should carry.
    pub async fn settle(&self, from: &str, to: &str, content_type: &str, disposition: &str) -> Result<(), Error> {
        self.may_write().await?;
        let bucket = self.bucket()?;
        self.client()?
            .copy_object()
            .bucket(bucket)
            .copy_source(format!("{bucket}/{}", encode_key(from)))
            .key(to)
            .metadata_directive(MetadataDirective::Replace)
            .content_type(content_type)
            .content_disposition(disposition)
            .send()
            .await
            .map_err(|e| s3_error("CopyObject", e))?;
        Ok(())
    }

    /// Stores bytes the server received itself (the multipart avatar upload).
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str, disposition: &str) -> Result<(), Error> {
        self.may_write().await?;
        self.client()?
            .put_object()
            .bucket(self.bucket()?)
            .key(key)
            .content_type(content_type)
            .content_disposition(disposition)
            .body(bytes.into())
            .send()
            .await
            .map_err(|e| s3_error("PutObject", e))?;
        Ok(())
    }

    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        self.delete_all(&[key.to_owned()]).await
    }

    /// Deletes objects, a thousand to a request (S3's limit). Missing objects are fine.
    pub async fn delete_all(&self, keys: &[String]) -> Result<(), Error> {
        self.may_write().await?;
        let bucket = self.bucket()?;
        for chunk in keys.chunks(1000) {
            let objects: Vec<ObjectIdentifier> = chunk
                .iter()
                .map(|key| ObjectIdentifier::builder().key(key).build().map_err(Error::caused))
                .collect::<Result<_, _>>()?;
            let delete = Delete::builder().set_objects(Some(objects)).quiet(true).build().map_err(Error::caused)?;
            let output = self
                .client()?
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| s3_error("DeleteObjects", e))?;
            if let Some(error) = output.errors().first() {
                return Err(Error::bug(format!("s3 DeleteObjects: {error:?}")));
            }
        }
        Ok(())
    }
}

/// A key as CopyObject's `x-amz-copy-source` wants it: each segment percent-encoded.
fn encode_key(key: &str) -> String {
    key.split('/')
        .map(|segment| form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20"))
        .collect::<Vec<_>>()
        .join("/")
}
