//! Sign-up: create, update, prepare the email code, attempt it, and complete into a user and a
//! session in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use super::attempts::Budgeted;
use crate::ids::{IdKind, new_id};
use crate::model::client::Client;
use crate::model::event::{EventType, NewEvent};
use crate::model::instance::{Environment, Instance};
use crate::model::password::{self, OwnIdentifiers};
use crate::model::session::Session;
use crate::model::settings::SignUpMode;
use crate::model::sign_up::{CheckedInput, SignUp, SignUpInput, check_input};
use crate::model::user::{User, UserEmailAddress};
use crate::model::verification::{TEST_CODE, new_code};
use crate::services::Services;
use crate::store;
use crate::{Error, Result};

/// The longest code accepted for checking; anything longer is refused without counting.
const MAX_CODE_LENGTH: usize = 32;

fn stale() -> Error {
    Error::stale()
}

/// Refuses sign-up work on an instance whose sign-up is restricted (checked at every step, so a
/// sign-up started before the switch cannot finish after it).
fn ensure_public(instance: &Instance) -> Result<()> {
    if instance.settings.sign_up.mode == SignUpMode::Restricted {
        return Err(Error::Forbidden(
            "sign-up is restricted on this instance: users are created or invited by its backend",
        ));
    }
    Ok(())
}

fn with_sign_up(client: &Client, sign_up: SignUp) -> Client {
    Client {
        sign_up: Some(sign_up),
        ..client.clone()
    }
}

fn current(client: &Client) -> Result<SignUp> {
    client.sign_up.clone().ok_or(Error::NotFound("sign-up"))
}

/// Starts a new sign-up on the client (replacing any earlier unfinished one).
pub async fn create(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    input: SignUpInput,
    now: DateTime<Utc>,
) -> Result<Client> {
    ensure_public(instance)?;
    let checked = check_input(input, &instance.settings)?;
    let mut sign_up = SignUp::new(new_id(IdKind::SignUp), client.id.clone(), now);
    let password_hash = checked_fields(svc, instance, &sign_up, &checked).await?;
    sign_up.apply(checked, password_hash, now);
    if sign_up.ready(&instance.settings.sign_up, now) {
        // Nothing to verify (an instance without email addresses): written and completed in
        // one transaction, so a failed completion leaves no new sign-up behind.
        return complete(
            svc,
            instance,
            with_sign_up(client, sign_up),
            Stored::New,
            now,
        )
        .await;
    }
    store::sign_ups::insert(&svc.db, &instance.id, &sign_up).await?;
    Ok(with_sign_up(client, sign_up))
}

/// Whether the sign-up being completed is already stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stored {
    New,
    Existing,
}

/// Changes the client's sign-up.
pub async fn update(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    input: SignUpInput,
    now: DateTime<Utc>,
) -> Result<Client> {
    ensure_public(instance)?;
    let mut sign_up = current(client)?;
    sign_up.ensure_open(now)?;
    let checked = check_input(input, &instance.settings)?;
    let password_hash = checked_fields(svc, instance, &sign_up, &checked).await?;
    sign_up.apply(checked, password_hash, now);
    if !store::sign_ups::update(&svc.db, &instance.id, &sign_up).await? {
        return Err(stale());
    }
    sign_up.version += 1;
    complete_if_ready(svc, instance, with_sign_up(client, sign_up), now).await
}

/// Checks what only the database or the password policy can tell: identifiers not taken, the
/// password allowed. Gives the password's hash.
async fn checked_fields(
    svc: &Services,
    instance: &Instance,
    sign_up: &SignUp,
    input: &CheckedInput,
) -> Result<Option<String>> {
    if let Some(email) = &input.email_address
        && store::users::email_taken(&svc.db, &instance.id, &email.normalized).await?
    {
        return Err(Error::IdentifierExists {
            field: "emailAddress".to_owned(),
        });
    }
    if let Some(username) = &input.username
        && store::users::username_taken(&svc.db, &instance.id, username).await?
    {
        return Err(Error::IdentifierExists {
            field: "username".to_owned(),
        });
    }
    let Some(plain) = &input.password else {
        return Ok(None);
    };
    let (email_address, username) = sign_up.own_identifiers_after(input);
    password::check(
        plain,
        &instance.settings.password,
        OwnIdentifiers {
            email_address,
            username,
        },
    )?;
    Ok(Some(svc.hasher.hash(plain.clone()).await?))
}

/// Issues an email code for the sign-up's address: the code's hash and the message that carries
/// it are committed together, then the mailer is woken. Development test addresses take the
/// fixed code and get no mail.
pub async fn prepare_email_code(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<Client> {
    ensure_public(instance)?;
    let mut sign_up = current(client)?;
    sign_up.ensure_open(now)?;
    let Some(email) = sign_up.email_address.clone() else {
        return Err(Error::validation(
            "emailAddress",
            "add an email address before preparing its verification",
        ));
    };
    let test = instance.environment == Environment::Development && email.is_test_address();
    let code = if test {
        TEST_CODE.to_owned()
    } else {
        new_code()
    };
    let settings = &instance.settings.verification;
    sign_up.email_verification.prepare(&code, now, settings)?;
    sign_up.updated_at = now;
    if !test {
        // However many sign-ups and clients ask, one address gets only so many codes an hour.
        Budgeted::codes_mailed(svc, instance, &email.address)
            .take(svc, instance, now)
            .await?;
    }
    let txn = svc.db.begin().await?;
    if !store::sign_ups::update(&txn, &instance.id, &sign_up).await? {
        return Err(stale());
    }
    if !test {
        super::enqueue_code(&txn, svc, instance, &email.address, &code, now).await?;
    }
    txn.commit().await?;
    if !test {
        svc.mail_committed();
    }
    sign_up.version += 1;
    Ok(with_sign_up(client, sign_up))
}

/// Checks an email code. The guess is taken from the address's budget of wrong codes before the
/// code is checked (given back when it is right), so however many sign-ups, clients and nodes
/// guess at one address, they share one bound; past it: `TOO_MANY_ATTEMPTS` with `retryAfter`.
/// A wrong code is counted on the verification (and committed) before the error is returned; the
/// right one verifies the address and, when nothing else is missing, completes the sign-up.
pub async fn attempt_email_code(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Client> {
    if code.chars().count() > MAX_CODE_LENGTH {
        return Err(Error::validation("code", "is not a verification code"));
    }
    ensure_public(instance)?;
    let mut sign_up = current(client)?;
    sign_up.ensure_open(now)?;
    if sign_up.ready(&instance.settings.sign_up, now) {
        // Verified already, and nothing else missing: the completion did not happen (another
        // writer got there between the two). Complete now rather than refuse the code.
        return complete_if_ready(svc, instance, client.clone(), now).await;
    }
    sign_up.email_verification.ensure_checkable(now)?;
    let address = sign_up
        .email_address
        .as_ref()
        .map(|e| e.address.clone())
        .ok_or_else(|| Error::validation("code", "the sign-up has no email address to verify"))?;
    let wrong_codes = Budgeted::wrong_codes(svc, instance, &address);
    wrong_codes.take(svc, instance, now).await?;
    let before = sign_up.email_verification.clone();
    let checked = sign_up
        .email_verification
        .attempt(code, now, &instance.settings.verification);
    if checked.is_ok() {
        wrong_codes.give_back(svc, instance).await?;
    }
    if sign_up.email_verification != before {
        sign_up.updated_at = now;
        if !store::sign_ups::update(&svc.db, &instance.id, &sign_up).await? {
            return Err(stale());
        }
        sign_up.version += 1;
    }
    checked?;
    complete_if_ready(svc, instance, with_sign_up(client, sign_up), now).await
}

/// Completes the sign-up when nothing is missing or unverified: the user (with its verified
/// email address as primary), an active session on this client, the sign-up marked complete and
/// the session made the client's active one, all in one transaction.
async fn complete_if_ready(
    svc: &Services,
    instance: &Instance,
    client: Client,
    now: DateTime<Utc>,
) -> Result<Client> {
    match &client.sign_up {
        Some(sign_up) if sign_up.ready(&instance.settings.sign_up, now) => {
            complete(svc, instance, client, Stored::Existing, now).await
        }
        _ => Ok(client),
    }
}

async fn complete(
    svc: &Services,
    instance: &Instance,
    mut client: Client,
    stored: Stored,
    now: DateTime<Utc>,
) -> Result<Client> {
    let Some(mut sign_up) = client.sign_up.clone() else {
        return Ok(client);
    };
    let user = new_user(instance, &sign_up, now);
    let session = Session::start(
        new_id(IdKind::Session),
        instance.id.clone(),
        client.id.clone(),
        user.id.clone(),
        &instance.settings.sessions,
        now,
    );
    let password_hash = sign_up.password_hash.clone();
    sign_up.complete(user.id.clone(), session.id.clone(), now);
    let txn = svc.db.begin().await?;
    store::users::insert(
        &txn,
        store::users::NewUser {
            user: &user,
            password_hash: password_hash.as_deref(),
        },
    )
    .await?;
    let session_id = session.id.clone();
    let mut events = vec![NewEvent::user(EventType::UserCreated, &user, now)];
    events.extend(super::memberships::accept_at_sign_up(&txn, instance, &user, now).await?);
    events.extend(super::sessions::add(&txn, instance, &mut client, session, now).await?);
    match stored {
        Stored::New => store::sign_ups::insert(&txn, &instance.id, &sign_up).await?,
        Stored::Existing => {
            if !store::sign_ups::update(&txn, &instance.id, &sign_up).await? {
                return Err(stale());
            }
            sign_up.version += 1;
        }
    }
    store::user_counts::add(&txn, &instance.id, 1).await?;
    store::events::append(&txn, &instance.id, &events, now).await?;
    txn.commit().await?;
    svc.events.committed(&instance.id);
    tracing::info!(user_id = %user.id, session_id = %session_id, "sign-up complete");
    client.sign_up = Some(sign_up);
    client.updated_at = now;
    Ok(client)
}

fn new_user(instance: &Instance, sign_up: &SignUp, now: DateTime<Utc>) -> User {
    let email_addresses: Vec<UserEmailAddress> = sign_up
        .email_address
        .iter()
        .map(|e| UserEmailAddress {
            id: new_id(IdKind::EmailAddress),
            email_address: e.address.clone(),
            verified: true,
        })
        .collect();
    User {
        id: new_id(IdKind::User),
        instance_id: instance.id.clone(),
        username: sign_up.username.clone(),
        first_name: sign_up.first_name.clone(),
        last_name: sign_up.last_name.clone(),
        image_url: None,
        external_id: None,
        primary_email_address_id: email_addresses.first().map(|e| e.id.clone()),
        email_addresses,
        password_enabled: sign_up.password_hash.is_some(),
        totp_enabled: false,
        backup_code_enabled: false,
        public_metadata: serde_json::json!({}),
        private_metadata: serde_json::json!({}),
        unsafe_metadata: sign_up.unsafe_metadata.clone(),
        banned: false,
        locked_until: None,
        last_sign_in_at: Some(now),
        last_active_at: Some(now),
        created_at: now,
        updated_at: now,
    }
}
