//! `mail_outbox`: every message, written in the transaction of what it carries, then sent. The
//! subject and bodies (which hold codes) are cleared once the message is sent or given up.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub to_address: String,
    pub from_address: String,
    pub from_name: String,
    pub subject: String,
    pub text_body: Option<String>,
    pub html_body: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A node that took the message to send it holds it until then.
    pub claimed_until: Option<DateTimeUtc>,
    /// The random token of the claim: only its holder may finish the message.
    pub claimed_by: Option<String>,
    /// For a development instance (its mail may go to the log, codes included).
    pub development: bool,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
