//! Pause points, so a test can hold one operation at a chosen place while it runs another, and
//! interleave concurrent writes deterministically. Compiled in only for tests (the crate's own,
//! or with the `test-hooks` feature the integration tests turn on); otherwise `pause` is empty.
//!
//! A test arms a point for one instance (tests share the process, each with its own instance);
//! the first operation of that instance to reach the point waits there until the test releases
//! it, and the point is then spent: later arrivals pass.

/// Where an operation may be held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Point {
    /// A change of a role's permission set (create or update a role, delete a role or a
    /// permission), after its input is checked and before its transaction.
    RolePermissions,
    /// A signed-in member's change of an organization's memberships or invitations, after the
    /// caller's standing was first read and before the change's transaction.
    OrganizationChange,
}

#[cfg(not(any(test, feature = "test-hooks")))]
pub(crate) async fn pause(_point: Point, _instance_id: &str) {}

#[cfg(any(test, feature = "test-hooks"))]
pub use armed::{Held, arm};

#[cfg(any(test, feature = "test-hooks"))]
pub(crate) use armed::pause;

#[cfg(any(test, feature = "test-hooks"))]
mod armed {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Mutex, OnceLock, PoisonError};

    use tokio::sync::oneshot;

    use super::Point;

    struct Waiting {
        reached: oneshot::Sender<()>,
        release: oneshot::Receiver<()>,
    }

    /// Whether any point is armed: the one load a pause costs when none is.
    static ANY: AtomicBool = AtomicBool::new(false);

    fn armed() -> &'static Mutex<HashMap<(Point, String), Waiting>> {
        static ARMED: OnceLock<Mutex<HashMap<(Point, String), Waiting>>> = OnceLock::new();
        ARMED.get_or_init(Default::default)
    }

    /// A point armed by a test: wait until an operation reaches it, then release it.
    #[derive(Debug)]
    pub struct Held {
        reached: Option<oneshot::Receiver<()>>,
        release: Option<oneshot::Sender<()>>,
    }

    /// Arms `point` for the next operation of `instance_id` that reaches it.
    pub fn arm(point: Point, instance_id: &str) -> Held {
        let (reached_tx, reached_rx) = oneshot::channel();
        let (release_tx, release_rx) = oneshot::channel();
        armed()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                (point, instance_id.to_owned()),
                Waiting {
                    reached: reached_tx,
                    release: release_rx,
                },
            );
        ANY.store(true, Ordering::SeqCst);
        Held {
            reached: Some(reached_rx),
            release: Some(release_tx),
        }
    }

    impl Held {
        /// Waits until an operation is held at the point.
        pub async fn reached(&mut self) {
            if let Some(reached) = self.reached.take() {
                let _ = reached.await;
            }
        }

        /// Lets the held operation go on.
        pub fn release(mut self) {
            if let Some(release) = self.release.take() {
                let _ = release.send(());
            }
        }
    }

    impl Drop for Held {
        fn drop(&mut self) {
            if let Some(release) = self.release.take() {
                let _ = release.send(());
            }
        }
    }

    /// Holds the caller here when a test armed `point` for `instance_id`.
    pub(crate) async fn pause(point: Point, instance_id: &str) {
        if !ANY.load(Ordering::SeqCst) {
            return;
        }
        let waiting = armed()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(point, instance_id.to_owned()));
        if let Some(waiting) = waiting {
            let _ = waiting.reached.send(());
            let _ = waiting.release.await;
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[tokio::test]
        async fn an_armed_point_holds_the_first_arrival_of_its_instance_only() {
            let mut held = arm(Point::RolePermissions, "ins_a");
            pause(Point::RolePermissions, "ins_b").await;
            pause(Point::OrganizationChange, "ins_a").await;
            let first = tokio::spawn(pause(Point::RolePermissions, "ins_a"));
            held.reached().await;
            pause(Point::RolePermissions, "ins_a").await;
            assert!(!first.is_finished());
            held.release();
            first.await.unwrap();
        }
    }
}
