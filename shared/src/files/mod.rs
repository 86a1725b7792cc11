//! Files: task attachments and avatars, uploaded and downloaded by the client directly
//! against S3 through presigned URLs (seed 001 §8, seed 003's avatar).

pub mod attachments;
pub mod avatars;
pub mod names;
pub mod signatures;
pub mod types;
