//! Mail: messages rendered from the templates in `domain/templates`, and the transports that
//! deliver them (SMTP, or the log and a directory when no SMTP server is configured).

mod templates;

pub use templates::escape_html;
pub mod transport;

pub use crate::model::mail::Message;
pub use templates::{InvitationFacts, organization_invitation, verification_code};

/// Who a message is from.
#[derive(Clone, Copy, Debug)]
pub struct Sender<'a> {
    pub address: &'a str,
    /// The display name.
    pub name: &'a str,
    /// The instance, as the text names it.
    pub instance_name: &'a str,
}
