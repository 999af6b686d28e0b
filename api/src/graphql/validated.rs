//! When a request may skip the strict validation: its document passed it before on the same
//! schema, for the same operation, and nothing in this request can change the outcome.
//!
//! Strict validation reads the request through the operation it selects and the values of the
//! variables: `ArgumentsOfCorrectType` checks each value given against every argument its
//! variable fills (in fragments too, whichever operation is selected), and skips an argument
//! whose variable is missing. So the fast path takes only documents of one operation (no
//! fragment can then use another operation's variables: an unused fragment or an undeclared
//! variable fails the document), no subscription, and requests that give exactly the variables
//! the operation declares, a string for an `ID` or a `String` and a boolean for a `Boolean`
//! (nullable or not). Each such variable fills only positions of its own named type
//! (`VariableInAllowedPosition`), and those scalars take any value of that kind, so every such
//! request validates alike. Anything else (a missing, extra or null value, a number, a list, an
//! enum, an input object) is validated strictly every time. The fast validation still runs on
//! every request: fragment cycles, depth and complexity (no complexity here reads a string or a
//! boolean: the one custom complexity reads an `Int`).

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType,
};
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
        (DocumentOperations::Multiple(operations), name) if operations.len() == 1 => {
            match operations.iter().next() {
                Some((n, operation)) if name.is_none_or(|name| n.as_str() == name) => operation,
                _ => return false,
            }
        }
        _ => return false,
    };
    if operation.node.ty == OperationType::Subscription {
        return false;
    }
    let declared = &operation.node.variable_definitions;
    variables
        .keys()
        .all(|name| declared.iter().any(|d| d.node.name.node == *name))
        && declared.iter().all(|definition| {
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
            json!({"a": "x", "b": false})
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
        // A variable the operation does not declare (another operation's fragment may use it).
        assert!(!decided(
            "query Q($a: String) { __typename }",
            None,
            json!({"a": "x", "unused": "y"})
        ));
        // Documents of more than one operation, the wrong name, a subscription.
        let two = "query A { __typename } query B { __typename }";
        assert!(!decided(two, Some("A"), json!({})));
        assert!(!decided(two, None, json!({})));
        assert!(!decided("query A { __typename }", Some("C"), json!({})));
        assert!(decided("query A { __typename }", Some("A"), json!({})));
        assert!(!decided("{ __typename }", Some("A"), json!({})));
        assert!(!decided("subscription { __typename }", None, json!({})));
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
