//! JWT templates: a JSON object of extra claims whose string values may hold shortcodes
//! `{{ expr }}`, filled in from the user, session and organization when a token is issued.
//!
//! An expression is one or more operands joined by `||`; `a || b` is the first operand that is
//! neither null nor false (or the last one). An operand is a literal (`'text'`, `"text"`, a
//! number such as `-1.5`, `true`, `false`, `null`) or a dotted path whose root is `user`,
//! `session`, `org` or `org_membership`. A string that is exactly one shortcode keeps the value's
//! JSON type; a shortcode inside longer text is written as text (null as nothing, objects and
//! arrays as compact JSON). A path missing from the context is null. Object keys are never
//! templated, and the token's own claims ([`RESERVED_CLAIMS`]) cannot be set.
//!
//! The paths the server fills: `user.id`, `user.external_id`, `user.first_name`,
//! `user.last_name`, `user.full_name`, `user.username`, `user.primary_email_address`,
//! `user.email_verified`, `user.image_url`, `user.two_factor_enabled`, `user.created_at`,
//! `user.updated_at`, `user.last_sign_in_at`, `user.public_metadata…`, `user.unsafe_metadata…`,
//! `session.id`, `org.id`, `org.name`, `org.slug`, `org.role`, `org.public_metadata…`,
//! `org_membership.role` and `org_membership.permissions`. This module only looks paths up in
//! the context JSON it is given.

use serde_json::{Map, Number, Value};

use crate::{Error, Result};

/// Claims a template may not set (the token's own).
pub const RESERVED_CLAIMS: &[&str] = &["sub", "iss", "azp", "iat", "exp", "nbf", "jti"];

/// The roots a path may start with.
const ROOTS: &[&str] = &["user", "session", "org", "org_membership"];
/// Appended to an unknown-root error.
const ROOT_HINT: &str = " (a path starts with user, session, org or org_membership)";
/// The most shortcodes one template may hold.
const MAX_SHORTCODES: usize = 100;
/// The longest expression between `{{` and `}}`, in bytes.
const MAX_EXPRESSION_LENGTH: usize = 500;
/// The most segments in a path, its root included.
const MAX_PATH_SEGMENTS: usize = 10;
/// The deepest nesting of objects and arrays, the claims object itself being level 1.
const MAX_NESTING: usize = 10;

static NULL: Value = Value::Null;

/// A parsed template: the claims with their shortcodes compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    claims: Claims,
}

/// A claim value, compiled.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    /// Anything with no shortcode in it: rendered as is.
    Plain(Value),
    /// A string that is exactly one shortcode: keeps the value's type.
    Whole(Expr),
    /// Text with shortcodes inside: rendered as a string.
    Mixed(Vec<Part>),
    Array(Vec<Node>),
    Object(Claims),
}

/// A piece of a string with shortcodes inside.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    Code(Expr),
}

/// Operands joined by `||` (never empty).
#[derive(Clone, Debug, PartialEq)]
struct Expr(Vec<Operand>);

#[derive(Clone, Debug, PartialEq)]
enum Operand {
    Literal(Value),
    Path(Vec<String>),
}

/// Claims in order, compiled.
type Claims = Vec<(String, Node)>;
/// A parse failure inside one string: the byte position and what is wrong.
type Failure = (usize, String);
/// What was parsed and the position after it, or where and why parsing failed.
type Parsed<T> = Result<(T, usize), Failure>;

impl Template {
    /// Parses `claims` (must be a JSON object). Errors name the JSON path of the bad string and
    /// the byte position (from 0) of the problem inside it.
    pub fn parse(claims: &Value) -> Result<Self> {
        let Value::Object(map) = claims else {
            return Err(invalid("claims: must be a JSON object".to_owned()));
        };
        if let Some(key) = map.keys().find(|k| RESERVED_CLAIMS.contains(&k.as_str())) {
            let message = format!("`{key}` is set by Latchkey and cannot be overridden");
            return Err(invalid(format!("claims.{key}: {message}")));
        }
        let mut parser = Parser { shortcodes: 0 };
        let claims = parser.object(map, "claims", 1)?;
        Ok(Self { claims })
    }

    /// Renders the claims against `context`, a JSON object with the keys `user`, `session`,
    /// `org` and `org_membership` (any may be missing or null). Never panics: whatever is
    /// missing or not an object along a path reads as null.
    pub fn render(&self, context: &Value) -> Map<String, Value> {
        render_object(&self.claims, context)
    }
}

struct Parser {
    shortcodes: usize,
}

impl Parser {
    fn object(&mut self, map: &Map<String, Value>, path: &str, depth: usize) -> Result<Claims> {
        let mut claims = Vec::with_capacity(map.len());
        for (key, value) in map {
            let node = self.node(value, &format!("{path}.{key}"), depth)?;
            claims.push((key.clone(), node));
        }
        Ok(claims)
    }

    /// Compiles a value found inside a container at nesting level `depth`.
    fn node(&mut self, value: &Value, path: &str, depth: usize) -> Result<Node> {
        match value {
            Value::String(s) => self.string(s, path),
            Value::Array(_) | Value::Object(_) if depth >= MAX_NESTING => Err(invalid(format!(
                "{path}: nested deeper than {MAX_NESTING} levels"
            ))),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.node(item, &format!("{path}[{i}]"), depth + 1))
                .collect::<Result<_>>()
                .map(Node::Array),
            Value::Object(map) => self.object(map, path, depth + 1).map(Node::Object),
            other => Ok(Node::Plain(other.clone())),
        }
    }

    fn string(&mut self, s: &str, path: &str) -> Result<Node> {
        if !s.contains("{{") {
            return Ok(Node::Plain(Value::String(s.to_owned())));
        }
        let fail =
            |(pos, message): Failure| invalid(format!("{path}: {message} at position {pos}"));
        let mut parts = Vec::new();
        let mut at = 0;
        while let Some(found) = s.get(at..).and_then(|rest| rest.find("{{")) {
            let open = at + found;
            if let Some(text) = s.get(at..open).filter(|t| !t.is_empty()) {
                parts.push(Part::Text(text.to_owned()));
            }
            self.shortcodes += 1;
            if self.shortcodes > MAX_SHORTCODES {
                let message = format!("a template may hold at most {MAX_SHORTCODES} shortcodes");
                return Err(fail((open, message)));
            }
            let (expr, end) = shortcode(s, open).map_err(fail)?;
            parts.push(Part::Code(expr));
            at = end;
        }
        if let Some(text) = s.get(at..).filter(|t| !t.is_empty()) {
            parts.push(Part::Text(text.to_owned()));
        }
        Ok(match parts.as_slice() {
            [Part::Code(expr)] => Node::Whole(expr.clone()),
            _ => Node::Mixed(parts),
        })
    }
}

/// Parses the shortcode whose `{{` is at `open`; returns it and the position after its `}}`.
fn shortcode(s: &str, open: usize) -> Parsed<Expr> {
    let bytes = s.as_bytes();
    let start = open + 2;
    let (mut at, mut operands, mut pending_or) = (start, Vec::new(), None);
    loop {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        match (bytes.get(at), bytes.get(at + 1)) {
            (None, _) | (Some(b'}'), None) => return fail(open, "unclosed '{{'"),
            (Some(b'}'), Some(b'}')) => {
                if let Some(or) = pending_or {
                    return fail(or, "`||` is missing an operand");
                }
                if operands.is_empty() {
                    return fail(open, "empty expression");
                }
                if at - start > MAX_EXPRESSION_LENGTH {
                    let message = format!("expression longer than {MAX_EXPRESSION_LENGTH} bytes");
                    return fail(open, message);
                }
                return Ok((Expr(operands), at + 2));
            }
            (Some(b'|'), Some(b'|')) => {
                if operands.is_empty() || pending_or.is_some() {
                    return fail(at, "`||` is missing an operand");
                }
                pending_or = Some(at);
                at += 2;
            }
            _ if !operands.is_empty() && pending_or.is_none() => {
                return fail(
                    at,
                    format!("unexpected '{}' after an operand", shown(s, at)),
                );
            }
            _ => {
                let (next, end) = operand(s, at)?;
                operands.push(next);
                pending_or = None;
                at = end;
            }
        }
    }
}

/// Parses the operand starting at `at`; returns it and the position after it.
fn operand(s: &str, at: usize) -> Parsed<Operand> {
    let bytes = s.as_bytes();
    match bytes.get(at).copied() {
        Some(quote @ (b'\'' | b'"')) => {
            let (mut text, mut i) = (Vec::new(), at + 1);
            loop {
                match bytes.get(i).copied() {
                    None => return fail(at, "unterminated quote"),
                    Some(b'\\') if matches!(bytes.get(i + 1), Some(b'\'' | b'"' | b'\\')) => {
                        text.extend(bytes.get(i + 1));
                        i += 2;
                    }
                    Some(b) if b == quote => break,
                    Some(b) => {
                        text.push(b);
                        i += 1;
                    }
                }
            }
            let text = String::from_utf8_lossy(&text).into_owned();
            Ok((Operand::Literal(Value::String(text)), i + 1))
        }
        Some(b'-' | b'0'..=b'9') => number(s, at),
        Some(b) if is_name_start(b) => path(s, at),
        _ => fail(at, format!("expected an operand, found '{}'", shown(s, at))),
    }
}

/// Parses `-?[0-9]+(\.[0-9]+)?` at `at`.
fn number(s: &str, at: usize) -> Parsed<Operand> {
    let rest = s.get(at..).unwrap_or_default();
    let is_number_byte = |b: &u8| b.is_ascii_digit() || *b == b'.';
    let len = 1 + rest.bytes().skip(1).take_while(is_number_byte).count();
    let text = rest.get(..len).unwrap_or_default();
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let number = match text.parse::<i64>() {
        _ if !digits(int) || !digits(frac) => None,
        Ok(n) => Some(Number::from(n)),
        Err(_) => text.parse::<f64>().ok().and_then(Number::from_f64),
    };
    match number {
        Some(n) => Ok((Operand::Literal(Value::Number(n)), at + len)),
        None => fail(at, "bad number"),
    }
}

/// Parses a dotted path (or `true`, `false`, `null`) at `at`.
fn path(s: &str, at: usize) -> Parsed<Operand> {
    let rest = s.get(at..).unwrap_or_default();
    let is_path_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.';
    let text = rest
        .get(..rest.bytes().take_while(is_path_byte).count())
        .unwrap_or_default();
    let end = at + text.len();
    let mut offset = at;
    for segment in text.split('.') {
        if !segment.bytes().next().is_some_and(is_name_start) {
            return fail(offset, "expected a name after '.'");
        }
        offset += segment.len() + 1;
    }
    let literal = match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ => {
            let segments: Vec<String> = text.split('.').map(str::to_owned).collect();
            let root = segments.first().map(String::as_str).unwrap_or_default();
            if !ROOTS.contains(&root) {
                return fail(at, format!("unknown root `{root}`{ROOT_HINT}"));
            }
            if segments.len() > MAX_PATH_SEGMENTS {
                let message = format!("a path may have at most {MAX_PATH_SEGMENTS} segments");
                return fail(at, message);
            }
            return Ok((Operand::Path(segments), end));
        }
    };
    Ok((Operand::Literal(literal), end))
}

/// A validation error on the claims.
fn invalid(message: String) -> Error {
    Error::validation("claims", message)
}

fn fail<T>(at: usize, message: impl Into<String>) -> Result<T, Failure> {
    Err((at, message.into()))
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// The character at `at`, for a message.
fn shown(s: &str, at: usize) -> char {
    s.get(at..)
        .and_then(|rest| rest.chars().next())
        .unwrap_or('?')
}

fn render_object(claims: &[(String, Node)], context: &Value) -> Map<String, Value> {
    claims
        .iter()
        .map(|(key, node)| (key.clone(), render_node(node, context)))
        .collect()
}

fn render_node(node: &Node, context: &Value) -> Value {
    match node {
        Node::Plain(value) => value.clone(),
        Node::Whole(expr) => expr.eval(context).clone(),
        Node::Mixed(parts) => {
            let mut out = String::new();
            for part in parts {
                match part {
                    Part::Text(text) => out.push_str(text),
                    Part::Code(expr) => match expr.eval(context) {
                        Value::Null => {}
                        Value::String(s) => out.push_str(s),
                        other => out.push_str(&other.to_string()),
                    },
                }
            }
            Value::String(out)
        }
        Node::Array(items) => Value::Array(items.iter().map(|n| render_node(n, context)).collect()),
        Node::Object(claims) => Value::Object(render_object(claims, context)),
    }
}

impl Expr {
    /// The first operand that is neither null nor false, or the last one.
    fn eval<'a>(&'a self, context: &'a Value) -> &'a Value {
        let mut last = &NULL;
        for operand in &self.0 {
            last = match operand {
                Operand::Literal(value) => value,
                Operand::Path(segments) => segments
                    .iter()
                    .try_fold(context, |value, segment| value.get(segment))
                    .unwrap_or(&NULL),
            };
            if !matches!(last, Value::Null | Value::Bool(false)) {
                return last;
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
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
        parse_error(json!({ "v": s }))
    }

    /// Renders each string as the claim `v` against the sample context.
    fn check(cases: &[(&str, Value)]) {
        for (template, want) in cases {
            let got = render(json!({ "v": template }), &context())["v"].clone();
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
            assert_eq!(got, format!("claims.v: {message}"), "{template}");
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
        assert!(ok(json!({ "v": long(493) })));
        let message = "claims.v: expression longer than 500 bytes at position 0";
        assert_eq!(error_of(&long(494)), message);

        let deep = |segments: usize| format!("{{{{ user{} }}}}", ".a".repeat(segments - 1));
        assert!(ok(json!({ "v": deep(10) })));
        let message = "claims.v: a path may have at most 10 segments at position 3";
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
        prop_oneof![any::<String>(), "[a-z{}|' .]{0,12}"]
            .prop_filter("no {{", |s| !s.contains("{{"))
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
            prop::collection::btree_map(root, json_value(), 0..5).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
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
            let claims = json!({"v": s, "w": ["x", {"y": s}]});
            match Template::parse(&claims) {
                Ok(template) => {
                    let rendered = template.render(&context);
                    prop_assert_eq!(rendered.len(), 2);
                }
                Err(err) => prop_assert_eq!(err.code(), crate::ErrorCode::ValidationFailed),
            }
        }
    }
}
