//! Password hashes imported from another system (`createUser`/`updateUser` with a
//! `passwordDigest`): argon2id and argon2i PHC strings, and bcrypt (`$2a$`, `$2b$`, `$2y$`).
//! They are kept as given and checked at sign-in as they are; Latchkey's own are argon2id.

use std::str::FromStr;

use argon2::password_hash::PasswordHash;

use crate::{Error, Result};

/// The algorithm an imported password hash was made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordHasher {
    Argon2id,
    Argon2i,
    Bcrypt,
}

/// Whether `digest` is a hash of the `hasher` kind that Latchkey can check a password against.
pub fn check(hasher: PasswordHasher, digest: &str) -> Result<()> {
    let invalid = |what: &str| Error::validation("passwordDigest", format!("is not {what}"));
    match hasher {
        PasswordHasher::Argon2id | PasswordHasher::Argon2i => {
            let (name, what) = match hasher {
                PasswordHasher::Argon2id => ("argon2id", "an argon2id PHC string"),
                _ => ("argon2i", "an argon2i PHC string"),
            };
            let parsed = PasswordHash::new(digest).map_err(|_| invalid(what))?;
            if parsed.algorithm.as_str() != name || parsed.hash.is_none() || parsed.salt.is_none() {
                return Err(invalid(what));
            }
            Ok(())
        }
        PasswordHasher::Bcrypt => {
            let known_prefix = ["$2a$", "$2b$", "$2y$"]
                .iter()
                .any(|p| digest.starts_with(p));
            if !known_prefix || bcrypt::HashParts::from_str(digest).is_err() {
                return Err(invalid("a bcrypt hash ($2a$, $2b$ or $2y$)"));
            }
            Ok(())
        }
    }
}

/// Whether a stored hash is bcrypt's (else it is a PHC string).
pub fn is_bcrypt(stored: &str) -> bool {
    stored.starts_with("$2")
}

#[cfg(test)]
mod tests {
    use super::*;

    use argon2::password_hash::{PasswordHasher as _, SaltString};

    fn argon2(algorithm: argon2::Algorithm) -> String {
        let salt = SaltString::encode_b64(b"some salt bytes!").unwrap();
        argon2::Argon2::new(algorithm, argon2::Version::V0x13, argon2::Params::default())
            .hash_password(b"pw", &salt)
            .unwrap()
            .to_string()
    }

    #[test]
    #[allow(non_snake_case)]
    fn each_kind_takes_its_own_form_only() {
        let (argon2id, argon2i) = (
            argon2(argon2::Algorithm::Argon2id),
            argon2(argon2::Algorithm::Argon2i),
        );
        let bcrypt = bcrypt::hash("pw", 4).unwrap();
        let (ARGON2ID, ARGON2I, BCRYPT) = (argon2id.as_str(), argon2i.as_str(), bcrypt.as_str());
        assert!(check(PasswordHasher::Argon2id, ARGON2ID).is_ok());
        assert!(check(PasswordHasher::Argon2i, ARGON2I).is_ok());
        assert!(check(PasswordHasher::Bcrypt, BCRYPT).is_ok());
        assert!(check(PasswordHasher::Argon2id, ARGON2I).is_err());
        assert!(check(PasswordHasher::Argon2i, ARGON2ID).is_err());
        assert!(check(PasswordHasher::Bcrypt, ARGON2ID).is_err());
        assert!(check(PasswordHasher::Argon2id, BCRYPT).is_err());
        for garbage in [
            "",
            "hunter2",
            "$argon2id$",
            "$2b$04$short",
            "$2x$04$EGdrhbKUv8Oc9vGiXX0HQOxSg445d458Muh7DAHskb6QbtCvdxcie",
        ] {
            for kind in [
                PasswordHasher::Argon2id,
                PasswordHasher::Argon2i,
                PasswordHasher::Bcrypt,
            ] {
                match check(kind, garbage) {
                    Err(Error::Validation { field, .. }) => assert_eq!(field, "passwordDigest"),
                    other => panic!("{kind:?} {garbage:?}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn bcrypt_hashes_are_told_apart() {
        assert!(is_bcrypt(&bcrypt::hash("pw", 4).unwrap()));
        assert!(!is_bcrypt(&argon2(argon2::Algorithm::Argon2id)));
    }
}
