//! Pure types and rules: no I/O, and time, where it matters, is a parameter.

pub mod caller;
pub mod identifiers;
pub mod instance;
pub mod origin;
pub mod password;
pub mod settings;
pub mod sign_up;
pub mod verification;
