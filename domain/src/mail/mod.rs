//! Mail: messages rendered from the templates in `domain/templates`, and the transports that
//! deliver them (SMTP, or the log and a directory when no SMTP server is configured).

mod templates;
pub mod transport;

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

/// A message ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub to: String,
    pub from_address: String,
    /// The display name of the sender (by default the instance's name).
    pub from_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// From a development instance: with no SMTP server its codes may go to the log.
    pub development: bool,
}
