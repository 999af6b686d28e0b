//! The signed-in user's own account (session-token scope): `updateMe`, email addresses (add,
//! verify with a mailed code, make primary, delete), `updatePassword` and `deleteMe`.

use sea_orm::TransactionTrait;
use serde_json::Value;

use crate::flows::attempts::{Budgeted, Counted};
use crate::ids::{IdKind, new_id};
use crate::model::caller::Caller;
use crate::model::identifiers;
use crate::model::instance::{Environment, Instance};
use crate::model::password::{self, OwnIdentifiers};
use crate::model::reverification::Sensitive;
use crate::model::session::SessionStatus;
use crate::model::user::{User, UserEmailAddress};
use crate::model::verification::{TEST_CODE, VerificationStatus, new_code};
use crate::platform::Platform;
use crate::store;
use crate::store::email_addresses::StoredAddress;
use crate::store::user_changes::UserChanges;
use crate::users::UserUpdate;
use crate::{Error, Result};

/// The most email addresses one user holds.
const MAX_ADDRESSES: u64 = 20;
/// The longest code accepted (anything longer is not a code).
const MAX_CODE_CHARS: usize = 16;

/// What `updateMe` may change: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Clone, Debug, Default)]
pub struct MeUpdate {
    pub username: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    /// A profile image URL (https), or `Some(None)` for none.
    pub image_url: Option<Option<String>>,
    /// Replaces the unsafe metadata.
    pub unsafe_metadata: Option<Value>,
}

fn address_of(stored: &StoredAddress) -> UserEmailAddress {
    UserEmailAddress {
        id: stored.id.clone(),
        email_address: stored.email_address.clone(),
        verified: stored.verified,
    }
}

impl Platform {
    /// `updateMe`: the user's own names, username and unsafe metadata.
    pub async fn update_me(&self, caller: &Caller, update: MeUpdate) -> Result<User> {
        let (instance, user_id) = caller.require_user()?;
        let update = UserUpdate {
            username: update.username,
            first_name: update.first_name,
            last_name: update.last_name,
            image_url: update.image_url,
            unsafe_metadata: update.unsafe_metadata,
            ..UserUpdate::default()
        };
        self.apply_user_update(instance, user_id, update).await
    }

    /// Writes a change of the user's addresses' state: the search text follows, and
    /// `user.updated`, in the transaction `txn` opened.
    async fn address_changed(
        &self,
        txn: sea_orm::DatabaseTransaction,
        instance: &Instance,
        user_id: &str,
    ) -> Result<()> {
        let now = self.now();
        store::user_changes::reindex(&txn, &instance.id, user_id).await?;
        store::user_changes::touch(&txn, &instance.id, user_id, now).await?;
        store::events::append_user_updated(&txn, &instance.id, user_id, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        Ok(())
    }

    async fn own_address(
        &self,
        instance: &Instance,
        user_id: &str,
        id: &str,
    ) -> Result<StoredAddress> {
        store::email_addresses::get(&self.db, &instance.id, user_id, id)
            .await?
            .ok_or(Error::NotFound("email address"))
    }

    /// `createEmailAddress`: a new, unverified address of the user (it reserves nothing until
    /// verified; an address another user verified is `IDENTIFIER_EXISTS`).
    pub async fn create_email_address(
        &self,
        caller: &Caller,
        address: &str,
    ) -> Result<UserEmailAddress> {
        let (instance, user_id) = caller.require_user()?;
        self.require_reverified(caller, Sensitive::CreateEmailAddress)
            .await?;
        let email = identifiers::email_address(address)?;
        if store::email_addresses::count(&self.db, &instance.id, user_id).await? >= MAX_ADDRESSES {
            return Err(Error::validation(
                "emailAddress",
                format!("a user holds at most {MAX_ADDRESSES} email addresses"),
            ));
        }
        if store::users::email_taken(&self.db, &instance.id, &email.normalized).await? {
            return Err(Error::IdentifierExists {
                field: "emailAddress".to_owned(),
            });
        }
        let id = new_id(IdKind::EmailAddress);
        let txn = self.db.begin().await?;
        store::email_addresses::add(&txn, &instance.id, user_id, &id, &email.address, self.now())
            .await?;
        self.address_changed(txn, instance, user_id).await?;
        Ok(UserEmailAddress {
            id,
            email_address: email.address,
            verified: false,
        })
    }

    /// `prepareEmailAddressVerification`: mails a code to one of the user's unverified addresses
    /// (a development test address takes the fixed code and is sent nothing).
    pub async fn prepare_email_address_verification(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<UserEmailAddress> {
        let (instance, user_id) = caller.require_user()?;
        let now = self.now();
        let address = self.own_address(instance, user_id, id).await?;
        if address.verified {
            return Err(Error::validation("emailAddressId", "is verified already"));
        }
        let email = identifiers::email_address(&address.email_address)?;
        // Another user verified it since it was added here: no code goes to its owner.
        if store::users::email_taken(&self.db, &instance.id, &email.normalized).await? {
            return Err(Error::IdentifierExists {
                field: "emailAddress".to_owned(),
            });
        }
        let test = instance.environment == Environment::Development && email.is_test_address();
        let code = if test {
            TEST_CODE.to_owned()
        } else {
            new_code()
        };
        let mut next = address.verification.clone();
        next.prepare(&code, now, &instance.settings.verification)?;
        if !test {
            // Codes mailed count against the address, whoever adds it and however often:
            // adding it again and again cannot flood its owner's inbox.
            Budgeted::codes_mailed(&self.services, instance, &email.address)
                .take(&self.services, instance, now)
                .await?;
        }
        let txn = self.db.begin().await?;
        if !store::email_addresses::save_verification(&txn, &instance.id, &address, &next).await? {
            return Err(Error::validation(
                "emailAddressId",
                "the verification changed meanwhile: try again",
            ));
        }
        if !test {
            crate::flows::enqueue_code(&txn, &self.services, instance, &email.address, &code, now)
                .await?;
        }
        txn.commit().await?;
        if !test {
            self.services.mail_committed();
        }
        Ok(address_of(&address))
    }

    /// `attemptEmailAddressVerification`: checks a code; a wrong one is counted (and kept) before
    /// the error, the right one verifies the address.
    pub async fn attempt_email_address_verification(
        &self,
        caller: &Caller,
        id: &str,
        code: &str,
    ) -> Result<UserEmailAddress> {
        let (instance, user_id) = caller.require_user()?;
        if code.chars().count() > MAX_CODE_CHARS {
            return Err(Error::validation("code", "is not a verification code"));
        }
        let address = self.own_address(instance, user_id, id).await?;
        if address.verified {
            return Err(Error::validation("emailAddressId", "is verified already"));
        }
        // Wrong codes count against the address itself, whoever adds it and however often,
        // in the budget sign-ups and sign-ins to it share: deleting and adding it again, or
        // signing up with it instead, gives no new guesses.
        let now = self.now();
        address.verification.ensure_checkable(now)?;
        let wrong_codes = Budgeted::wrong_codes(&self.services, instance, &address.email_address);
        wrong_codes.take(&self.services, instance, now).await?;
        let mut next = address.verification.clone();
        let checked = next.attempt(code, now, &instance.settings.verification);
        if checked.is_ok() {
            wrong_codes.give_back(&self.services, instance).await?;
        }
        if next != address.verification {
            let txn = self.db.begin().await?;
            if !store::email_addresses::save_verification(&txn, &instance.id, &address, &next)
                .await?
            {
                return Err(Error::validation(
                    "emailAddressId",
                    "the verification changed meanwhile: try again",
                ));
            }
            if next.status == VerificationStatus::Verified {
                self.address_changed(txn, instance, user_id).await?;
            } else {
                txn.commit().await?;
            }
        }
        checked?;
        Ok(UserEmailAddress {
            verified: true,
            ..address_of(&address)
        })
    }

    /// `setPrimaryEmailAddress`: one of the user's verified addresses becomes primary.
    pub async fn set_primary_email_address(&self, caller: &Caller, id: &str) -> Result<User> {
        let (instance, user_id) = caller.require_user()?;
        self.require_reverified(caller, Sensitive::SetPrimaryEmailAddress)
            .await?;
        let address = self.own_address(instance, user_id, id).await?;
        if !address.verified {
            return Err(Error::validation(
                "emailAddressId",
                "verify the address before making it primary",
            ));
        }
        let update = UserUpdate {
            primary_email_address_id: Some(address.id),
            ..UserUpdate::default()
        };
        self.apply_user_update(instance, user_id, update).await
    }

    /// `deleteEmailAddress`: removes one of the user's addresses, never the primary one.
    pub async fn delete_email_address(&self, caller: &Caller, id: &str) -> Result<()> {
        let (instance, user_id) = caller.require_user()?;
        self.require_reverified(caller, Sensitive::DeleteEmailAddress)
            .await?;
        let txn = self.db.begin().await?;
        if !store::user_changes::lock(&txn, &instance.id, user_id, self.now()).await? {
            return Err(Error::NotFound("user"));
        }
        let user = store::users::find(&txn, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        if user.primary_email_address_id.as_deref() == Some(id) {
            return Err(Error::validation(
                "emailAddressId",
                "is the primary address: make another one primary first",
            ));
        }
        if !store::email_addresses::delete(&txn, &instance.id, user_id, id).await? {
            return Err(Error::NotFound("email address"));
        }
        self.address_changed(txn, instance, user_id).await
    }

    /// `updatePassword`: the current password (when the user has one) proves it is them; a wrong
    /// one counts against the lockout like a sign-in. A user with no password yet proves it with
    /// a recent verification of the session instead (`REVERIFICATION_REQUIRED`). With `sign_out_of_other_sessions`, every
    /// other session of the user ends.
    pub async fn update_password(
        &self,
        caller: &Caller,
        current: Option<String>,
        new: String,
        sign_out_of_other_sessions: bool,
    ) -> Result<User> {
        let Caller::User {
            instance,
            user_id,
            session_id,
        } = caller
        else {
            caller.require_user()?;
            return Err(Error::Forbidden("a session token is required"));
        };
        let now = self.now();
        let policy = &instance.settings.password;
        password::check_max_length(&new, policy)?;
        let found = store::users::sign_in_user(&self.db, &instance.id, user_id)
            .await?
            .ok_or(Error::NotFound("user"))?;
        if let Some(stored) = found.password_hash {
            let Some(current) = current else {
                return Err(Error::validation(
                    "currentPassword",
                    "is required to change a password",
                ));
            };
            password::check_max_length(&current, policy)?;
            let counted = Counted::User(user_id.clone());
            let Some(count) = counted.reserve(&self.services, instance, now).await? else {
                return Err(counted.locked(&self.services, instance, now).await);
            };
            let matched = self.services.hasher.verify(current, stored).await;
            if !matches!(matched, Ok(true)) {
                if matched.is_ok() {
                    counted.failed(&self.services, instance, count, now).await?;
                    return Err(Error::InvalidCredentials);
                }
                store::users::release_attempt(&self.db, &instance.id, user_id).await?;
                return matched.and(Err(Error::InvalidCredentials));
            }
            store::users::release_attempt(&self.db, &instance.id, user_id).await?;
        } else {
            self.require_reverified(caller, Sensitive::SetFirstPassword)
                .await?;
        }
        let own = OwnIdentifiers {
            email_address: found
                .user
                .primary_email_address()
                .map(|e| e.email_address.as_str()),
            username: found.user.username.as_deref(),
        };
        password::check(&new, policy, own)?;
        let changes = UserChanges {
            password_hash: Some(self.services.hasher.hash(new).await?),
            ..UserChanges::default()
        };
        let txn = self.db.begin().await?;
        if !store::user_changes::update(&txn, &instance.id, user_id, &changes, now).await? {
            return Err(Error::NotFound("user"));
        }
        let mut events = Vec::new();
        if sign_out_of_other_sessions {
            let ended = store::sessions::close_all_for_user(
                &txn,
                &instance.id,
                user_id,
                SessionStatus::Ended,
                Some(session_id),
                now,
            )
            .await?;
            events.extend(store::events::about_sessions(&ended));
        }
        events.extend(
            store::events::about_user(
                &txn,
                &instance.id,
                user_id,
                crate::model::event::EventType::UserUpdated,
                now,
            )
            .await?,
        );
        store::events::append(&txn, &instance.id, &events, now).await?;
        txn.commit().await?;
        self.services.events.committed(&instance.id);
        if sign_out_of_other_sessions {
            self.services.sessions_changed(&instance.id, user_id);
        }
        self.signed_in_user(caller).await
    }

    /// `deleteMe`: the user deletes their own account, when the instance allows it
    /// (`users.deleteSelfEnabled`) and the session is recently verified; its sessions are
    /// revoked, as with `deleteUser`.
    pub async fn delete_me(&self, caller: &Caller) -> Result<String> {
        let (instance, user_id) = caller.require_user()?;
        if !instance.settings.users.delete_self_enabled {
            return Err(Error::Forbidden(
                "this instance does not let users delete their own account",
            ));
        }
        self.require_reverified(caller, Sensitive::DeleteMe).await?;
        self.remove_user(instance, user_id).await?;
        Ok(user_id.to_owned())
    }
}
