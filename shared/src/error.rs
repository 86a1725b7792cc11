//! What can go wrong, named by what it means. Business outcomes are the variants of
//! [`Error`]; storage answers a [`StoreError`] (which guard failed, throttled, or another
//! failure with its cause), which turns into an `Error` through one table of guards
//! ([`Guard::meaning`]). The edges map an `Error` to a status, a message, a business code and
//! fields in one table of their own; nothing here knows about HTTP.

use std::collections::BTreeMap;

use crate::messages::Msg;

/// A failure's cause, kept for the logs.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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

    /// The first problem of the first field.
    pub fn first(&self) -> Option<&Msg> {
        self.0.values().next().and_then(|msgs| msgs.first())
    }
}

/// Why a bearer token was refused.
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

/// Every outcome a caller can be told of, but success.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not acceptable: what is wrong, field by field.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("token refused: {0:?}")]
    Unauthenticated(TokenProblem),
    /// The caller may see the thing but not do this to it.
    #[error("not allowed: {0:?}")]
    Forbidden(Msg),
    /// No such thing, or none the caller may know of.
    #[error("not found: {msg:?}")]
    NotFound { msg: Msg, fields: FieldErrors },
    /// The path exists, but not for this method; `allow` lists the methods it takes, as
    /// HTTP's `Allow` header does (`GET, PATCH`).
    #[error("method not allowed (allowed: {allow})")]
    MethodNotAllowed { allow: String },
    /// The thing is taken, or changed under the caller's feet.
    #[error("conflict: {0:?}")]
    Conflict(FieldErrors),
    /// The version the client named (`If-Match`) is no longer current.
    #[error("the client's version is stale")]
    Stale,
    /// Well formed, but against a business rule.
    #[error("against a rule: {msg:?}")]
    Rule { msg: Msg, fields: FieldErrors },
    #[error("too many attempts; retry after {retry_after_secs}s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Storage failed, for a reason of its own.
    #[error(transparent)]
    Storage(StoreError),
    /// A bug, or a failure of something other than storage; the caller is told nothing more.
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    pub fn field(field: &str, msg: Msg) -> Self {
        Error::Invalid(FieldErrors::single(field, msg))
    }

    pub fn conflict(field: &str, msg: Msg) -> Self {
        Error::Conflict(FieldErrors::single(field, msg))
    }

    pub fn forbidden() -> Self {
        Error::Forbidden(Msg::Forbidden)
    }

    pub fn not_found(msg: Msg) -> Self {
        Error::NotFound { msg, fields: FieldErrors::new() }
    }

    /// A 422-kind refusal about one field.
    pub fn rule(field: &str, msg: Msg) -> Self {
        Error::Rule { msg: msg.clone(), fields: FieldErrors::single(field, msg) }
    }

    /// Something that cannot happen did: a bug of ours, said in `context`.
    pub fn bug(context: impl std::fmt::Display) -> Self {
        Error::Internal { context: context.to_string(), source: None }
    }

    /// A failure of something we called, kept as the cause.
    pub fn caused<E: std::error::Error + Send + Sync + 'static>(cause: E) -> Self {
        Error::Internal { context: cause.to_string(), source: Some(Box::new(cause)) }
    }

    /// Whether the failure is ours rather than the caller's (logged, never detailed).
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Storage(_) | Error::Internal { .. })
    }

    /// Whether trying again later may succeed: storage throttled or failed for a while.
    /// Event functions hand such failures back to be retried; others are permanent.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Storage(StoreError::Throttled(_) | StoreError::Other(_)))
    }
}

/// The error and every cause under it, `: `-separated, for a log line.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A condition a write is made under, named for what it protects. When it fails, storage
/// says which ([`StoreError::Guard`]); [`Guard::meaning`] says what that means to a caller,
/// unless the caller knows better (an `If-Match` makes a version conflict stale).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// The record is still at the version that was read.
    Version,
    /// The key is new: a fresh id, which a bug would have handed out twice.
    Fresh,
    /// The item still exists.
    Present,
    UsernameFree,
    EmailFree,
    IdempotencyKeyFree,
    /// An upload has not been made an attachment yet.
    UploadUnconfirmed,
    /// The assignee is a current member of the project.
    MemberCurrent,
    /// A member leaving holds no open task of the project.
    MemberIdle,
    /// A user joining a project is not a current member of it yet.
    NotYetMember,
    /// The user is (still) in the team of the project they join.
    UserInTeam(u64),
    /// A team keeps at least one admin.
    AdminRemains,
    /// A reminder step has not been taken yet.
    StepOwed,
}

impl Guard {
    /// What a failed guard means to the caller, unless the caller knows better.
    pub fn meaning(self) -> Error {
        match self {
            Guard::Version | Guard::Present | Guard::UploadUnconfirmed | Guard::NotYetMember | Guard::StepOwed => {
                Error::conflict("version", Msg::ChangedConcurrently)
            }
            Guard::Fresh => Error::bug("a fresh id was handed out twice"),
            Guard::UsernameFree => Error::conflict("username", Msg::UsernameTaken),
            Guard::EmailFree => Error::conflict("email", Msg::EmailTaken),
            Guard::IdempotencyKeyFree => Error::conflict("Idempotency-Key", Msg::Conflict),
            Guard::MemberCurrent => Error::field("assignee_id", Msg::NotProjectMember),
            Guard::MemberIdle => Error::rule("member_ids", Msg::MembersHaveOpenTasks { task_ids: Vec::new() }),
            Guard::UserInTeam(user_id) => Error::field("member_ids", Msg::NotInTeam { user_ids: vec![user_id] }),
            Guard::AdminRemains => Error::rule("role", Msg::LastTeamAdmin),
        }
    }
}

/// What storage answers when a call fails.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A write's condition did not hold: nothing was written.
    #[error("the {0:?} guard failed")]
    Guard(Guard),
    /// DynamoDB refused for load; trying later may succeed.
    #[error("storage throttled")]
    Throttled(#[source] BoxError),
    #[error("storage failed")]
    Other(#[source] BoxError),
    /// A write of a request whose caller's session did not confirm their token (see
    /// [`crate::store::WriteGate`]): nothing was written, and the request is answered as
    /// its session says.
    #[error("the caller's session did not confirm the write")]
    Unconfirmed,
}

impl StoreError {
    /// The guard that failed, if that is what happened.
    pub fn guard(&self) -> Option<Guard> {
        match self {
            StoreError::Guard(guard) => Some(*guard),
            _ => None,
        }
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Error {
        match error {
            StoreError::Guard(guard) => guard.meaning(),
            other => Error::Storage(other),
        }
    }
}

/// Maps a failed `guard` to `meaning`, and any other storage failure as usual: for the
/// callers who know what their guard means better than [`Guard::meaning`].
pub fn on_guard(guard: Guard, meaning: impl FnOnce() -> Error) -> impl FnOnce(StoreError) -> Error {
    move |error| match error {
        StoreError::Guard(failed) if failed == guard => meaning(),
        other => other.into(),
    }
}
