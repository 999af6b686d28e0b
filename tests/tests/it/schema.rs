//! `schema.graphql` is the live schema.

#[test]
fn schema_graphql_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let live = latchkey_api::graphql::sdl();
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != live {
        std::fs::write(&path, &live).expect("rewrite schema.graphql");
        panic!("schema.graphql was out of date; it has been rewritten: review and commit it");
    }
}

#[tokio::test]
async fn every_type_field_argument_and_value_is_documented() {
    let schema = latchkey_api::graphql::build_schema(None, Default::default(), true);
    let query = "{ __schema { types { name description fields { name description args { name description } } inputFields { name description } enumValues { name description } } } }";
    let response = schema.execute(query).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let builtin = [
        "String", "Int", "Float", "Boolean", "ID", "Query", "Mutation",
    ];
    let mut missing = Vec::new();
    let documented = |v: &serde_json::Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };
    for ty in data["__schema"]["types"].as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") {
            continue;
        }
        if !builtin.contains(&name) && !documented(ty) {
            missing.push(name.to_owned());
        }
        for list in ["fields", "inputFields", "enumValues"] {
            for item in ty[list].as_array().into_iter().flatten() {
                if !documented(item) {
                    missing.push(format!("{name}.{}", item["name"].as_str().unwrap()));
                }
                for arg in item["args"].as_array().into_iter().flatten() {
                    if !documented(arg) {
                        missing.push(format!(
                            "{name}.{}({})",
                            item["name"].as_str().unwrap(),
                            arg["name"].as_str().unwrap()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented in the schema: {missing:#?}"
    );
}

/// Every operation guarded by reverification (the domain's one list) is a mutation whose
/// documentation says it may answer `REVERIFICATION_REQUIRED`.
#[tokio::test]
async fn every_guarded_operation_documents_reverification() {
    use latchkey_domain::model::reverification::Sensitive;
    let schema = latchkey_api::graphql::build_schema(None, Default::default(), true);
    let response = schema
        .execute("{ __type(name: \"Mutation\") { fields { name description } } }")
        .await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    let fields = data["__type"]["fields"].as_array().unwrap();
    for guarded in Sensitive::ALL {
        let field = fields
            .iter()
            .find(|f| f["name"] == guarded.field())
            .unwrap_or_else(|| panic!("{} is not a mutation", guarded.field()));
        assert!(
            field["description"]
                .as_str()
                .is_some_and(|d| d.contains("REVERIFICATION_REQUIRED")),
            "{} does not document REVERIFICATION_REQUIRED",
            guarded.field()
        );
    }
}
