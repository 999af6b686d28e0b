//! Where the master key comes from: `LATCHKEY_MASTER_KEY`, or a key file (`LATCHKEY_MASTER_KEY_FILE`;
//! for the embedded SQLite default, beside the database), created on first start. A shared
//! database (PostgreSQL) needs the key given explicitly, the same on every node.

use std::path::PathBuf;

use latchkey_domain::tokens::master_key::MasterKey;

/// The file the master key is kept in when none is given.
pub fn default_file(database_url: &str) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or_default())
        .filter(|path| !path.is_empty() && !path.contains(":memory:"));
    match path {
        Some(path) => PathBuf::from(format!("{path}.master-key")),
        None => PathBuf::from("latchkey-master.key"),
    }
}

/// The master key: the one given, or the one in `file` (made there on first start).
pub fn resolve(
    given: Option<MasterKey>,
    file: Option<PathBuf>,
    database_url: &str,
) -> latchkey_domain::Result<MasterKey> {
    if let Some(key) = given {
        return Ok(key);
    }
    if file.is_none() && !database_url.starts_with("sqlite:") {
        // Every node must seal and open the keys with the same master key: a key made here
        // would be this node's alone.
        return Err(latchkey_domain::Error::validation(
            "LATCHKEY_MASTER_KEY",
            "is required with a shared database: set LATCHKEY_MASTER_KEY (or LATCHKEY_MASTER_KEY_FILE) to the same key on every node",
        ));
    }
    let shared = !database_url.starts_with("sqlite:");
    let path = file.unwrap_or_else(|| default_file(database_url));
    if shared && !path.exists() {
        // A key made here would be this node's alone.
        return Err(latchkey_domain::Error::validation(
            "LATCHKEY_MASTER_KEY_FILE",
            "names no file: with a shared database the key file must hold the same key on every node (made beforehand, e.g. `openssl rand -base64 32`)",
        ));
    }
    let (key, created) = MasterKey::load_or_create(&path)?;
    if created {
        tracing::warn!(
            path = %path.display(),
            "generated a master key for the signing keys and kept it beside the database: whoever reads both can sign tokens; set LATCHKEY_MASTER_KEY from a secret store in production"
        );
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_sits_beside_a_sqlite_database() {
        assert_eq!(
            default_file("sqlite://data/latchkey.db?mode=rwc"),
            PathBuf::from("data/latchkey.db.master-key")
        );
        assert!(resolve(None, None, "postgres://postgres@127.0.0.1/latchkey").is_err());
        assert_eq!(
            default_file("sqlite::memory:"),
            PathBuf::from("latchkey-master.key")
        );
    }
}
