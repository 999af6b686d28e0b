use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::*;
use crate::ErrorCode;
use crate::model::settings::VerificationSettings;

fn t(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
}

fn names(fields: Vec<SignUpField>) -> Vec<&'static str> {
    fields.into_iter().map(SignUpField::as_str).collect()
}

fn input(email: Option<&str>, password: Option<&str>) -> SignUpInput {
    SignUpInput {
        email_address: email.map(str::to_owned),
        password: password.map(str::to_owned),
        ..SignUpInput::default()
    }
}

#[test]
fn the_default_instance_requires_a_verified_email_and_a_password() {
    let settings = InstanceSettings::new();
    assert_eq!(
        names(SignUp::required_fields(&settings.sign_up)),
        ["email_address", "password"]
    );
    assert_eq!(
        names(SignUp::optional_fields(&settings.sign_up)),
        ["first_name", "last_name"]
    );
    let mut sign_up = SignUp::new("sua_1".into(), "client_1".into(), t(0));
    assert_eq!(
        names(sign_up.missing_fields(&settings.sign_up)),
        ["email_address", "password"]
    );

    let checked = check_input(
        input(Some("Jane@Example.com"), Some("correct horse")),
        &settings,
    )
    .unwrap();
    sign_up.apply(checked, Some("$argon2id$hash".into()), t(1));
    assert!(sign_up.missing_fields(&settings.sign_up).is_empty());
    assert_eq!(names(sign_up.unverified_fields()), ["email_address"]);
    assert!(!sign_up.ready(&settings.sign_up, t(2)));

    sign_up
        .email_verification
        .prepare("123456", t(2), &VerificationSettings::default())
        .unwrap();
    sign_up
        .email_verification
        .attempt("123456", t(3), &VerificationSettings::default())
        .unwrap();
    assert!(sign_up.unverified_fields().is_empty());
    assert!(sign_up.ready(&settings.sign_up, t(3)));
    sign_up.complete("user_1".into(), "sess_1".into(), t(4));
    assert_eq!(sign_up.status_at(t(5)), SignUpStatus::Complete);
    assert_eq!(
        sign_up.password_hash, None,
        "the hash moves to the user; the sign-up forgets it"
    );
    assert_eq!(
        sign_up.ensure_open(t(5)).unwrap_err().code(),
        ErrorCode::ValidationFailed
    );
}

#[test]
fn a_new_email_address_resets_its_verification() {
    let settings = InstanceSettings::new();
    let mut sign_up = SignUp::new("sua_1".into(), "client_1".into(), t(0));
    sign_up.apply(
        check_input(input(Some("a@example.com"), None), &settings).unwrap(),
        None,
        t(0),
    );
    sign_up
        .email_verification
        .prepare("123456", t(0), &VerificationSettings::default())
        .unwrap();
    sign_up
        .email_verification
        .attempt("123456", t(1), &VerificationSettings::default())
        .unwrap();
    // The same address, differently cased, keeps it.
    sign_up.apply(
        check_input(input(Some("A@Example.com"), None), &settings).unwrap(),
        None,
        t(2),
    );
    assert!(sign_up.unverified_fields().is_empty());
    sign_up.apply(
        check_input(input(Some("b@example.com"), None), &settings).unwrap(),
        None,
        t(3),
    );
    assert_eq!(names(sign_up.unverified_fields()), ["email_address"]);
    // The resend interval still counts from the code sent to the first address.
    assert!(matches!(
        sign_up
            .email_verification
            .prepare("654321", t(10), &VerificationSettings::default()),
        Err(crate::Error::RateLimited { retry_after: 20 })
    ));
    sign_up
        .email_verification
        .prepare("654321", t(30), &VerificationSettings::default())
        .unwrap();
}

#[test]
fn an_idle_sign_up_is_abandoned_after_a_day() {
    let sign_up = SignUp::new("sua_1".into(), "client_1".into(), t(0));
    assert_eq!(
        sign_up.status_at(t(0) + Duration::hours(23)),
        SignUpStatus::MissingRequirements
    );
    assert_eq!(
        sign_up.status_at(t(0) + Duration::hours(24)),
        SignUpStatus::Abandoned
    );
    assert!(sign_up.ensure_open(t(0) + Duration::hours(25)).is_err());
}

#[test]
fn input_is_checked_against_the_instance_settings() {
    let settings = InstanceSettings::new();
    let field = |result: Result<CheckedInput>| match result {
        Err(Error::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    };
    let username = SignUpInput {
        username: Some("jane".into()),
        ..SignUpInput::default()
    };
    assert_eq!(
        field(check_input(username, &settings)),
        "username",
        "usernames are off by default"
    );
    assert_eq!(
        field(check_input(input(Some("not an email"), None), &settings)),
        "emailAddress"
    );
    let long_name = SignUpInput {
        first_name: Some("x".repeat(300)),
        ..SignUpInput::default()
    };
    assert_eq!(field(check_input(long_name, &settings)), "firstName");
    let huge = SignUpInput {
        unsafe_metadata: Some(json!({"x": "y".repeat(9000)})),
        ..SignUpInput::default()
    };
    assert_eq!(field(check_input(huge, &settings)), "unsafeMetadata");
    let not_object = SignUpInput {
        unsafe_metadata: Some(json!([1])),
        ..SignUpInput::default()
    };
    assert_eq!(field(check_input(not_object, &settings)), "unsafeMetadata");
    assert_eq!(
        field(check_input(
            input(None, Some(&"p".repeat(10_000))),
            &settings
        )),
        "password"
    );
}

#[test]
fn password_checks_see_the_identifiers_being_set() {
    let settings = InstanceSettings::new();
    let sign_up = SignUp::new("sua_1".into(), "client_1".into(), t(0));
    let checked = check_input(
        input(Some("jane@example.com"), Some("jane@example.com")),
        &settings,
    )
    .unwrap();
    assert_eq!(
        sign_up.own_identifiers_after(&checked),
        (Some("jane@example.com"), None)
    );
}
