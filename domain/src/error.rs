//! One error type for the whole domain, each variant with a stable code from the API contract.
//! `Internal` keeps its source for the log only: it is never shown to a caller.

use std::fmt;

/// The stable, greppable codes of the API contract (`extensions.code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    ValidationFailed,
    IdentifierExists,
    InvalidCredentials,
    CodeIncorrect,
    VerificationExpired,
    TooManyAttempts,
    AccountLocked,
    RateLimited,
    PasswordTooWeak,
    PasswordCompromised,
    SessionNotActive,
    ReverificationRequired,
    Internal,
}

impl ErrorCode {
    /// The code as the contract spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::ValidationFailed => "VALIDATION_FAILED",
            Self::IdentifierExists => "IDENTIFIER_EXISTS",
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::CodeIncorrect => "CODE_INCORRECT",
            Self::VerificationExpired => "VERIFICATION_EXPIRED",
            Self::TooManyAttempts => "TOO_MANY_ATTEMPTS",
            Self::AccountLocked => "ACCOUNT_LOCKED",
            Self::RateLimited => "RATE_LIMITED",
            Self::PasswordTooWeak => "PASSWORD_TOO_WEAK",
            Self::PasswordCompromised => "PASSWORD_COMPROMISED",
            Self::SessionNotActive => "SESSION_NOT_ACTIVE",
            Self::ReverificationRequired => "REVERIFICATION_REQUIRED",
            Self::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure the caller may see (every variant but `Internal` carries a safe message).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("{field} is already taken")]
    IdentifierExists { field: String },
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("the code is incorrect")]
    CodeIncorrect,
    #[error("the verification has expired")]
    VerificationExpired,
    #[error("too many attempts")]
    TooManyAttempts,
    /// A budget of wrong codes (an email address's, a user's second factor's) is spent for now:
    /// `TOO_MANY_ATTEMPTS`, with the seconds until one more code may be tried.
    #[error("too many wrong codes were tried: try again later")]
    TooManyWrongCodes { retry_after: u64 },
    #[error("the account is locked")]
    AccountLocked { retry_after: u64 },
    #[error("too many requests")]
    RateLimited { retry_after: u64 },
    #[error("{0}")]
    PasswordTooWeak(String),
    #[error("this password has appeared in a data breach or is too common")]
    PasswordCompromised,
    #[error("the session is not active")]
    SessionNotActive,
    /// A sensitive change, and the session's factors were not verified recently enough: the
    /// message says which one `attemptReverification` should prove.
    #[error("{0}")]
    ReverificationRequired(&'static str),
    /// Something went wrong inside Latchkey. The source is for the log, never for the caller.
    #[error("internal error")]
    Internal(#[source] Internal),
}

/// What went wrong inside Latchkey: the failures the domain itself recovers from, by name, and
/// any other, for the log.
#[derive(Debug, thiserror::Error)]
pub enum Internal {
    /// A write refused because the stored row moved on since it was read (the same client's
    /// actor on another node wrote first): read again and retry once.
    #[error("the stored state changed since it was read")]
    Stale,
    /// The client actor a message was sent to had stopped (it had just found no client for its
    /// token): worth once more, with the actor its shard starts now.
    #[error("the client's actor had stopped")]
    ActorStopped,
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Validation { .. } => ErrorCode::ValidationFailed,
            Self::IdentifierExists { .. } => ErrorCode::IdentifierExists,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::CodeIncorrect => ErrorCode::CodeIncorrect,
            Self::VerificationExpired => ErrorCode::VerificationExpired,
            Self::TooManyAttempts | Self::TooManyWrongCodes { .. } => ErrorCode::TooManyAttempts,
            Self::AccountLocked { .. } => ErrorCode::AccountLocked,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::PasswordTooWeak(_) => ErrorCode::PasswordTooWeak,
            Self::PasswordCompromised => ErrorCode::PasswordCompromised,
            Self::SessionNotActive => ErrorCode::SessionNotActive,
            Self::ReverificationRequired(_) => ErrorCode::ReverificationRequired,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// A validation failure naming the offending field (a dotted path such as `password.minLength`).
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Wraps any failure as `Internal`.
    pub fn internal(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(Internal::Other(source.into()))
    }

    /// A write refused because the stored row moved on since it was read (`Internal::Stale`).
    pub fn stale() -> Self {
        Self::Internal(Internal::Stale)
    }

    /// A message that found its client actor stopped (`Internal::ActorStopped`).
    pub fn actor_stopped(_: actix::MailboxError) -> Self {
        Self::Internal(Internal::ActorStopped)
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::internal(err)
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(err: sea_orm::TransactionError<Error>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(inner) => inner,
        }
    }
}

/// The domain's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
