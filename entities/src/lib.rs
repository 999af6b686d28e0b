//! sea-orm entities of Latchkey, one module per table. No logic lives here, and no entity ever
//! leaves `latchkey_domain::store`.

pub mod instance;
pub mod platform_secret;
pub mod secret_key;
