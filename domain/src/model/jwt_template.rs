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

/// Claims a template may not set: the token's own, and what marks a session token (`sid`,
/// `v`) or carries the organization (`o`), so a template token can never pass for one.
pub const RESERVED_CLAIMS: &[&str] = &[
    "sub", "iss", "azp", "iat", "exp", "nbf", "jti", "sid", "v", "o",
];

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

mod claims;
mod stored;

pub use claims::{TemplateTokenFacts, render_context, template_claims};
pub use stored::{
    DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_LIFETIME_SECONDS, JwtTemplate, MAX_LIFETIME_SECONDS,
    TemplateInput,
};

#[cfg(test)]
mod tests;
