//! Instances by publishable key, kept in memory for a few seconds: every frontend request names
//! its instance, and reading it from the database each time puts the database on the path of
//! the cheapest query. A change made on this node drops the entry at once; a change made on
//! another node is seen here within `TTL`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;

use crate::model::instance::Instance;

/// How long an instance read from the database is used before it is read again.
pub const TTL: Duration = Duration::from_secs(5);

/// The cache.
#[derive(Debug, Default)]
pub struct InstanceCache {
    /// Entries are only made for real instances, so a fast hasher is enough (every request
    /// looks one up).
    entries: RwLock<HashMap<String, (Arc<Instance>, Instant), RandomState>>,
    /// Moves on every `forget`: a read that began before a change must not be kept after it.
    generation: AtomicU64,
}

impl InstanceCache {
    /// The instance with this publishable key, if read less than `TTL` before `now`.
    pub fn get(&self, publishable_key: &str, now: Instant) -> Option<Arc<Instance>> {
        let entries = self.entries.read().ok()?;
        let (instance, read_at) = entries.get(publishable_key)?;
        (now.saturating_duration_since(*read_at) < TTL).then(|| instance.clone())
    }

    /// Where the cache stands; take it before reading the database, and give it to `put`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keeps `instance` as read at `now`, unless something was forgotten since `generation`
    /// (the read may predate that change).
    pub fn put(&self, instance: Arc<Instance>, now: Instant, generation: u64) {
        if let Ok(mut entries) = self.entries.write() {
            if self.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            entries.retain(|_, (_, read_at)| now.saturating_duration_since(*read_at) < TTL);
            entries.insert(instance.publishable_key.clone(), (instance, now));
        }
    }

    /// Drops the instance with this id (its settings or keys changed here).
    pub fn forget(&self, instance_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            entries.retain(|_, (instance, _)| instance.id != instance_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instance::Environment;
    use crate::model::settings::InstanceSettings;

    fn instance(id: &str, key: &str) -> Arc<Instance> {
        let now = chrono::Utc::now();
        Arc::new(Instance {
            id: id.into(),
            name: "x".into(),
            environment: Environment::Development,
            publishable_key: key.into(),
            settings: InstanceSettings::new(),
            created_at: now,
            updated_at: now,
        })
    }

    #[test]
    fn entries_live_for_the_ttl_and_go_when_forgotten() {
        let cache = InstanceCache::default();
        let start = Instant::now();
        cache.put(instance("ins_1", "pk_1"), start, cache.generation());
        assert!(
            cache
                .get("pk_1", start + TTL - Duration::from_millis(1))
                .is_some()
        );
        assert!(cache.get("pk_1", start + TTL).is_none());
        assert!(cache.get("pk_2", start).is_none());
        cache.put(instance("ins_1", "pk_1"), start, cache.generation());
        cache.forget("ins_1");
        assert!(cache.get("pk_1", start).is_none());
        // A read that began before a change is not kept after it.
        let before = cache.generation();
        cache.forget("ins_1");
        cache.put(instance("ins_1", "pk_1"), start, before);
        assert!(cache.get("pk_1", start).is_none());
    }
}
