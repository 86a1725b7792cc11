//! The one error type of the API. Every failure a caller can see is an [`ApiError`];
//! [`crate::api::respond`] turns it into the envelope of DESIGN §2 in one place.

use std::collections::BTreeMap;

use http::StatusCode;

use crate::i18n::Msg;

/// Business error codes of seed 001 §10.1, sent as `error_code` where one applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusinessCode {
    InvalidCredentials = 1001,
    TokenExpired = 1002,
    TokenInvalid = 1003,
    ProjectNotFound = 2001,
    ProjectNeedsMember = 2003,
    TaskNotFound = 3001,
    TaskTooDeep = 3002,
    NotParentAssignee = 3003,
    TaskHidden = 3004,
    UserNotFound = 4001,
    AlreadyInTeam = 4002,
    FileTypeNotAllowed = 5002,
    FileTooLarge = 5003,
}

/// Field name → the problems found with it. Sorted, so error bodies are stable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, Vec<Msg>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, msg: Msg) -> Self {
        let mut errors = Self::new();
        errors.add(field, msg);
        errors
    }

    pub fn add(&mut self, field: &str, msg: Msg) {
        self.0.entry(field.to_owned()).or_default().push(msg);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Vec<Msg>)> {
        self.0.iter()
    }
}

/// Why a bearer token was refused. Each answers 401 with a message naming the token, so
/// the client's refresh logic recognises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Missing,
    Invalid,
    Expired,
    /// Well signed, but its session was ended (logout, password change, reuse detected).
    SessionEnded,
    /// A rotated refresh token came back after the grace window; its session is now ended.
    Reused,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request: {0:?}")]
    Validation(FieldErrors),
    /// A 400 with a message and business code of its own (a file of the wrong type or size).
    #[error("bad request: {msg:?}")]
    BadRequest { msg: Msg, fields: FieldErrors, code: Option<BusinessCode> },
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("token refused: {0:?}")]
    Unauthenticated(TokenProblem),
    #[error("forbidden: {msg:?}")]
    Forbidden { msg: Msg, code: Option<BusinessCode> },
    #[error("not found: {msg:?}")]
    NotFound { msg: Msg, code: Option<BusinessCode>, fields: FieldErrors },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {fields:?}")]
    Conflict { fields: FieldErrors, code: Option<BusinessCode> },
    /// The client's `If-Match` names a version that is no longer current.
    #[error("precondition failed")]
    PreconditionFailed,
    /// Well-formed, but against a business rule (seed 001 §1.4's 422).
    #[error("unprocessable: {msg:?}")]
    Unprocessable { msg: Msg, fields: FieldErrors, code: Option<BusinessCode> },
    #[error("too many requests, retry after {retry_after_secs}s")]
    TooManyRequests { msg: Msg, retry_after_secs: u64 },
    /// Something on our side failed. The text is for the logs only; the caller sees a
    /// generic message and the request id.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, msg: Msg) -> Self {
        ApiError::Validation(FieldErrors::single(field, msg))
    }

    pub fn conflict(field: &str, msg: Msg) -> Self {
        ApiError::Conflict { fields: FieldErrors::single(field, msg), code: None }
    }

    pub fn forbidden() -> Self {
        ApiError::Forbidden { msg: Msg::Forbidden, code: None }
    }

    pub fn not_found(msg: Msg, code: BusinessCode) -> Self {
        ApiError::NotFound { msg, code: Some(code), fields: FieldErrors::new() }
    }

    /// A 422 about one field.
    pub fn rule(field: &str, msg: Msg) -> Self {
        ApiError::Unprocessable { msg: msg.clone(), fields: FieldErrors::single(field, msg), code: None }
    }

    pub fn internal(context: impl std::fmt::Display) -> Self {
        ApiError::Internal(context.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidCredentials | ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The headline message of the envelope.
    pub fn message(&self) -> Msg {
        match self {
            ApiError::Validation(_) => Msg::ValidationFailed,
            ApiError::InvalidCredentials => Msg::InvalidCredentials,
            ApiError::Unauthenticated(problem) => match problem {
                TokenProblem::Missing => Msg::TokenMissing,
                TokenProblem::Invalid => Msg::TokenInvalid,
                TokenProblem::Expired => Msg::TokenExpired,
                TokenProblem::SessionEnded => Msg::SessionEnded,
                TokenProblem::Reused => Msg::RefreshTokenReused,
            },
            ApiError::Forbidden { msg, .. } | ApiError::BadRequest { msg, .. } => msg.clone(),
            ApiError::PreconditionFailed => Msg::PreconditionFailed,
            ApiError::Unprocessable { msg, .. } => msg.clone(),
            ApiError::NotFound { msg, .. } => msg.clone(),
            ApiError::MethodNotAllowed => Msg::MethodNotAllowed,
            ApiError::Conflict { fields, .. } => {
                fields.iter().next().and_then(|(_, msgs)| msgs.first().cloned()).unwrap_or(Msg::Conflict)
            }
            ApiError::TooManyRequests { msg, .. } => msg.clone(),
            ApiError::Internal(_) => Msg::Internal,
        }
    }

    pub fn business_code(&self) -> Option<BusinessCode> {
        match self {
            ApiError::InvalidCredentials => Some(BusinessCode::InvalidCredentials),
            ApiError::Unauthenticated(TokenProblem::Expired) => Some(BusinessCode::TokenExpired),
            ApiError::Unauthenticated(_) => Some(BusinessCode::TokenInvalid),
            ApiError::NotFound { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::BadRequest { code, .. }
            | ApiError::Forbidden { code, .. }
            | ApiError::Unprocessable { code, .. } => *code,
            _ => None,
        }
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            ApiError::Validation(fields)
            | ApiError::BadRequest { fields, .. }
            | ApiError::Conflict { fields, .. }
            | ApiError::NotFound { fields, .. }
            | ApiError::Unprocessable { fields, .. } => Some(fields),
            _ => None,
        }
    }
}
