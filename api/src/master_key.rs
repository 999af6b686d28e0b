//! Where the master key comes from: `LATCHKEY_MASTER_KEY`, or a key file (by default beside
//! the SQLite database, or `latchkey-master.key` in the working directory for other databases),
//! created on first start.

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
    let path = file.unwrap_or_else(|| default_file(database_url));
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
        assert_eq!(
            default_file("postgres://postgres@127.0.0.1/latchkey"),
            PathBuf::from("latchkey-master.key")
        );
        assert_eq!(
            default_file("sqlite::memory:"),
            PathBuf::from("latchkey-master.key")
        );
    }
}
