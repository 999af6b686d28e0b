//! Who is calling, resolved once per request, and what each kind of caller may do.

use std::sync::Arc;

use super::instance::Instance;
use crate::{Error, Result};

/// The caller of one request (see the contract's table of scopes).
#[derive(Clone, Debug)]
pub enum Caller {
    /// No credential at all.
    Anonymous,
    /// The platform admin token: instance management.
    PlatformAdmin,
    /// A backend secret key: the whole of one instance.
    Backend {
        instance: Arc<Instance>,
        secret_key_id: String,
    },
    /// A frontend: the publishable key of one instance, and the client token when it has one.
    Frontend {
        instance: Arc<Instance>,
        client_token: Option<String>,
    },
    /// A signed-in user: a valid session token of an active session.
    User {
        instance: Arc<Instance>,
        user_id: String,
        session_id: String,
    },
}

impl Caller {
    /// The instance this caller acts in, if any.
    pub fn instance(&self) -> Option<&Arc<Instance>> {
        match self {
            Self::Backend { instance, .. }
            | Self::Frontend { instance, .. }
            | Self::User { instance, .. } => Some(instance),
            Self::Anonymous | Self::PlatformAdmin => None,
        }
    }

    /// Requires the platform admin token.
    pub fn require_admin(&self) -> Result<()> {
        match self {
            Self::PlatformAdmin => Ok(()),
            Self::Anonymous => Err(Error::Unauthenticated(
                "the platform admin token is required",
            )),
            _ => Err(Error::Forbidden("only the platform admin may do this")),
        }
    }

    /// Requires a frontend (a publishable key), and gives its instance and client token.
    pub fn require_frontend(&self) -> Result<(&Arc<Instance>, Option<&str>)> {
        match self {
            Self::Frontend {
                instance,
                client_token,
            } => Ok((instance, client_token.as_deref())),
            Self::Anonymous => Err(Error::Unauthenticated("a publishable key is required")),
            _ => Err(Error::Forbidden(
                "this is a frontend operation: call it with a publishable key",
            )),
        }
    }

    /// Requires a signed-in user (a session token), and gives its instance and user id.
    pub fn require_user(&self) -> Result<(&Arc<Instance>, &str)> {
        match self {
            Self::User {
                instance, user_id, ..
            } => Ok((instance, user_id)),
            Self::Anonymous => Err(Error::Unauthenticated("a session token is required")),
            _ => Err(Error::Forbidden(
                "this is a signed-in user's operation: call it with a session token",
            )),
        }
    }

    /// Requires a signed-in user, and gives its instance, user id and the session its token is
    /// for (`sid`).
    pub fn require_session(&self) -> Result<(&Arc<Instance>, &str, &str)> {
        match self {
            Self::User {
                instance,
                user_id,
                session_id,
            } => Ok((instance, user_id, session_id)),
            Self::Anonymous => Err(Error::Unauthenticated("a session token is required")),
            _ => Err(Error::Forbidden(
                "this is a signed-in user's operation: call it with a session token",
            )),
        }
    }

    /// Requires a backend secret key, and gives its instance.
    pub fn require_backend(&self) -> Result<&Arc<Instance>> {
        match self {
            Self::Backend { instance, .. } => Ok(instance),
            Self::Anonymous => Err(Error::Unauthenticated("a secret key is required")),
            _ => Err(Error::Forbidden("this needs a secret key of the instance")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn anonymous_is_unauthenticated_and_others_forbidden() {
        assert_eq!(
            Caller::Anonymous
                .require_admin()
                .map_err(|e| e.code())
                .err(),
            Some(ErrorCode::Unauthenticated)
        );
        assert_eq!(
            Caller::Anonymous
                .require_backend()
                .map_err(|e| e.code())
                .err(),
            Some(ErrorCode::Unauthenticated)
        );
        assert!(Caller::PlatformAdmin.require_admin().is_ok());
        assert_eq!(
            Caller::PlatformAdmin
                .require_backend()
                .map_err(|e| e.code())
                .err(),
            Some(ErrorCode::Forbidden)
        );
    }
}
