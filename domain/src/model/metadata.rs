//! User metadata: three JSON objects (public, private, unsafe), each at most 8 KB, changed by a
//! deep merge (RFC 7396 JSON merge patch: objects merge key by key, `null` deletes a key, any
//! other value replaces) or replaced whole.

use serde_json::Value;

use crate::{Error, Result};

/// The largest metadata object accepted, serialized.
pub const MAX_METADATA_BYTES: usize = 8 * 1024;

/// Checks one metadata object: a JSON object of at most [`MAX_METADATA_BYTES`] serialized.
/// `field` names it in the error (`publicMetadata`, …).
pub fn check(field: &str, value: &Value) -> Result<()> {
    if !value.is_object() {
        return Err(Error::validation(field, "must be a JSON object"));
    }
    let size = value.to_string().len();
    if size > MAX_METADATA_BYTES {
        return Err(Error::validation(
            field,
            format!("is {size} bytes; at most {MAX_METADATA_BYTES} are kept"),
        ));
    }
    Ok(())
}

/// Applies `patch` to `target` as a JSON merge patch: objects merge recursively, `null`
/// removes the key, anything else replaces.
pub fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(patch_fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(fields) = target {
        for (key, value) in patch_fields {
            if value.is_null() {
                fields.remove(key);
            } else {
                merge(fields.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// `current` merged with `patch`, checked: the patch must be an object, and the result must
/// fit.
pub fn merged(field: &str, current: &Value, patch: &Value) -> Result<Value> {
    if !patch.is_object() {
        return Err(Error::validation(field, "must be a JSON object"));
    }
    let mut value = current.clone();
    merge(&mut value, patch);
    check(field, &value)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merging_goes_deep_and_null_deletes() {
        let current = json!({"plan": {"tier": "pro", "seats": 3}, "beta": true, "tags": [1, 2]});
        let patch = json!({"plan": {"seats": 5, "trial": null}, "beta": null, "tags": [3]});
        assert_eq!(
            merged("publicMetadata", &current, &patch).unwrap(),
            json!({"plan": {"tier": "pro", "seats": 5}, "tags": [3]})
        );
    }

    #[test]
    fn an_object_replaces_a_scalar_and_a_scalar_an_object() {
        let current = json!({"a": 1, "b": {"c": 2}});
        let patch = json!({"a": {"x": null, "y": 1}, "b": "flat"});
        assert_eq!(
            merged("m", &current, &patch).unwrap(),
            json!({"a": {"y": 1}, "b": "flat"})
        );
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        let current = json!({"a": {"b": [1, {"c": null}]}});
        assert_eq!(merged("m", &current, &json!({})).unwrap(), current);
    }

    #[test]
    fn only_objects_of_at_most_8_kb_are_kept() {
        assert_eq!(
            merged("m", &json!({}), &json!([1])).unwrap_err().code(),
            crate::ErrorCode::ValidationFailed
        );
        assert!(check("m", &json!("text")).is_err());
        let fits = json!({ "k": "x".repeat(MAX_METADATA_BYTES - 8) });
        assert_eq!(fits.to_string().len(), MAX_METADATA_BYTES);
        assert!(check("m", &fits).is_ok());
        let over = json!({ "k": "x".repeat(MAX_METADATA_BYTES - 7) });
        let err = check("privateMetadata", &over).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("privateMetadata: is 8193 bytes"),
            "{err}"
        );
        // A merge that grows past the limit is refused, not cut.
        assert!(merged("m", &fits, &json!({"more": 1})).is_err());
    }
}
