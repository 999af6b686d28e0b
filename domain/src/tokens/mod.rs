//! Tokens: the rules every check of a session token follows (verification), the signing keys
//! (generated here, sealed under the master key, held parsed in the key ring), and issuance.

pub mod issue;
pub mod key_ring;
pub mod keys;
pub mod master_key;
pub mod verify;
