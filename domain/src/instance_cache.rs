//! Instances by publishable key, kept in memory for a few seconds: every frontend request names
//! its instance, and reading it from the database each time puts the database on the path of
//! the cheapest query. A change made on this node drops the entry at once; a change made on
//! another node is seen here within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::model::instance::Instance;

/// How long an instance read from the database is used before it is read again.
pub const TTL: Duration = Duration::from_secs(5);

/// The cache.
#[derive(Debug, Default)]
pub struct InstanceCache {
    entries: RwLock<HashMap<String, (Arc<Instance>, Instant)>>,
}

impl InstanceCache {
    /// The instance with this publishable key, if read less than `TTL` before `now`.
    pub fn get(&self, publishable_key: &str, now: Instant) -> Option<Arc<Instance>> {
        let entries = self.entries.read().ok()?;
        let (instance, read_at) = entries.get(publishable_key)?;
        (now.saturating_duration_since(*read_at) < TTL).then(|| instance.clone())
    }

    /// Keeps `instance` as read at `now`.
    pub fn put(&self, instance: Arc<Instance>, now: Instant) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (_, read_at)| now.saturating_duration_since(*read_at) < TTL);
            entries.insert(instance.publishable_key.clone(), (instance, now));
        }
    }

    /// Drops the instance with this id (its settings or keys changed here).
    pub fn forget(&self, instance_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
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
        cache.put(instance("ins_1", "pk_1"), start);
        assert!(
            cache
                .get("pk_1", start + TTL - Duration::from_millis(1))
                .is_some()
        );
        assert!(cache.get("pk_1", start + TTL).is_none());
        assert!(cache.get("pk_2", start).is_none());
        cache.put(instance("ins_1", "pk_1"), start);
        cache.forget("ins_1");
        assert!(cache.get("pk_1", start).is_none());
    }
}
