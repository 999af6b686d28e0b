//! Pure types and rules: no I/O, and time, where it matters, is a parameter.

pub mod api_key;
pub mod attempt_budget;
pub mod caller;
pub mod client;
pub mod event;
pub mod identifiers;
pub mod instance;
pub mod jwt_template;
pub mod lockout;
pub mod mail;
pub mod metadata;
pub mod organization;
pub mod origin;
pub mod password;
pub mod password_digest;
pub mod reverification;
pub mod second_factor;
pub mod session;
pub mod settings;
pub mod sign_in;
pub mod sign_up;
pub mod user;
pub mod user_query;
pub mod verification;
pub mod webhook;
