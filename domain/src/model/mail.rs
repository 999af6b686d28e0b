//! A mail message as the outbox keeps it.

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
