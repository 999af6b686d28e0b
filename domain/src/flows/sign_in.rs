//! Sign-in: create (with the identifier, and at once the password when given), prepare and
//! attempt a first factor, set a new password after a reset code, and complete into a session.
//! Failed factors count against the user's lockout in the database, exactly.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use super::attempts::{Budgeted, Counted, failure_key};
use crate::ids::{IdKind, new_id};
use crate::model::client::Client;
use crate::model::event::EventType;
use crate::model::instance::{Environment, Instance};
use crate::model::password::{self, OwnIdentifiers};
use crate::model::session::Session;
use crate::model::sign_in::{CodeTarget, FirstFactor, SecondFactor, SignIn, Subject};
use crate::model::verification::{TEST_CODE, new_code};
use crate::services::Services;
use crate::store::{self, users::SignInUser};
use crate::{Error, Result};

/// The longest identifier accepted.
const MAX_IDENTIFIER_LENGTH: usize = 320;

/// What `createSignIn` is given. (`Debug` leaves the password out.)
#[derive(Clone, Default)]
pub struct SignInInput {
    pub identifier: String,
    pub password: Option<String>,
    /// A first factor to start at once: `EmailCode` or `ResetPasswordEmailCode` send a code to
    /// the first address; `Password` needs the password.
    pub strategy: Option<FirstFactor>,
}

/// What `attemptFirstFactor` is given. (`Debug` leaves the password and the code out.)
#[derive(Clone)]
pub struct FirstFactorInput {
    pub strategy: FirstFactor,
    pub password: Option<String>,
    pub code: Option<String>,
}

impl std::fmt::Debug for SignInInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInInput")
            .field("strategy", &self.strategy)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for FirstFactorInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstFactorInput")
            .field("strategy", &self.strategy)
            .finish_non_exhaustive()
    }
}

fn with_sign_in(client: &Client, sign_in: SignIn) -> Client {
    Client {
        sign_in: Some(sign_in),
        ..client.clone()
    }
}

fn current(client: &Client) -> Result<SignIn> {
    client.sign_in.clone().ok_or(Error::NotFound("sign-in"))
}

/// What the sign-in shows of the user behind `identifier`. With enumeration protection on, the
/// factors offered depend only on the identifier's form, never on the account: a password, and
/// for an email address one code target, that address (its real id when it is the user's
/// verified address, otherwise a made-up one that receives nothing). Without protection, the
/// user's own factors.
fn subject_of(
    svc: &Services,
    instance: &Instance,
    identifier: &str,
    found: Option<&SignInUser>,
) -> Result<Subject> {
    let protected = instance.settings.enumeration_protection;
    let made_up = Subject::unknown(
        identifier,
        &format!("{}:{}", svc.enumeration_key, instance.id),
    );
    let Some(found) = found else {
        return if protected {
            Ok(made_up)
        } else {
            Err(Error::NotFound("identifier"))
        };
    };
    let target = |e: &crate::model::user::UserEmailAddress| CodeTarget {
        email_address_id: e.id.clone(),
        safe_identifier: crate::model::identifiers::masked_email(
            &e.email_address.to_ascii_lowercase(),
        ),
        address: Some(e.email_address.clone()),
    };
    let verified = found.user.email_addresses.iter().filter(|e| e.verified);
    let code_targets = if protected {
        let typed = identifier.trim().to_ascii_lowercase();
        match verified
            .clone()
            .find(|e| e.email_address.to_ascii_lowercase() == typed)
        {
            Some(e) => vec![target(e)],
            None => made_up.code_targets,
        }
    } else {
        verified.map(target).collect()
    };
    Ok(Subject {
        user_id: Some(found.user.id.clone()),
        // Offered whether or not the user has one (a check against no password always fails).
        password_enabled: protected || found.password_hash.is_some(),
        code_targets,
        second_factor_enabled: found.user.totp_enabled,
    })
}

async fn save(svc: &Services, instance: &Instance, sign_in: &mut SignIn) -> Result<()> {
    if !store::sign_ins::update(&svc.db, &instance.id, sign_in).await? {
        return Err(Error::stale());
    }
    sign_in.version += 1;
    Ok(())
}

/// Starts a sign-in on the client. An unknown identifier is answered like a known one when the
/// instance's enumeration protection is on (the default).
pub async fn create(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    input: SignInInput,
    now: DateTime<Utc>,
) -> Result<Client> {
    let identifier = input.identifier.trim().to_owned();
    if identifier.is_empty() || identifier.chars().count() > MAX_IDENTIFIER_LENGTH {
        return Err(Error::validation(
            "identifier",
            "an email address or a username is required",
        ));
    }
    if let Some(password) = &input.password {
        password::check_max_length(password, &instance.settings.password)?;
    }
    let found = store::users::find_for_sign_in(&svc.db, &instance.id, &identifier).await?;
    let subject = subject_of(svc, instance, &identifier, found.as_ref())?;
    let mut sign_in = SignIn::new(new_id(IdKind::SignIn), client.id.clone(), now);
    sign_in.identify(identifier, subject, now)?;
    store::sign_ins::insert(&svc.db, &instance.id, &sign_in).await?;
    let next = with_sign_in(client, sign_in.clone());
    match (input.password, input.strategy) {
        (Some(password), None | Some(FirstFactor::Password)) => {
            let attempt = FirstFactorInput {
                strategy: FirstFactor::Password,
                password: Some(password),
                code: None,
            };
            // The user was read just now (or the decoy reads made): not again.
            check_first_factor(svc, instance, &next, sign_in, attempt, found, now).await
        }
        (None, Some(strategy @ (FirstFactor::EmailCode | FirstFactor::ResetPasswordEmailCode))) => {
            let target = sign_in
                .supported_first_factors()
                .into_iter()
                .find(|(s, _)| *s == strategy)
                .and_then(|(_, t)| t.map(|t| t.email_address_id.clone()));
            match target {
                Some(id) => prepare_first_factor(svc, instance, &next, strategy, &id, now).await,
                None => Ok(next),
            }
        }
        (None, Some(FirstFactor::Password)) => Err(Error::validation(
            "password",
            "the password strategy needs the password",
        )),
        (Some(_), Some(_)) => Err(Error::validation(
            "strategy",
            "a password goes with the password strategy",
        )),
        (None, None) => Ok(next),
    }
}

/// Sends a code for an email-code first factor (or a password reset).
pub async fn prepare_first_factor(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    strategy: FirstFactor,
    email_address_id: &str,
    now: DateTime<Utc>,
) -> Result<Client> {
    let mut sign_in = current(client)?;
    let test = instance.environment == Environment::Development
        && sign_in
            .identifier
            .as_deref()
            .and_then(|i| crate::model::identifiers::email_address(i).ok())
            .is_some_and(|e| e.is_test_address());
    let code = if test {
        TEST_CODE.to_owned()
    } else {
        new_code()
    };
    let settings = &instance.settings.verification;
    let to = sign_in.prepare_first_factor(strategy, email_address_id, &code, now, settings)?;
    if !test && let Some(address) = sign_in.code_address(email_address_id) {
        // Counted whether or not anyone holds the address (a made-up target is sent nothing),
        // so the limit tells nothing about who exists.
        Budgeted::codes_mailed(svc, instance, &address)
            .take(svc, instance, now)
            .await?;
    }
    // The address was the user's when the sign-in began; a code goes to it only while it is
    // still theirs and verified (the user may have removed it since).
    if let (Some(user_id), Some(_)) = (
        sign_in.subject.as_ref().and_then(|s| s.user_id.as_deref()),
        &to,
    ) {
        let current = store::email_addresses::get(&svc.db, &instance.id, user_id, email_address_id)
            .await?
            .is_some_and(|a| a.verified);
        if !current {
            return Err(Error::validation(
                "emailAddressId",
                "is no longer an address of this account: start a new sign-in",
            ));
        }
    }
    let txn = svc.db.begin().await?;
    if !store::sign_ins::update(&txn, &instance.id, &sign_in).await? {
        return Err(Error::stale());
    }
    let mail = to.filter(|_| !test);
    if let Some(address) = &mail {
        super::enqueue_code(&txn, svc, instance, address, &code, now).await?;
    }
    txn.commit().await?;
    if mail.is_some() {
        svc.mail_committed();
    }
    sign_in.version += 1;
    Ok(with_sign_in(client, sign_in))
}

/// Checks a first factor. The attempt is reserved against the user's lockout before the factor
/// is checked (so concurrent guesses never exceed the maximum); a failure that reaches the
/// maximum locks the user. A banned user is refused only after a passed factor, so a wrong one
/// does not reveal the ban.
pub async fn attempt_first_factor(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    input: FirstFactorInput,
    now: DateTime<Utc>,
) -> Result<Client> {
    let sign_in = current(client)?;
    // What is refused without checking anything is refused before an attempt is counted.
    match input.strategy {
        FirstFactor::Password => match &input.password {
            Some(password) => password::check_max_length(password, &instance.settings.password)?,
            None => {
                return Err(Error::validation(
                    "password",
                    "is required for this strategy",
                ));
            }
        },
        _ => match &input.code {
            Some(code) if code.chars().count() <= 32 => {}
            Some(_) => return Err(Error::validation("code", "is not a verification code")),
            None => return Err(Error::validation("code", "is required for this strategy")),
        },
    }
    sign_in.ensure_first_factor_due(input.strategy, now)?;
    let user_id = sign_in.subject.as_ref().and_then(|s| s.user_id.clone());
    let found = match &user_id {
        Some(id) => store::users::sign_in_user(&svc.db, &instance.id, id).await?,
        None => {
            store::users::decoy_read(&svc.db, &instance.id).await?;
            None
        }
    };
    check_first_factor(svc, instance, client, sign_in, input, found, now).await
}

/// Checks a first factor that is due, against the user as just read (`None` for an unknown
/// identifier): reserves the attempt, checks, and counts a failure.
async fn check_first_factor(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    mut sign_in: SignIn,
    input: FirstFactorInput,
    found: Option<SignInUser>,
    now: DateTime<Utc>,
) -> Result<Client> {
    // Known or not, one attempt is reserved against a count before the factor is checked.
    let counted = match &found {
        Some(found) => {
            found.lockout.check(now)?;
            Counted::User(found.user.id.clone())
        }
        None => Counted::Unknown(failure_key(svc, instance, &sign_in)),
    };
    // A code to be checked is also taken from its address's budget of wrong codes, which
    // sign-ups and email verifications of the address share.
    let wrong_codes = match input.strategy {
        FirstFactor::Password => None,
        strategy => sign_in
            .ensure_code_checkable(strategy, now)
            .ok()
            .and_then(|()| sign_in.prepared_code_address())
            .map(|address| Budgeted::wrong_codes(svc, instance, &address)),
    };
    if let Some(budget) = &wrong_codes {
        budget.take(svc, instance, now).await?;
    }
    let Some(count) = counted.reserve(svc, instance, now).await? else {
        if let Some(budget) = &wrong_codes {
            budget.give_back(svc, instance).await?;
        }
        return Err(counted.locked(svc, instance, now).await);
    };
    let banned = found.as_ref().is_some_and(|f| f.user.banned);
    let before = sign_in.clone();
    let checked = match input.strategy {
        FirstFactor::Password => {
            let password = input.password.unwrap_or_default();
            // An unknown identifier (or a user without a password) is checked against the
            // dummy hash, so the time taken tells nothing.
            let stored = found
                .as_ref()
                .and_then(|f| f.password_hash.clone())
                .unwrap_or_else(|| svc.dummy_hash.clone());
            let matched = svc.hasher.verify(password, stored).await?;
            sign_in.password_checked(matched, now)
        }
        strategy => {
            let code = input.code.unwrap_or_default();
            sign_in.attempt_first_factor_code(strategy, &code, now, &instance.settings.verification)
        }
    };
    // Only a code compared and found wrong keeps its place in the budget.
    if let Some(budget) = &wrong_codes
        && (checked.is_ok() || sign_in == before)
    {
        budget.give_back(svc, instance).await?;
    }
    match checked {
        Ok(()) if banned => Err(Error::Forbidden("this account is banned")),
        Ok(()) => {
            if let Some(found) = &found {
                // Whether a second factor is due is the user's state now, not at createSignIn.
                if let Some(subject) = sign_in.subject.as_mut() {
                    subject.second_factor_enabled = found.user.totp_enabled;
                }
                if !sign_in.ready(now) {
                    store::users::release_attempt(&svc.db, &instance.id, &found.user.id).await?;
                }
            }
            save(svc, instance, &mut sign_in).await?;
            complete_if_ready(svc, instance, with_sign_in(client, sign_in), now).await
        }
        Err(err) => {
            // A counted wrong code changed the verification: keep that.
            if sign_in != before {
                save(svc, instance, &mut sign_in).await?;
            }
            if matches!(
                err,
                Error::InvalidCredentials | Error::CodeIncorrect | Error::TooManyAttempts
            ) {
                counted
                    .failed(svc, instance, count, now)
                    .await?
                    .check(now)?;
            }
            Err(err)
        }
    }
}

/// `attemptSecondFactor`: a TOTP code or a backup code, after the first factor. The attempt is
/// counted against the user's lockout before the code is checked, like a first factor's.
pub async fn attempt_second_factor(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    factor: SecondFactor,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Client> {
    let mut sign_in = current(client)?;
    sign_in.ensure_second_factor_due(now)?;
    if code.is_empty() || code.chars().count() > 32 {
        return Err(Error::validation("code", "is not a second-factor code"));
    }
    let user_id = sign_in
        .subject
        .as_ref()
        .and_then(|s| s.user_id.clone())
        .ok_or_else(|| Error::internal("a second factor is due for no user"))?;
    let found = store::users::sign_in_user(&svc.db, &instance.id, &user_id)
        .await?
        .ok_or(Error::InvalidCredentials)?;
    found.lockout.check(now)?;
    // Besides the lockout, the user's wrong second-factor codes have a budget that refills
    // slowly, so a TOTP code is not guessed in days however patiently it is tried.
    let wrong_codes = Budgeted::second_factor_codes(svc, instance, &user_id);
    wrong_codes.take(svc, instance, now).await?;
    let counted = Counted::User(user_id.clone());
    let Some(count) = counted.reserve(svc, instance, now).await? else {
        wrong_codes.give_back(svc, instance).await?;
        return Err(counted.locked(svc, instance, now).await);
    };
    if super::second_factors::check(svc, &instance.id, &user_id, factor, code, now).await? {
        wrong_codes.give_back(svc, instance).await?;
        if found.user.banned {
            return Err(Error::Forbidden("this account is banned"));
        }
        sign_in.second_factor_passed(factor, now)?;
        save(svc, instance, &mut sign_in).await?;
        return complete_if_ready(svc, instance, with_sign_in(client, sign_in), now).await;
    }
    counted
        .failed(svc, instance, count, now)
        .await?
        .check(now)?;
    Err(Error::CodeIncorrect)
}

/// Sets a new password after a reset code, optionally ending every other session of the user.
pub async fn reset_password(
    svc: &Services,
    instance: &Instance,
    client: &Client,
    password: String,
    sign_out_of_other_sessions: bool,
    now: DateTime<Utc>,
) -> Result<Client> {
    let mut sign_in = current(client)?;
    sign_in.ensure_new_password_due(now)?;
    let user_id = sign_in
        .subject
        .as_ref()
        .and_then(|s| s.user_id.clone())
        .ok_or_else(|| Error::internal("a reset passed for a made-up subject"))?;
    let found = store::users::sign_in_user(&svc.db, &instance.id, &user_id)
        .await?
        .ok_or(Error::NotFound("user"))?;
    // The reset code proved who this is: a lock or a ban is told now, before anything changes.
    found.lockout.check(now)?;
    if found.user.banned {
        return Err(Error::Forbidden("this account is banned"));
    }
    let email = found
        .user
        .primary_email_address()
        .map(|e| e.email_address.clone());
    password::check(
        &password,
        &instance.settings.password,
        OwnIdentifiers {
            email_address: email.as_deref(),
            username: found.user.username.as_deref(),
        },
    )?;
    let hash = svc.hasher.hash(password).await?;
    sign_in.new_password_was_set(now)?;
    let txn = svc.db.begin().await?;
    store::users::set_password(&txn, &instance.id, &user_id, &hash, now).await?;
    let mut events = Vec::new();
    if sign_out_of_other_sessions {
        let ended = store::sessions::close_all_for_user(
            &txn,
            &instance.id,
            &user_id,
            crate::model::session::SessionStatus::Ended,
            None,
            now,
        )
        .await?;
        events.extend(store::events::about_sessions(&ended));
    }
    if !store::sign_ins::update(&txn, &instance.id, &sign_in).await? {
        return Err(Error::stale());
    }
    events.extend(
        store::events::about_user(&txn, &instance.id, &user_id, EventType::UserUpdated, now)
            .await?,
    );
    store::events::append(&txn, &instance.id, &events, now).await?;
    txn.commit().await?;
    svc.events.committed(&instance.id);
    sign_in.version += 1;
    let mut next = with_sign_in(client, sign_in);
    if sign_out_of_other_sessions {
        svc.sessions_changed(&instance.id, &user_id);
        next.sessions = store::sessions::for_client(&svc.db, &instance.id, &client.id).await?;
    }
    complete_if_ready(svc, instance, next, now).await
}

/// Completes the sign-in when its factors are done: an active session on the client, the
/// sign-in marked complete, the user's failure count reset and `lastSignInAt` moved, in one
/// transaction.
async fn complete_if_ready(
    svc: &Services,
    instance: &Instance,
    client: Client,
    now: DateTime<Utc>,
) -> Result<Client> {
    let Some(mut sign_in) = client.sign_in.clone() else {
        return Ok(client);
    };
    if !sign_in.ready(now) {
        return Ok(client);
    }
    let user_id = sign_in
        .subject
        .as_ref()
        .and_then(|s| s.user_id.clone())
        .ok_or_else(|| Error::internal("a ready sign-in without a user"))?;
    let session = Session::start(
        new_id(IdKind::Session),
        instance.id.clone(),
        client.id.clone(),
        user_id.clone(),
        &instance.settings.sessions,
        now,
    );
    // The first factor was verified (the session starts with it), and the second when one was.
    let session = match sign_in.second_factor_passed {
        Some(_) => session.with_second_factor(now),
        None => session,
    };
    sign_in.complete(session.id.clone(), now)?;
    let session_id = session.id.clone();
    let txn = svc.db.begin().await?;
    let mut completed = client.clone();
    let events = super::sessions::add(&txn, instance, &mut completed, session, now).await?;
    if !store::sign_ins::update(&txn, &instance.id, &sign_in).await? {
        return Err(Error::stale());
    }
    if !store::users::record_sign_in(&txn, &instance.id, &user_id, now).await? {
        // Banned or locked while the factor was checked: no session.
        txn.rollback().await?;
        let latest = store::users::sign_in_user(&svc.db, &instance.id, &user_id).await?;
        if let Some(latest) = latest {
            latest.lockout.check(now)?;
        }
        return Err(Error::Forbidden("this account cannot sign in now"));
    }
    store::events::append(&txn, &instance.id, &events, now).await?;
    txn.commit().await?;
    svc.events.committed(&instance.id);
    tracing::info!(user_id = %user_id, session_id = %session_id, "sign-in complete");
    sign_in.version += 1;
    completed.sign_in = Some(sign_in);
    Ok(completed)
}
