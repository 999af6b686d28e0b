use proptest::prelude::*;
use serde_json::json;

use super::*;

fn context() -> Value {
    json!({
        "user": {
            "id": "user_1", "first_name": "Ada", "last_name": null,
            "email_verified": true, "two_factor_enabled": false,
            "public_metadata": {"plan": {"tier": "pro"}, "seats": 5, "tags": ["a", "b"]},
        },
        "session": {"id": "sess_1"},
        "org": null,
        "org_membership": {"role": "admin", "permissions": ["org:read", "org:write"]},
    })
}

fn render(claims: Value, context: &Value) -> Value {
    Value::Object(Template::parse(&claims).unwrap().render(context))
}

fn parse_error(claims: Value) -> String {
    match Template::parse(&claims) {
        Err(Error::Validation { field, message }) if field == "claims" => message,
        other => panic!("expected a validation error on `claims`, got {other:?}"),
    }
}

fn error_of(s: &str) -> String {
    parse_error(json!({ "x": s }))
}

/// Renders each string as the claim `v` against the sample context.
fn check(cases: &[(&str, Value)]) {
    for (template, want) in cases {
        let got = render(json!({ "x": template }), &context())["x"].clone();
        assert_eq!(&got, want, "{template}");
    }
}

#[test]
fn a_whole_shortcode_keeps_the_type() {
    #[rustfmt::skip]
    let cases = [
        ("{{ user.public_metadata.plan }}", json!({"tier": "pro"})),
        ("{{ org_membership.permissions }}", json!(["org:read", "org:write"])),
        ("{{ user.email_verified }}", json!(true)),
        ("{{user.public_metadata.seats}}", json!(5)),
        ("{{ user.id }}", json!("user_1")),
        ("{{ user.last_name }}", Value::Null),
        ("{{ session }}", json!({"id": "sess_1"})),
        ("{{ -1.5 }}", json!(-1.5)),
    ];
    check(&cases);
}

#[test]
fn a_shortcode_inside_text_is_interpolated() {
    #[rustfmt::skip]
    let cases = [
        ("Hi {{ user.first_name }}!", json!("Hi Ada!")),
        ("[{{ user.last_name }}]", json!("[]")),
        ("n={{ user.public_metadata.seats }}", json!("n=5")),
        ("v={{ user.email_verified }}", json!("v=true")),
        ("p={{ user.public_metadata.plan }}", json!(r#"p={"tier":"pro"}"#)),
        ("t={{ user.public_metadata.tags }}", json!(r#"t=["a","b"]"#)),
        ("{{ user.first_name }} {{ session.id }}", json!("Ada sess_1")),
        ("{{ user.id }}}}", json!("user_1}}")),
        (" {{ 2 }}", json!(" 2")),
    ];
    check(&cases);
}

#[test]
fn fallbacks_take_the_first_value_neither_null_nor_false() {
    #[rustfmt::skip]
    let cases = [
        ("{{ user.last_name || 'none' }}", json!("none")),
        (r#"{{ org.id || "none" }}"#, json!("none")),
        ("{{ user.nope || 0 }}", json!(0)),
        ("{{ user.nope || -2.5 }}", json!(-2.5)),
        ("{{ user.two_factor_enabled || true }}", json!(true)),
        ("{{ user.nope || false }}", json!(false)),
        ("{{ user.nope||null }}", Value::Null),
        ("{{ null || user.two_factor_enabled }}", json!(false)),
        ("{{ user.first_name || 'x' }}", json!("Ada")),
        ("{{ user.nope || user.last_name || user.id }}", json!("user_1")),
        ("{{ 0 || 'x' }}", json!(0)),
        ("{{ '' || 'x' }}", json!("")),
        ("plan: {{ user.nope || 'free' }}", json!("plan: free")),
    ];
    check(&cases);
}

#[test]
fn string_literals_take_escapes_and_hide_braces() {
    #[rustfmt::skip]
    let cases = [
        (r"{{ 'it\'s' }}", json!("it's")),
        (r#"{{ "a\"b\\c" }}"#, json!(r#"a"b\c"#)),
        (r"{{ 'a\nb' }}", json!(r"a\nb")),
        ("{{ 'x || y }}' }}", json!("x || y }}")),
        ("{{ 'é' }}", json!("é")),
        ("{{ '{{x}}' }}", json!("{{x}}")),
    ];
    check(&cases);
}

#[test]
fn missing_paths_are_null() {
    #[rustfmt::skip]
    let cases = [
        ("{{ org.name }}", Value::Null),
        ("{{ user.id.deeper }}", Value::Null),
        ("{{ user.public_metadata.tags.a }}", Value::Null),
        ("{{ user.public_metadata.plan.tier }}", json!("pro")),
    ];
    check(&cases);
    let claims = json!({"s": "{{ session.id }}", "t": "<{{ org.slug }}>"});
    for context in [json!({}), Value::Null, json!("text"), json!({"session": 3})] {
        let want = json!({"s": null, "t": "<>"});
        assert_eq!(render(claims.clone(), &context), want);
    }
}

#[test]
fn shortcodes_apply_at_any_depth_but_never_in_keys() {
    let claims = json!({
        "org": {"roles": ["{{ org_membership.role }}", "static", 3, {"{{ user.id }}": "{{ user.id }}"}]},
        "n": 1.5, "b": null, "plain": "no shortcodes }} here { {",
    });
    let want = json!({
        "org": {"roles": ["admin", "static", 3, {"{{ user.id }}": "user_1"}]},
        "n": 1.5, "b": null, "plain": "no shortcodes }} here { {",
    });
    assert_eq!(render(claims, &context()), want);
}

#[test]
fn reserved_and_non_object_claims_are_refused() {
    for claim in RESERVED_CLAIMS {
        assert_eq!(
            parse_error(json!({ *claim: "x" })),
            format!("claims.{claim}: `{claim}` is set by Latchkey and cannot be overridden")
        );
    }
    assert!(Template::parse(&json!({"a": {"sub": "x"}, "Sub": 1})).is_ok());
    for claims in [json!([]), json!("x"), Value::Null] {
        assert_eq!(parse_error(claims), "claims: must be a JSON object");
    }
}

#[test]
fn parse_errors_name_the_path_and_position() {
    #[rustfmt::skip]
    let cases = [
        ("ab{{ user.id", "unclosed '{{' at position 2"),
        ("{{ user.id }", "unclosed '{{' at position 0"),
        ("x {{ }}", "empty expression at position 2"),
        ("{{}}", "empty expression at position 0"),
        ("x{{ ? }}", "expected an operand, found '?' at position 4"),
        ("{{ é }}", "expected an operand, found 'é' at position 3"),
        ("{{ 'abc }}", "unterminated quote at position 3"),
        (r#"{{ "abc\" }}"#, "unterminated quote at position 3"),
        ("{{ user.id || }}", "`||` is missing an operand at position 11"),
        ("{{ || user.id }}", "`||` is missing an operand at position 3"),
        ("{{ user.id |||| 'x' }}", "`||` is missing an operand at position 13"),
        ("{{ account.id }}", "unknown root `account` at position 3"),
        ("{{ 'a' || true.x }}", "unknown root `true` at position 10"),
        ("{{ user.id x }}", "unexpected 'x' after an operand at position 11"),
        ("{{ user.id | 'x' }}", "unexpected '|' after an operand at position 11"),
        ("{{ 12abc }}", "unexpected 'a' after an operand at position 5"),
        ("{{ 1-2 }}", "unexpected '-' after an operand at position 4"),
        ("{{ user. }}", "expected a name after '.' at position 8"),
        ("{{ user.9 }}", "expected a name after '.' at position 8"),
        ("{{ 1. }}", "bad number at position 3"),
        ("{{ 1.5.3 }}", "bad number at position 3"),
        ("{{ - }}", "bad number at position 3"),
        ("{{ -.5 }}", "bad number at position 3"),
    ];
    for (template, message) in cases {
        let got = error_of(template).replace(ROOT_HINT, "");
        assert_eq!(got, format!("claims.x: {message}"), "{template}");
    }
    assert_eq!(
        parse_error(json!({"plan": {"tier": "{{ nope }}"}})),
        format!("claims.plan.tier: unknown root `nope`{ROOT_HINT} at position 3")
    );
    assert_eq!(
        parse_error(json!({"a": ["ok", "{{"]})),
        "claims.a[1]: unclosed '{{' at position 0"
    );
}

#[test]
fn limits_are_enforced() {
    let code = "{{ user.id }}";
    let ok = |claims: Value| Template::parse(&claims).is_ok();
    assert!(ok(json!({"a": code.repeat(60), "b": [code.repeat(40)]})));
    assert_eq!(
        parse_error(json!({"a": code.repeat(60), "b": [code.repeat(41)]})),
        "claims.b[0]: a template may hold at most 100 shortcodes at position 520"
    );

    let long = |spaces: usize| format!("{{{{{}user.id}}}}", " ".repeat(spaces));
    assert!(ok(json!({ "x": long(493) })));
    let message = "claims.x: expression longer than 500 bytes at position 0";
    assert_eq!(error_of(&long(494)), message);

    let deep = |segments: usize| format!("{{{{ user{} }}}}", ".a".repeat(segments - 1));
    assert!(ok(json!({ "x": deep(10) })));
    let message = "claims.x: a path may have at most 10 segments at position 3";
    assert_eq!(error_of(&deep(11)), message);

    let nest = |levels: usize, array: bool| {
        (1..levels).fold(json!({"leaf": "x"}), |inner, _| match array {
            true => json!({"a": [inner]}),
            false => json!({"a": inner}),
        })
    };
    assert!(ok(nest(10, false)) && ok(nest(5, true)));
    let message = format!("claims{}: nested deeper than 10 levels", ".a".repeat(10));
    assert_eq!(parse_error(nest(11, false)), message);
    let message = "claims.a[0].a[0].a[0].a[0].a[0]: nested deeper than 10 levels";
    assert_eq!(parse_error(nest(6, true)), message);
}

fn without_shortcodes() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z{}|' .]{0,12}"].prop_filter("no {{", |s| !s.contains("{{"))
}

/// JSON at most five levels deep whose strings hold no `{{`.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        without_shortcodes().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z{} ]{0,6}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn any_context() -> impl Strategy<Value = Value> {
    let root = prop::sample::select(vec!["user", "session", "org", "org_membership", "x"]);
    prop_oneof![
        json_value(),
        prop::collection::btree_map(root, json_value(), 0..5)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
    ]
}

fn template_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        r#"[{}|'"\\ .a-z_0-9-]{0,40}"#,
        r#"[a-z ]{0,3}\{\{ ?(user|org|session|org_membership|true|null|'a'|-1\.5)(\.[a-z_]{1,4}){0,3} ?(\|\| ?[a-z.'"0-9]{0,8} ?){0,3}\}\}[a-z{}]{0,3}"#,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn claims_without_shortcodes_render_to_themselves(
        claims in prop::collection::btree_map("[a-z{} ]{0,6}", json_value(), 0..6)
            .prop_filter("not reserved", |m| m.keys().all(|k| !RESERVED_CLAIMS.contains(&k.as_str()))),
        context in any_context(),
    ) {
        let claims = Value::Object(claims.into_iter().collect());
        let template = Template::parse(&claims).unwrap();
        prop_assert_eq!(Value::Object(template.render(&context)), claims);
    }

    #[test]
    fn parsing_and_rendering_never_panic(s in template_like(), context in any_context()) {
        let claims = json!({"x": s, "w": ["x", {"y": s}]});
        match Template::parse(&claims) {
            Ok(template) => {
                let rendered = template.render(&context);
                prop_assert_eq!(rendered.len(), 2);
            }
            Err(err) => prop_assert_eq!(err.code(), crate::ErrorCode::ValidationFailed),
        }
    }
}
