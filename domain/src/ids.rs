//! Public identifiers: a short type prefix and 128 random bits in base58, like `ins_3kT9…`.
//! No record's prefix begins like a credential (`sk_test_`, `sk_live_`, `ak_`, `pk_`), so an id
//! pasted where a key belongs is told apart from a wrong key (`mistaken_credential`).

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
            Self::SecretKey => "skid",
            Self::Client => "client",
            Self::User => "user",
            Self::EmailAddress => "idn",
            Self::SignUp => "sua",
            Self::SignIn => "sia",
            Self::Session => "sess",
            Self::Mail => "mail",
            Self::SigningKey => "key",
            Self::JwtTemplate => "jtmp",
            Self::ApiKey => "akid",
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

/// Whether `text` is `prefix` followed by an id's 128 random bits in base58: the shape secret
/// keys' and API keys' ids had before they got prefixes of their own (a key's 256 bits are
/// longer).
fn older_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|rest| {
        (16..=24).contains(&rest.len()) && bs58::decode(rest).into_vec().is_ok()
    })
}

/// Whether `token` is an API key's id (`akid_…`, or an older `ak_…` id) rather than a key.
pub fn is_api_key_id(token: &str) -> bool {
    token.starts_with("akid_") || older_id(token, "ak_")
}

/// What to tell a caller who sent `bearer` as its credential when it is a record's id rather
/// than a key, or an API key (which checks nothing of Latchkey's own). Read from the text alone,
/// so the answer tells nothing about what is stored.
pub fn mistaken_credential(bearer: &str) -> Option<&'static str> {
    if bearer.starts_with("skid_") || older_id(bearer, "sk_") {
        Some(
            "this is a secret key's id, not the key: send the key itself (sk_test_… or \
             sk_live_…, shown once when it was created)",
        )
    } else if bearer.starts_with("akid_") || bearer.starts_with("ak_") {
        Some(
            "API keys (ak_…) and their ids (akid_…) are not credentials for Latchkey's own API: \
             check an API key with verifyToken, with a secret key",
        )
    } else {
        None
    }
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

    #[test]
    fn no_record_id_looks_like_a_key() {
        let kinds = [
            IdKind::Instance,
            IdKind::SecretKey,
            IdKind::Client,
            IdKind::User,
            IdKind::EmailAddress,
            IdKind::SignUp,
            IdKind::SignIn,
            IdKind::Session,
            IdKind::Mail,
            IdKind::SigningKey,
            IdKind::JwtTemplate,
            IdKind::ApiKey,
            IdKind::WebhookEndpoint,
            IdKind::WebhookMessage,
            IdKind::Organization,
            IdKind::Membership,
            IdKind::Role,
            IdKind::Permission,
            IdKind::Invitation,
        ];
        for kind in kinds {
            let id = new_id(kind);
            for key_prefix in ["sk_", "ak_", "pk_", "whsec_", "lk_"] {
                assert!(!id.starts_with(key_prefix), "{id} starts like a key");
            }
        }
    }

    #[test]
    fn ids_sent_as_keys_are_recognized_by_their_shape() {
        let secret_key_id = new_id(IdKind::SecretKey);
        assert!(secret_key_id.starts_with("skid_"));
        assert!(mistaken_credential(&secret_key_id).is_some());
        // An id from before: `sk_` and an id's 128 bits in base58.
        let older = secret_key_id.replacen("skid_", "sk_", 1);
        assert!(mistaken_credential(&older).is_some());
        assert!(mistaken_credential(&format!("sk_test_{}", "x".repeat(43))).is_none());
        assert!(mistaken_credential(&format!("sk_live_{}", "x".repeat(43))).is_none());
        let api_key_id = new_id(IdKind::ApiKey);
        assert!(api_key_id.starts_with("akid_"));
        assert!(mistaken_credential(&api_key_id).is_some());
        assert!(is_api_key_id(&api_key_id));
        assert!(is_api_key_id(&api_key_id.replacen("akid_", "ak_", 1)));
        assert!(!is_api_key_id(&crate::secrets::new_secret("ak_")));
        assert!(mistaken_credential("lk_admin_x").is_none());
    }
}
