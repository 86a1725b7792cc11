//! The one table from a domain [`Error`] to what a client is told: a status, a headline
//! message, the business code of seed 001 §10.1 where one applies, and the field problems.
//! The HTTP envelope and the WebSocket error message both read it.

use http::StatusCode;

use teamsync::error::{Error, FieldErrors, TokenProblem};
use teamsync::messages::Msg;

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

/// The business code a problem carries, wherever it is reported.
fn code_of(msg: &Msg) -> Option<BusinessCode> {
    Some(match msg {
        Msg::ProjectNotFound => BusinessCode::ProjectNotFound,
        Msg::AtLeastOneMember => BusinessCode::ProjectNeedsMember,
        Msg::TaskNotFound => BusinessCode::TaskNotFound,
        Msg::TaskTooDeep => BusinessCode::TaskTooDeep,
        Msg::NotParentAssignee => BusinessCode::NotParentAssignee,
        Msg::TaskHidden => BusinessCode::TaskHidden,
        Msg::UserNotFound => BusinessCode::UserNotFound,
        Msg::AlreadyInTeam => BusinessCode::AlreadyInTeam,
        Msg::FileTypeNotAllowed | Msg::NotAnImage => BusinessCode::FileTypeNotAllowed,
        Msg::FileTooLarge { .. } => BusinessCode::FileTooLarge,
        _ => return None,
    })
}

/// What a client is told of an error.
pub struct Described<'a> {
    pub status: StatusCode,
    pub message: Msg,
    pub code: Option<BusinessCode>,
    pub fields: Option<&'a FieldErrors>,
}

pub fn describe(error: &Error) -> Described<'_> {
    let (status, message, fields) = match error {
        // A problem with a business code of its own (a file's type or size) is the headline.
        Error::Invalid(fields) => {
            let headline = fields.first().filter(|msg| code_of(msg).is_some()).cloned();
            (StatusCode::BAD_REQUEST, headline.unwrap_or(Msg::ValidationFailed), Some(fields))
        }
        Error::InvalidCredentials => (StatusCode::UNAUTHORIZED, Msg::InvalidCredentials, None),
        Error::Unauthenticated(problem) => {
            let message = match problem {
                TokenProblem::Missing => Msg::TokenMissing,
                TokenProblem::Invalid => Msg::TokenInvalid,
                TokenProblem::Expired => Msg::TokenExpired,
                TokenProblem::SessionEnded => Msg::SessionEnded,
                TokenProblem::Reused => Msg::RefreshTokenReused,
            };
            (StatusCode::UNAUTHORIZED, message, None)
        }
        Error::Forbidden(msg) => (StatusCode::FORBIDDEN, msg.clone(), None),
        Error::NotFound { msg, fields } => (StatusCode::NOT_FOUND, msg.clone(), Some(fields)),
        Error::MethodNotAllowed { .. } => (StatusCode::METHOD_NOT_ALLOWED, Msg::MethodNotAllowed, None),
        Error::Conflict(fields) => {
            (StatusCode::CONFLICT, fields.first().cloned().unwrap_or(Msg::Conflict), Some(fields))
        }
        Error::Stale => (StatusCode::PRECONDITION_FAILED, Msg::PreconditionFailed, None),
        Error::Rule { msg, fields } => (StatusCode::UNPROCESSABLE_ENTITY, msg.clone(), Some(fields)),
        Error::TooManyAttempts { retry_after_secs } => {
            (StatusCode::TOO_MANY_REQUESTS, Msg::TooManyLoginAttempts { retry_after_secs: *retry_after_secs }, None)
        }
        Error::Storage(_) | Error::Internal { .. } => (StatusCode::INTERNAL_SERVER_ERROR, Msg::Internal, None),
    };
    let code = match error {
        Error::InvalidCredentials => Some(BusinessCode::InvalidCredentials),
        Error::Unauthenticated(TokenProblem::Expired) => Some(BusinessCode::TokenExpired),
        Error::Unauthenticated(_) => Some(BusinessCode::TokenInvalid),
        Error::Invalid(fields) | Error::Conflict(fields) => fields.first().and_then(code_of),
        _ => code_of(&message),
    };
    Described { status, message, code, fields }
}
