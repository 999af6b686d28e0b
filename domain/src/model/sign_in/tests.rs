use chrono::{DateTime, Utc};

use super::*;
use crate::ErrorCode;

fn t(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
}

fn settings() -> VerificationSettings {
    VerificationSettings::default()
}

fn known(second_factor: bool) -> Subject {
    Subject {
        user_id: Some("user_1".into()),
        password_enabled: true,
        code_targets: vec![CodeTarget {
            email_address_id: "idn_1".into(),
            safe_identifier: "j***@example.com".into(),
            address: Some("jane@example.com".into()),
        }],
        second_factor_enabled: second_factor,
    }
}

fn identified(subject: Subject) -> SignIn {
    let mut sign_in = SignIn::new("sia_1".into(), "client_1".into(), t(0));
    sign_in
        .identify("jane@example.com".into(), subject, t(0))
        .unwrap();
    sign_in
}

fn code(result: Result<()>) -> ErrorCode {
    result.unwrap_err().code()
}

#[test]
fn a_password_completes_a_sign_in_without_a_second_factor() {
    let mut sign_in = SignIn::new("sia_1".into(), "client_1".into(), t(0));
    assert_eq!(sign_in.status_at(t(0)), SignInStatus::NeedsIdentifier);
    sign_in
        .identify("jane@example.com".into(), known(false), t(1))
        .unwrap();
    assert_eq!(sign_in.status_at(t(1)), SignInStatus::NeedsFirstFactor);
    let factors: Vec<_> = sign_in
        .supported_first_factors()
        .into_iter()
        .map(|(f, t)| (f, t.map(|t| t.safe_identifier.clone())))
        .collect();
    assert_eq!(
        factors,
        [
            (FirstFactor::Password, None),
            (FirstFactor::EmailCode, Some("j***@example.com".into())),
            (
                FirstFactor::ResetPasswordEmailCode,
                Some("j***@example.com".into())
            ),
        ]
    );
    assert_eq!(
        code(sign_in.password_checked(false, t(2))),
        ErrorCode::InvalidCredentials
    );
    assert_eq!(
        sign_in.status_at(t(2)),
        SignInStatus::NeedsFirstFactor,
        "still usable"
    );
    sign_in.password_checked(true, t(3)).unwrap();
    assert!(sign_in.ready(t(3)));
    sign_in.complete("sess_1".into(), t(3)).unwrap();
    assert_eq!(sign_in.status_at(t(4)), SignInStatus::Complete);
    assert_eq!(
        code(sign_in.password_checked(true, t(5))),
        ErrorCode::ValidationFailed
    );
}

#[test]
fn a_second_factor_is_due_after_the_first_and_not_before() {
    let mut sign_in = identified(known(true));
    // Not shown before the first factor: it would tell who has a second factor.
    assert_eq!(sign_in.supported_second_factors(), []);
    assert_eq!(
        code(sign_in.second_factor_passed(SecondFactor::Totp, t(1))),
        ErrorCode::ValidationFailed,
        "a second factor before the first"
    );
    sign_in.password_checked(true, t(2)).unwrap();
    assert_eq!(
        sign_in.supported_second_factors(),
        [SecondFactor::Totp, SecondFactor::BackupCode]
    );
    assert_eq!(sign_in.status_at(t(2)), SignInStatus::NeedsSecondFactor);
    assert!(!sign_in.ready(t(2)));
    assert!(sign_in.complete("sess_1".into(), t(2)).is_err());
    sign_in.ensure_second_factor_due(t(3)).unwrap();
    sign_in
        .second_factor_passed(SecondFactor::BackupCode, t(3))
        .unwrap();
    assert!(sign_in.ready(t(3)));
}

#[test]
fn an_email_code_is_a_first_factor_with_counted_attempts() {
    let mut sign_in = identified(known(false));
    assert_eq!(
        sign_in
            .prepare_first_factor(
                FirstFactor::EmailCode,
                "idn_other",
                "123456",
                t(1),
                &settings()
            )
            .unwrap_err()
            .code(),
        ErrorCode::ValidationFailed,
        "an address that is not the user's"
    );
    let to = sign_in
        .prepare_first_factor(FirstFactor::EmailCode, "idn_1", "123456", t(1), &settings())
        .unwrap();
    assert_eq!(to.as_deref(), Some("jane@example.com"));
    assert_eq!(
        code(sign_in.attempt_first_factor_code(
            FirstFactor::ResetPasswordEmailCode,
            "123456",
            t(2),
            &settings()
        )),
        ErrorCode::ValidationFailed,
        "a code for a strategy that was not prepared"
    );
    assert_eq!(
        code(sign_in.attempt_first_factor_code(
            FirstFactor::EmailCode,
            "000000",
            t(2),
            &settings()
        )),
        ErrorCode::CodeIncorrect
    );
    sign_in
        .attempt_first_factor_code(FirstFactor::EmailCode, "123456", t(3), &settings())
        .unwrap();
    assert!(sign_in.ready(t(3)));
}

#[test]
fn a_reset_code_leads_to_a_new_password_then_the_second_factor() {
    let mut sign_in = identified(known(true));
    assert_eq!(
        code(sign_in.ensure_new_password_due(t(1))),
        ErrorCode::ValidationFailed,
        "a reset without a code"
    );
    sign_in
        .prepare_first_factor(
            FirstFactor::ResetPasswordEmailCode,
            "idn_1",
            "654321",
            t(1),
            &settings(),
        )
        .unwrap();
    sign_in
        .attempt_first_factor_code(
            FirstFactor::ResetPasswordEmailCode,
            "654321",
            t(2),
            &settings(),
        )
        .unwrap();
    assert_eq!(sign_in.status_at(t(2)), SignInStatus::NeedsNewPassword);
    sign_in.ensure_new_password_due(t(3)).unwrap();
    sign_in.new_password_was_set(t(3)).unwrap();
    assert_eq!(sign_in.status_at(t(3)), SignInStatus::NeedsSecondFactor);
}

#[test]
fn codes_cannot_be_resent_too_soon_even_to_another_strategy() {
    let mut sign_in = identified(known(false));
    sign_in
        .prepare_first_factor(FirstFactor::EmailCode, "idn_1", "123456", t(0), &settings())
        .unwrap();
    let again = sign_in.prepare_first_factor(
        FirstFactor::ResetPasswordEmailCode,
        "idn_1",
        "654321",
        t(10),
        &settings(),
    );
    assert!(matches!(again, Err(Error::RateLimited { retry_after: 20 })));
}

#[test]
fn an_unknown_identifier_looks_like_a_known_one_and_never_passes() {
    let subject = Subject::unknown("Nobody@Example.com", "ins_1");
    let again = Subject::unknown("nobody@example.com", "ins_1");
    assert_eq!(
        subject.code_targets[0].email_address_id, again.code_targets[0].email_address_id,
        "the same made-up id each time, whatever the case"
    );
    assert_ne!(
        subject.code_targets[0].email_address_id,
        Subject::unknown("nobody@example.com", "ins_2").code_targets[0].email_address_id
    );
    let mut sign_in = identified(subject);
    let factors: Vec<_> = sign_in
        .supported_first_factors()
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    assert_eq!(
        factors,
        [
            FirstFactor::Password,
            FirstFactor::EmailCode,
            FirstFactor::ResetPasswordEmailCode
        ]
    );
    assert_eq!(
        code(sign_in.password_checked(true, t(1))),
        ErrorCode::InvalidCredentials,
        "even a matching dummy hash"
    );
    let id = sign_in.supported_first_factors()[1]
        .1
        .unwrap()
        .email_address_id
        .clone();
    let to = sign_in
        .prepare_first_factor(FirstFactor::EmailCode, &id, "123456", t(2), &settings())
        .unwrap();
    assert_eq!(to, None, "nothing is sent");
    assert_eq!(
        code(sign_in.attempt_first_factor_code(
            FirstFactor::EmailCode,
            "123456",
            t(3),
            &settings()
        )),
        ErrorCode::CodeIncorrect
    );
    assert!(!sign_in.ready(t(3)));
    let username = Subject::unknown("jane_doe", "ins_1");
    assert!(username.code_targets.is_empty());
}

#[test]
fn an_idle_sign_in_is_abandoned_after_a_day() {
    let sign_in = identified(known(false));
    assert_eq!(
        sign_in.status_at(t(24 * 3600 - 1)),
        SignInStatus::NeedsFirstFactor
    );
    assert_eq!(sign_in.status_at(t(24 * 3600)), SignInStatus::Abandoned);
    let mut late = sign_in.clone();
    assert_eq!(
        code(late.password_checked(true, t(24 * 3600))),
        ErrorCode::ValidationFailed
    );
}
