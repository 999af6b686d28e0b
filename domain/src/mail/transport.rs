//! Delivering one message: over SMTP with lettre, or (with no SMTP server configured) to the log
//! and, when a directory is given, into it as an `.eml` file.

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::Message;

/// The longest one message may take to send over SMTP, all commands together.
pub const SEND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a delivery failed.
#[derive(Debug)]
pub enum DeliveryError {
    /// Worth trying again later (the server is down, busy, or answered 4xx).
    Transient(String),
    /// Never going to work (a bad address, a 5xx answer).
    Permanent(String),
}

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log { dir: Option<PathBuf> },
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Transport::Smtp"),
            Self::Log { dir } => f.debug_struct("Transport::Log").field("dir", dir).finish(),
        }
    }
}

impl Transport {
    /// SMTP at `url` (`smtp://host:port`, `smtps://user:pass@host`, `?tls=required` for
    /// STARTTLS), or the log when there is none.
    pub fn new(smtp_url: Option<&str>, mail_dir: Option<PathBuf>) -> crate::Result<Self> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        crate::Error::validation("LATCHKEY_SMTP_URL", format!("is not usable: {e}"))
                    })?
                    .timeout(Some(SEND_TIMEOUT))
                    .build();
                Ok(Self::Smtp(transport))
            }
            None => Ok(Self::Log { dir: mail_dir }),
        }
    }

    /// Delivers `message`; `id` names it in logs and files.
    pub async fn deliver(&self, id: &str, message: &Message) -> Result<(), DeliveryError> {
        let email = build(message)?;
        match self {
            Self::Smtp(smtp) => {
                // One bound for the whole conversation (lettre's timeout is per command), so a
                // slow server cannot outlast the shutdown grace.
                let sent = tokio::time::timeout(SEND_TIMEOUT, smtp.send(email))
                    .await
                    .map_err(|_| {
                        DeliveryError::Transient("the SMTP server took too long".into())
                    })?;
                sent.map(|_| ()).map_err(|e| {
                    if e.is_permanent() {
                        DeliveryError::Permanent(e.to_string())
                    } else {
                        DeliveryError::Transient(e.to_string())
                    }
                })
            }
            Self::Log { dir } => {
                if !message.development {
                    // A live instance's codes go neither to the log nor to a file: they wait in
                    // the outbox for an SMTP server.
                    return Err(DeliveryError::Transient(
                        "no SMTP server is configured for a live instance's mail: set LATCHKEY_SMTP_URL"
                            .to_owned(),
                    ));
                }
                // Development only, with no SMTP server configured: the quick start reads the
                // code here.
                tracing::info!(
                    mail_id = id,
                    to = %message.to,
                    subject = %message.subject,
                    body = %message.text,
                    "mail (no SMTP server configured; set LATCHKEY_SMTP_URL to send it)"
                );
                if let Some(dir) = dir {
                    let path = dir.join(format!("{id}.eml"));
                    tokio::fs::create_dir_all(dir)
                        .await
                        .map_err(|e| DeliveryError::Transient(e.to_string()))?;
                    tokio::fs::write(&path, email.formatted())
                        .await
                        .map_err(|e| DeliveryError::Transient(e.to_string()))?;
                }
                Ok(())
            }
        }
    }
}

fn build(message: &Message) -> Result<lettre::Message, DeliveryError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        DeliveryError::Permanent(format!("the {what} address is not usable: {e}"))
    };
    let from = Mailbox::new(
        Some(message.from_name.clone()),
        message
            .from_address
            .parse()
            .map_err(|e| bad("sender", &e))?,
    );
    let to: Mailbox = message.to.parse().map_err(|e| bad("recipient", &e))?;
    lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(message.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            message.text.clone(),
            message.html.clone(),
        ))
        .map_err(|e| DeliveryError::Permanent(e.to_string()))
}
