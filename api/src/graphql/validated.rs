//! When a request may skip the strict validation: its document passed it before on the same
//! schema, for the same operation, and nothing in this request can change the outcome.
//!
//! Strict validation reads the request only through the operation it selects and the values of
//! that operation's variables: `ArgumentsOfCorrectType` checks each value given against its
//! argument, and skips an argument whose variable is missing. So a request validates as every
//! other one does when each variable of its operation is given, a string for an `ID` or a
//! `String` and a boolean for a `Boolean` (nullable or not): the variable's position has the
//! same named type (`VariableInAllowedPosition`), and those scalars take any value of that
//! kind. Anything else (a missing or null value, a number, a list, an enum, an input object)
//! is validated strictly every time. The fast validation still runs on every request: fragment
//! cycles, depth and complexity (no complexity here reads a string or a boolean: the one custom
//! complexity reads an `Int`).

use async_graphql::parser::types::{BaseType, DocumentOperations, ExecutableDocument};
use async_graphql::{Response, Value, Variables};

/// Whether the strict validation of `document` comes out the same for these variables as for
/// any other that this function accepts.
pub fn decided_by_document(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> bool {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => operation,
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            match operations.values().next() {
                Some(operation) => operation,
                None => return false,
            }
        }
        (DocumentOperations::Multiple(operations), Some(name)) => {
            match operations.iter().find(|(n, _)| n.as_str() == name) {
                Some((_, operation)) => operation,
                None => return false,
            }
        }
        _ => return false,
    };
    operation
        .node
        .variable_definitions
        .iter()
        .all(|definition| {
            let definition = &definition.node;
            let BaseType::Named(type_name) = &definition.var_type.node.base else {
                return false;
            };
            matches!(
                (type_name.as_str(), variables.get(&definition.name.node)),
                ("ID" | "String", Some(Value::String(_))) | ("Boolean", Some(Value::Boolean(_)))
            )
        })
}

/// Whether the request of `response` passed validation. A refused request has no data and only
/// errors without a path; an error of a field always has its path.
pub fn passed(response: &Response) -> bool {
    !(response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use serde_json::json;

    fn decided(query: &str, name: Option<&str>, variables: serde_json::Value) -> bool {
        let document = parse_query(query).unwrap();
        decided_by_document(&document, name, &Variables::from_json(variables))
    }

    #[test]
    fn strings_and_booleans_given_for_ids_strings_and_booleans_are_decided_by_the_document() {
        let refresh = "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }";
        assert!(decided(refresh, None, json!({"s": "sess_1"})));
        assert!(decided("{ __typename }", None, json!({})));
        assert!(decided(
            "query Q($a: String, $b: Boolean!) { __typename }",
            Some("Q"),
            json!({"a": "x", "b": false, "unused": 5})
        ));
        assert!(decided(
            "query Q($a: String) { __typename }",
            None,
            json!({"a": "x"})
        ));
    }

    #[test]
    fn anything_else_is_validated_strictly() {
        let refresh = "mutation($s: ID!) { createSessionToken(sessionId: $s) { jwt } }";
        for variables in [
            json!({}),
            json!({"s": null}),
            json!({"s": 5}),
            json!({"s": ["x"]}),
            json!({"s": {"a": "x"}}),
            json!({"s": true}),
        ] {
            assert!(!decided(refresh, None, variables.clone()), "{variables}");
        }
        assert!(!decided(
            "query($n: Int) { __typename }",
            None,
            json!({"n": 1})
        ));
        assert!(!decided(
            "query($l: [ID!]) { __typename }",
            None,
            json!({"l": ["a"]})
        ));
        assert!(!decided(
            "query($b: Boolean) { __typename }",
            None,
            json!({"b": "true"})
        ));
        assert!(!decided(
            "query($o: OrderBy) { __typename }",
            None,
            json!({"o": "X"})
        ));
        // The operation must be the one the request selects.
        let two = "query A { __typename } query B { __typename }";
        assert!(decided(two, Some("A"), json!({})));
        assert!(!decided(two, None, json!({})));
        assert!(!decided(two, Some("C"), json!({})));
        assert!(!decided("{ __typename }", Some("A"), json!({})));
    }

    #[test]
    fn a_refusal_before_execution_is_told_from_errors_of_fields() {
        let error = || async_graphql::ServerError::new("no", None);
        assert!(!passed(&Response::from_errors(vec![error()])));
        let mut field_failed = Response::from_errors(vec![error()]);
        field_failed.errors[0].path = vec![async_graphql::PathSegment::Field("a".into())];
        assert!(passed(&field_failed), "a field ran and failed");
        assert!(passed(&Response::new(Value::Null)));
    }
}
