//! A session's factors: when each was last verified (the `fva` claim, step-up), and the email
//! code a reverification in progress waits for, kept as JSON on the session's row and changed
//! by compare-and-set on the text read. Every write needs the session still active.

use chrono::{DateTime, Utc};
use latchkey_entities::session;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::model::reverification::CodeChallenge;
use crate::model::session::{Session, SessionStatus};
use crate::{Error, Result};

/// A session with the reverification code it waits for, and the text that was stored.
#[derive(Clone, Debug)]
pub struct SessionFactors {
    pub session: Session,
    pub challenge: Option<CodeChallenge>,
    /// The stored JSON, for the compare-and-set.
    pub stored: Option<String>,
}

/// One session of the instance with its reverification code.
pub async fn find(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
) -> Result<Option<SessionFactors>> {
    let Some(row) = session::Entity::find_by_id(session_id.to_owned())
        .filter(session::Column::InstanceId.eq(instance_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let stored = row.reverification.clone();
    let challenge = match stored.as_deref() {
        Some(text) => Some(serde_json::from_str(text).map_err(Error::internal)?),
        None => None,
    };
    Ok(Some(SessionFactors {
        session: super::sessions::to_model(row)?,
        challenge,
        stored,
    }))
}

/// What a reverification's email code writes to the session it was read from.
#[derive(Clone, Copy, Debug)]
pub enum CodeChange<'a> {
    /// A new code, or a wrong one counted: the code's new state.
    Pending(&'a CodeChallenge),
    /// The right code: the first factor verified at this time, the code gone.
    Verified(DateTime<Utc>),
}

/// Writes `change` to the session `read` came from, only while its code is still the one read;
/// false when it changed meanwhile or the session is no longer active.
pub async fn save_code(
    db: &impl ConnectionTrait,
    instance_id: &str,
    read: &SessionFactors,
    change: CodeChange<'_>,
) -> Result<bool> {
    let mut update = session::Entity::update_many();
    update = match change {
        CodeChange::Pending(challenge) => {
            let text = serde_json::to_string(challenge).map_err(Error::internal)?;
            update.col_expr(session::Column::Reverification, Expr::value(text))
        }
        CodeChange::Verified(at) => update
            .col_expr(
                session::Column::Reverification,
                Expr::value(Option::<String>::None),
            )
            .col_expr(session::Column::FirstFactorVerifiedAt, Expr::value(at)),
    };
    update = match &read.stored {
        Some(stored) => update.filter(session::Column::Reverification.eq(stored.as_str())),
        None => update.filter(session::Column::Reverification.is_null()),
    };
    let done = update
        .filter(session::Column::Id.eq(read.session.id.as_str()))
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(session::Column::Status.eq(SessionStatus::Active.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a factor of an active session verified at `at`: the first (`second` false: a
/// password) or the second (TOTP, a backup code, or TOTP enrolled in the session, whose code
/// proved the new factor). False when the session is not active.
pub async fn factor_verified(
    db: &impl ConnectionTrait,
    instance_id: &str,
    session_id: &str,
    second: bool,
    at: DateTime<Utc>,
) -> Result<bool> {
    let column = if second {
        session::Column::SecondFactorVerifiedAt
    } else {
        session::Column::FirstFactorVerifiedAt
    };
    let done = session::Entity::update_many()
        .col_expr(column, Expr::value(at))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::InstanceId.eq(instance_id))
        .filter(session::Column::Status.eq(SessionStatus::Active.as_str()))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
