//! Directories built once under `target/` and shared by every test (a Python virtual
//! environment, the JavaScript client's `node_modules`). Each is named after a fingerprint of
//! what it was built from, so a change builds a new one instead of reusing a stale one. Safe when
//! several tests ask at once: threads of one process wait for each other, and processes each
//! build their own directory, the first to finish renaming it into place.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// FNV-1a (64 bits) over the inputs: the same on every machine and toolchain.
fn fingerprint(inputs: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for input in inputs {
        for byte in input.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// `target/{name}-{fingerprint of inputs}`, made by `build` (given a path that does not exist
/// yet, which it must create) when it is not there yet.
pub(crate) fn directory(name: &str, inputs: &[&str], build: impl FnOnce(&Path)) -> PathBuf {
    // Tests of one process (`cargo test` runs them on threads) build one at a time.
    static BUILDING: Mutex<()> = Mutex::new(());
    let _one = BUILDING.lock().unwrap_or_else(PoisonError::into_inner);
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let dir = target.join(format!("{name}-{}", fingerprint(inputs)));
    if dir.exists() {
        return dir;
    }
    let building = target.join(format!(
        "{name}.building-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    build(&building);
    if std::fs::rename(&building, &dir).is_err() {
        // Another test process put its own there first.
        let _ = std::fs::remove_dir_all(&building);
    }
    assert!(dir.exists(), "{} was not built", dir.display());
    dir
}
