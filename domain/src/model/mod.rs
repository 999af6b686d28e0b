//! Pure types and rules: no I/O, and time, where it matters, is a parameter.

pub mod caller;
pub mod instance;
pub mod origin;
pub mod settings;
