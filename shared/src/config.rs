//! Configuration, read once at a function's init.
//!
//! Everything comes from environment variables named `TEAMSYNC_*`; secrets (the token
//! signing seed, the bootstrap admin's password) come from Secrets Manager in AWS and from
//! plain variables locally. Values are checked here, so a misconfigured function fails at
//! init with a clear message rather than on its first request.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

/// How many failed logins a window allows before further attempts are refused.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub window: SignedDuration,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub table: String,
    pub issuer: String,
    pub audience: String,
    pub access_ttl: SignedDuration,
    pub refresh_ttl: SignedDuration,
    /// How long a rotated refresh token may still be presented (a client's concurrent
    /// retries) before its reuse is treated as theft and ends the session.
    pub refresh_reuse_grace: SignedDuration,
    /// IANA zone of new teams.
    pub default_timezone: String,
    pub lockout: LockoutPolicy,
    /// Name of the EventBridge bus that domain events go to; unset, nothing is published.
    pub event_bus: Option<String>,
    /// The WebSocket API's management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`)
    /// through which the notifier pushes; unset, nothing is pushed.
    pub ws_endpoint: Option<String>,
    /// The attachments bucket; unset, the file routes cannot work.
    pub bucket: Option<String>,
    pub files: FilePolicy,
}

/// What uploads may be, and how long presigned URLs live.
#[derive(Debug, Clone)]
pub struct FilePolicy {
    /// MIME types an attachment may have (`TEAMSYNC_ATTACHMENT_TYPES`, comma-separated).
    pub attachment_types: Vec<String>,
    pub max_attachment_bytes: u64,
    pub max_avatar_bytes: u64,
    pub upload_url_ttl: SignedDuration,
    pub download_url_ttl: SignedDuration,
}

/// Documents, images and archives.
pub const DEFAULT_ATTACHMENT_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/plain",
    "text/csv",
    "text/markdown",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/zip",
    "application/x-7z-compressed",
    "application/gzip",
    "application/x-tar",
    "application/vnd.rar",
];

impl Settings {
    /// Reads settings through `lookup` (the process environment in production; a map in
    /// the local stack and tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let seconds = |name: &str, default: i64| -> Result<SignedDuration, ConfigError> {
            match lookup(name) {
                None => Ok(SignedDuration::from_secs(default)),
                Some(text) => text
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|s| *s >= 0)
                    .map(SignedDuration::from_secs)
                    .ok_or_else(|| ConfigError(format!("{name} must be a number of seconds, got {text:?}"))),
            }
        };
        let bytes = |name: &str, default: u64| -> Result<u64, ConfigError> {
            match lookup(name) {
                None => Ok(default),
                Some(text) => text
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ConfigError(format!("{name} must be a positive number of bytes, got {text:?}"))),
            }
        };
        let default_timezone = lookup("TEAMSYNC_DEFAULT_TIMEZONE").unwrap_or_else(|| "UTC".to_owned());
        TimeZone::get(&default_timezone)
            .map_err(|_| ConfigError(format!("TEAMSYNC_DEFAULT_TIMEZONE {default_timezone:?} is not an IANA zone")))?;
        let max_failures = match lookup("TEAMSYNC_LOGIN_MAX_FAILURES") {
            None => 5,
            Some(text) => text.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                ConfigError(format!("TEAMSYNC_LOGIN_MAX_FAILURES must be a positive integer, got {text:?}"))
            })?,
        };
        Ok(Settings {
            table: lookup("TEAMSYNC_TABLE").ok_or_else(|| ConfigError("TEAMSYNC_TABLE is not set".into()))?,
            issuer: lookup("TEAMSYNC_JWT_ISSUER").unwrap_or_else(|| "teamsync".to_owned()),
            audience: lookup("TEAMSYNC_JWT_AUDIENCE").unwrap_or_else(|| "teamsync-api".to_owned()),
            access_ttl: seconds("TEAMSYNC_ACCESS_TTL_S", 15 * 60)?,
            refresh_ttl: seconds("TEAMSYNC_REFRESH_TTL_S", 30 * 24 * 3600)?,
            refresh_reuse_grace: seconds("TEAMSYNC_REFRESH_REUSE_GRACE_S", 30)?,
            default_timezone,
            lockout: LockoutPolicy { max_failures, window: seconds("TEAMSYNC_LOGIN_WINDOW_S", 15 * 60)? },
            event_bus: lookup("TEAMSYNC_EVENT_BUS").filter(|name| !name.trim().is_empty()),
            ws_endpoint: lookup("TEAMSYNC_WS_ENDPOINT").filter(|url| !url.trim().is_empty()),
            bucket: lookup("TEAMSYNC_BUCKET").filter(|name| !name.trim().is_empty()),
            files: FilePolicy {
                attachment_types: match lookup("TEAMSYNC_ATTACHMENT_TYPES") {
                    Some(list) => {
                        list.split(',').map(|t| t.trim().to_ascii_lowercase()).filter(|t| !t.is_empty()).collect()
                    }
                    None => DEFAULT_ATTACHMENT_TYPES.iter().map(|t| (*t).to_owned()).collect(),
                },
                max_attachment_bytes: bytes("TEAMSYNC_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)?,
                max_avatar_bytes: bytes("TEAMSYNC_MAX_AVATAR_BYTES", 5 * 1024 * 1024)?,
                upload_url_ttl: seconds("TEAMSYNC_UPLOAD_URL_TTL_S", 300)?,
                download_url_ttl: seconds("TEAMSYNC_DOWNLOAD_URL_TTL_S", 300)?,
            },
        })
    }
}

/// Reads a secret: a plain variable `NAME` when set (local stack), else the Secrets Manager
/// secret whose ARN is in `NAME_SECRET_ARN` (AWS). `None` when neither is configured.
pub async fn secret(
    sdk: &aws_config::SdkConfig,
    lookup: impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<String>, ConfigError> {
    if let Some(value) = lookup(name) {
        return Ok(Some(value));
    }
    let Some(arn) = lookup(&format!("{name}_SECRET_ARN")) else {
        return Ok(None);
    };
    let client = aws_sdk_secretsmanager::Client::new(sdk);
    let output = client.get_secret_value().secret_id(&arn).send().await.map_err(|e| {
        ConfigError(format!("cannot read secret {arn}: {}", aws_sdk_secretsmanager::error::DisplayErrorContext(e)))
    })?;
    output.secret_string.map(Some).ok_or_else(|| ConfigError(format!("secret {arn} has no string value")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn defaults_follow_the_design() {
        let settings = Settings::from_lookup(lookup(&[("TEAMSYNC_TABLE", "t")])).unwrap();
        assert_eq!(settings.access_ttl, SignedDuration::from_mins(15));
        assert_eq!(settings.refresh_ttl, SignedDuration::from_hours(24 * 30));
        assert_eq!(settings.refresh_reuse_grace, SignedDuration::from_secs(30));
        assert_eq!(settings.lockout.max_failures, 5);
    }

    #[test]
    fn bad_values_fail_at_init_with_the_variable_named() {
        let no_table = Settings::from_lookup(lookup(&[])).unwrap_err();
        assert!(no_table.0.contains("TEAMSYNC_TABLE"));
        let bad_zone =
            Settings::from_lookup(lookup(&[("TEAMSYNC_TABLE", "t"), ("TEAMSYNC_DEFAULT_TIMEZONE", "Mars/Base")]));
        assert!(bad_zone.unwrap_err().0.contains("IANA"));
        let bad_ttl = Settings::from_lookup(lookup(&[("TEAMSYNC_TABLE", "t"), ("TEAMSYNC_ACCESS_TTL_S", "soon")]));
        assert!(bad_ttl.unwrap_err().0.contains("TEAMSYNC_ACCESS_TTL_S"));
    }
}
