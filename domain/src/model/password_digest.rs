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

/// The most memory an imported argon2 hash may ask for, in KiB (64 MiB): a sign-in runs the
/// hash at its own cost, so a hash made too dear would be a way to stall the shared hasher.
pub const MAX_ARGON2_MEMORY_KIB: u32 = 65_536;
/// The most passes an imported argon2 hash may ask for.
pub const MAX_ARGON2_PASSES: u32 = 10;
/// The most lanes an imported argon2 hash may ask for.
pub const MAX_ARGON2_LANES: u32 = 4;
/// The costs an imported bcrypt hash may have (2^4 to 2^14 rounds).
pub const BCRYPT_COSTS: std::ops::RangeInclusive<u32> = 4..=14;

/// Whether `digest` is a hash of the `hasher` kind that Latchkey can check a password against,
/// at a cost within the bounds above.
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
            let params = argon2::Params::try_from(&parsed).map_err(|_| invalid(what))?;
            if params.m_cost() > MAX_ARGON2_MEMORY_KIB
                || params.t_cost() > MAX_ARGON2_PASSES
                || params.p_cost() > MAX_ARGON2_LANES
            {
                return Err(Error::validation(
                    "passwordDigest",
                    format!(
                        "asks too much of the hasher: at most m={MAX_ARGON2_MEMORY_KIB}, \
                         t={MAX_ARGON2_PASSES}, p={MAX_ARGON2_LANES}"
                    ),
                ));
            }
            Ok(())
        }
        PasswordHasher::Bcrypt => {
            let known_prefix = ["$2a$", "$2b$", "$2y$"]
                .iter()
                .any(|p| digest.starts_with(p));
            let parts = bcrypt::HashParts::from_str(digest)
                .ok()
                .filter(|_| known_prefix)
                .ok_or_else(|| invalid("a bcrypt hash ($2a$, $2b$ or $2y$)"))?;
            if !BCRYPT_COSTS.contains(&parts.get_cost()) {
                return Err(Error::validation(
                    "passwordDigest",
                    format!(
                        "has a bcrypt cost outside {}–{}",
                        BCRYPT_COSTS.start(),
                        BCRYPT_COSTS.end()
                    ),
                ));
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
    fn hashes_too_dear_to_check_are_refused() {
        let salt = SaltString::encode_b64(b"some salt bytes!").unwrap();
        let dear = argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            argon2::Params::new(8, 11, 1, None).unwrap(),
        )
        .hash_password(b"pw", &salt)
        .unwrap()
        .to_string();
        assert!(check(PasswordHasher::Argon2id, &dear).is_err(), "11 passes");
        let huge = dear.replace("m=8,", "m=4194304,").replace("t=11", "t=1");
        assert!(check(PasswordHasher::Argon2id, &huge).is_err(), "4 GiB");
        let fine = dear.replace("t=11", "t=1");
        assert!(check(PasswordHasher::Argon2id, &fine).is_ok());
        let cheap = bcrypt::hash("pw", 4).unwrap();
        let dear_bcrypt = cheap.replacen("$04$", "$31$", 1);
        assert!(
            check(PasswordHasher::Bcrypt, &dear_bcrypt).is_err(),
            "cost 31"
        );
    }

    #[test]
    fn bcrypt_hashes_are_told_apart() {
        assert!(is_bcrypt(&bcrypt::hash("pw", 4).unwrap()));
        assert!(!is_bcrypt(&argon2(argon2::Algorithm::Argon2id)));
    }
}
