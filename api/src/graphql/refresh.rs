//! The token refresh without the executor. A frontend asks for a session token about every 50 s
//! per signed-in tab, always with the same small document, so a document that is only
//! `createSessionToken(sessionId: …, template: …) { jwt expiresAt __typename }` (any of the
//! three fields, in any order, aliases allowed) is recognized once, when it is kept. Once it has
//! passed the strict validation on the caller's schema build, a request that cannot change
//! that (`validated`) calls the resolver's own function directly, and the response is put
//! together as the executor puts it: the same data, or the same error with its location and
//! path and `data: null` (the field is non-null). Anything else goes through the executor.
//! Over HTTP, a token's answer is written as JSON straight away (`json`): the bytes the
//! executor's response serializes to, without building that response first.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection,
};
use async_graphql::{
    Name, OutputType, PathSegment, Pos, Response, ScalarType, ServerError, Value, Variables,
};
use latchkey_domain::Platform;
use latchkey_domain::model::caller::Caller;

use super::sessions::{SessionToken, session_token};

/// An argument as the document gives it.
#[derive(Debug, Clone, PartialEq)]
enum Input {
    Variable(Name),
    Text(String),
    Null,
}

impl Input {
    /// The argument's value for this request; `Err` when it is not a string or null.
    fn value<'v>(&'v self, variables: &'v Variables) -> Result<Option<&'v str>, ()> {
        match self {
            Self::Text(text) => Ok(Some(text)),
            Self::Null => Ok(None),
            Self::Variable(name) => match variables.get(name) {
                Some(Value::String(text)) => Ok(Some(text)),
                Some(Value::Null) | None => Ok(None),
                Some(_) => Err(()),
            },
        }
    }
}

/// A field of the token's selection.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Jwt,
    ExpiresAt,
    Typename,
}

/// A document that is one refresh, as recognized when it was kept.
#[derive(Debug)]
pub struct Refresh {
    /// The field's response key: its alias, or its name.
    key: Name,
    /// Where the field is, for an error's `locations`.
    pos: Pos,
    session_id: Input,
    template: Option<Input>,
    selection: Vec<(Name, Part)>,
}

/// A refresh with its arguments read from a request.
#[derive(Debug)]
pub struct Arguments {
    session_id: String,
    template: Option<String>,
}

impl Refresh {
    /// The refresh `document` is, if it is one: one mutation operation without directives or
    /// fragments whose only field is `createSessionToken`, with string, null or variable
    /// arguments, selecting only `jwt`, `expiresAt` and `__typename`, each once.
    pub fn recognize(document: &ExecutableDocument) -> Option<Self> {
        if !document.fragments.is_empty() {
            return None;
        }
        let operation = match &document.operations {
            DocumentOperations::Single(operation) => operation,
            DocumentOperations::Multiple(operations) if operations.len() == 1 => {
                operations.values().next()?
            }
            DocumentOperations::Multiple(_) => return None,
        };
        let operation = &operation.node;
        if operation.ty != OperationType::Mutation || !operation.directives.is_empty() {
            return None;
        }
        let [item] = operation.selection_set.node.items.as_slice() else {
            return None;
        };
        let Selection::Field(field) = &item.node else {
            return None;
        };
        let (pos, field) = (field.pos, &field.node);
        if field.name.node != "createSessionToken" || !field.directives.is_empty() {
            return None;
        }
        let (mut session_id, mut template) = (None, None);
        for (name, value) in &field.arguments {
            let input = match &value.node {
                async_graphql_value::Value::Variable(variable) => Input::Variable(variable.clone()),
                async_graphql_value::Value::String(text) => Input::Text(text.clone()),
                async_graphql_value::Value::Null => Input::Null,
                _ => return None,
            };
            let slot = match name.node.as_str() {
                "sessionId" => &mut session_id,
                "template" => &mut template,
                _ => return None,
            };
            if slot.replace(input).is_some() {
                return None;
            }
        }
        let mut selection = Vec::new();
        for item in &field.selection_set.node.items {
            let Selection::Field(sub) = &item.node else {
                return None;
            };
            let sub = &sub.node;
            if !sub.arguments.is_empty()
                || !sub.directives.is_empty()
                || !sub.selection_set.node.items.is_empty()
            {
                return None;
            }
            let part = match sub.name.node.as_str() {
                "jwt" => Part::Jwt,
                "expiresAt" => Part::ExpiresAt,
                "__typename" => Part::Typename,
                _ => return None,
            };
            let key = sub.response_key().node.clone();
            if selection.iter().any(|(taken, _)| *taken == key) {
                return None;
            }
            selection.push((key, part));
        }
        if selection.is_empty() {
            return None;
        }
        Some(Self {
            key: field.response_key().node.clone(),
            pos,
            session_id: session_id?,
            template,
            selection,
        })
    }

    /// The arguments of this request: `None` when a value is not what the executor would take
    /// as is (then the executor runs the request).
    pub fn arguments(&self, variables: &Variables) -> Option<Arguments> {
        let session_id = self.session_id.value(variables).ok()??.to_owned();
        let template = match &self.template {
            Some(input) => input.value(variables).ok()?.map(str::to_owned),
            None => None,
        };
        Some(Arguments {
            session_id,
            template,
        })
    }

    /// Runs the refresh as the resolver does: the token, or the error answered as the executor
    /// answers it.
    pub async fn run(
        &self,
        platform: &Platform,
        caller: &Caller,
        arguments: &Arguments,
        origin: Option<&str>,
    ) -> Result<SessionToken, Response> {
        let token = session_token(
            platform,
            caller,
            &arguments.session_id,
            arguments.template.as_deref(),
            origin,
        )
        .await;
        token.map_err(|error| {
            let mut error: ServerError = error.into_server_error(self.pos);
            error.path = vec![PathSegment::Field(self.key.to_string())];
            Response::from_errors(vec![error])
        })
    }

    /// The executor's response with `token`.
    pub fn response(&self, token: &SessionToken) -> Response {
        Response::new(Value::Object(IndexMap::from([(
            self.key.clone(),
            self.object(token),
        )])))
    }

    /// The JSON `response` serializes to, written directly: `{"data":{key:{…}}}` with the
    /// selected fields in their order.
    pub fn json(&self, token: &SessionToken) -> Vec<u8> {
        let mut out = Vec::with_capacity(token.jwt.len() + 128);
        out.extend_from_slice(b"{\"data\":{");
        json_string(&mut out, &self.key);
        out.extend_from_slice(b":{");
        for (index, (key, part)) in self.selection.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            json_string(&mut out, key);
            out.push(b':');
            match part {
                Part::Jwt => json_string(&mut out, &token.jwt),
                // What the `DateTime` scalar's `to_value` gives (the test holds them equal).
                Part::ExpiresAt => json_string(&mut out, &token.expires_at.to_rfc3339()),
                Part::Typename => json_string(&mut out, &SessionToken::type_name()),
            }
        }
        out.extend_from_slice(b"}}}");
        out
    }

    fn object(&self, token: &SessionToken) -> Value {
        let fields = self.selection.iter().map(|(key, part)| {
            let value = match part {
                Part::Jwt => Value::String(token.jwt.clone()),
                Part::ExpiresAt => token.expires_at.to_value(),
                Part::Typename => Value::String(SessionToken::type_name().into_owned()),
            };
            (key.clone(), value)
        });
        Value::Object(fields.collect())
    }
}

/// `text` as a JSON string, as serde_json writes it: copied as is when nothing in it needs an
/// escape (a token, a name, a time), else escaped by serde_json.
fn json_string(out: &mut Vec<u8>, text: &str) {
    // Every byte looked at, without stopping early: the compiler checks them many at a time (a
    // token is a few hundred bytes, and never needs an escape).
    let escape = text.bytes().fold(false, |escape, b| {
        escape | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if escape {
        out.extend_from_slice(serde_json::Value::from(text).to_string().as_bytes());
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use serde_json::json;

    fn recognized(query: &str) -> Option<Refresh> {
        Refresh::recognize(&parse_query(query).unwrap())
    }

    #[test]
    fn the_refresh_documents_of_frontends_are_recognized() {
        let refresh =
            recognized("mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }").unwrap();
        assert_eq!(refresh.key.as_str(), "createSessionToken");
        assert_eq!(refresh.session_id, Input::Variable(Name::new("s")));
        assert_eq!(refresh.template, None);
        assert_eq!(refresh.selection, vec![(Name::new("jwt"), Part::Jwt)]);
        let named = recognized(
            "mutation Refresh($s: ID!, $t: String) { token: createSessionToken(sessionId: $s, template: $t) { __typename at: expiresAt jwt } }",
        )
        .unwrap();
        assert_eq!(named.key.as_str(), "token");
        assert_eq!(named.template, Some(Input::Variable(Name::new("t"))));
        assert_eq!(
            named.selection,
            vec![
                (Name::new("__typename"), Part::Typename),
                (Name::new("at"), Part::ExpiresAt),
                (Name::new("jwt"), Part::Jwt)
            ]
        );
        let literal = recognized(
            "mutation { createSessionToken(sessionId: \"sess_1\", template: null) { jwt } }",
        )
        .unwrap();
        assert_eq!(literal.session_id, Input::Text("sess_1".into()));
        assert_eq!(literal.template, Some(Input::Null));
    }

    #[test]
    fn anything_more_or_else_goes_through_the_executor() {
        for query in [
            "query($s: ID!) { createSessionToken(sessionId: $s) { jwt } }",
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } signOut { id } }",
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { ...F } } fragment F on SessionToken { jwt }",
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { ... on SessionToken { jwt } } }",
            "mutation($s: ID!) @a { createSessionToken(sessionId: $s) { jwt } }",
            "mutation($s: ID!) { createSessionToken(sessionId: $s) @skip(if: false) { jwt } }",
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt @include(if: true) } }",
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt jwt } }",
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt other } }",
            "mutation($s: ID!) { createSessionToken(sessionId: $s, other: 1) { jwt } }",
            "mutation { createSessionToken(sessionId: 5) { jwt } }",
            "mutation { createSessionToken(template: \"t\") { jwt } }",
            "mutation($s: ID!) { signOut(sessionId: $s) { id } }",
            "mutation A($s: ID!) { createSessionToken(sessionId: $s) { jwt } } mutation B { signOut { id } }",
        ] {
            assert!(recognized(query).is_none(), "{query}");
        }
    }

    #[test]
    fn the_json_written_is_what_the_response_serializes_to() {
        let jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";
        // A token's time has no fraction of a second; one with a fraction is written alike.
        let tokens = [0, 123_456_789].map(|nanos| SessionToken {
            jwt: jwt.into(),
            expires_at: chrono::DateTime::from_timestamp(1_800_000_060, nanos).unwrap(),
        });
        for query in [
            "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }",
            "mutation($s: ID!) { t: createSessionToken(sessionId: $s) { __typename at: expiresAt jwt } }",
            "mutation { createSessionToken(sessionId: \"s\") { expiresAt __typename } }",
        ] {
            let refresh = recognized(query).unwrap();
            for token in &tokens {
                assert_eq!(
                    String::from_utf8(refresh.json(token)).unwrap(),
                    serde_json::to_string(&refresh.response(token)).unwrap(),
                    "{query}"
                );
            }
        }
        // What needs an escape is escaped as serde_json escapes it; nothing else is: each
        // character alone and inside a token's worth of text, then all of them together.
        let characters = (0u8..0x80).map(char::from).chain("é€😀".chars());
        let mut texts: Vec<String> = characters
            .clone()
            .flat_map(|c| [c.to_string(), format!("{jwt}{c}{jwt}")])
            .collect();
        texts.extend([
            characters.collect(),
            "a\"b\\c\nd\u{7f}é".into(),
            String::new(),
        ]);
        for text in &texts {
            let mut out = Vec::new();
            json_string(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn arguments_are_read_from_the_request_as_the_executor_would_take_them() {
        let refresh = recognized(
            "mutation($s: ID!, $t: String) { createSessionToken(sessionId: $s, template: $t) { jwt } }",
        )
        .unwrap();
        let read = |variables| refresh.arguments(&Variables::from_json(variables));
        let given = read(json!({"s": "sess_1", "t": "tpl"})).unwrap();
        assert_eq!(given.session_id, "sess_1");
        assert_eq!(given.template.as_deref(), Some("tpl"));
        assert_eq!(read(json!({"s": "sess_1"})).unwrap().template, None);
        assert_eq!(
            read(json!({"s": "sess_1", "t": null})).unwrap().template,
            None
        );
        assert!(read(json!({"s": 5})).is_none());
        assert!(read(json!({"s": null})).is_none());
        assert!(read(json!({})).is_none());
        assert!(read(json!({"s": "sess_1", "t": 1})).is_none());
    }
}
