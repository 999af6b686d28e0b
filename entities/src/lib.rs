//! sea-orm entities of Latchkey, one module per table. No logic lives here, and no entity ever
//! leaves `latchkey_domain::store`.

pub mod api_key;
pub mod attempt_budget;
pub mod client;
pub mod email_address;
pub mod event;
pub mod event_sequence;
pub mod handoff;
pub mod instance;
pub mod jwt_template;
pub mod mail_outbox;
pub mod organization;
pub mod organization_invitation;
pub mod organization_membership;
pub mod organization_permission;
pub mod organization_role;
pub mod organization_role_permission;
pub mod platform_secret;
pub mod secret_key;
pub mod session;
pub mod sign_in;
pub mod sign_up;
pub mod signing_key;
pub mod user;
pub mod webhook_delivery;
pub mod webhook_endpoint;
