//! Tokens: the rules every check of a session token follows (verification), and, as they
//! arrive, signing keys, issuance, JWKS and API keys.

pub mod verify;
