//! Public identifiers: a short type prefix and 128 random bits in base58, like `ins_3kT9…`.

use rand::RngCore;

/// Prefixes of the identifiers Latchkey hands out.
#[derive(Clone, Copy, Debug)]
pub enum IdKind {
    Instance,
    SecretKey,
    Client,
    User,
    EmailAddress,
    SignUp,
    SignIn,
    Session,
    Mail,
    SigningKey,
    JwtTemplate,
    ApiKey,
    WebhookEndpoint,
    WebhookMessage,
    Organization,
    Membership,
    Role,
    Permission,
    Invitation,
}

impl IdKind {
    fn prefix(self) -> &'static str {
        match self {
            Self::Instance => "ins",
            Self::SecretKey => "sk",
            Self::Client => "client",
            Self::User => "user",
            Self::EmailAddress => "idn",
            Self::SignUp => "sua",
            Self::SignIn => "sia",
            Self::Session => "sess",
            Self::Mail => "mail",
            Self::SigningKey => "key",
            Self::JwtTemplate => "jtmp",
            Self::ApiKey => "ak",
            Self::WebhookEndpoint => "whe",
            Self::WebhookMessage => "msg",
            Self::Organization => "org",
            Self::Membership => "orgmem",
            Self::Role => "role",
            Self::Permission => "perm",
            Self::Invitation => "orginv",
        }
    }
}

/// A new random identifier of the given kind.
pub fn new_id(kind: IdKind) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("{}_{}", kind.prefix(), bs58::encode(bytes).into_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_differ() {
        let a = new_id(IdKind::Instance);
        let b = new_id(IdKind::Instance);
        assert!(a.starts_with("ins_"));
        assert!(a.len() > 20);
        assert_ne!(a, b);
    }
}
