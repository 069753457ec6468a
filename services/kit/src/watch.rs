//! Waiting for a record to change, across replicas: PostgreSQL `LISTEN/NOTIFY` feeding an
//! in-process registry of waiters keyed by record id (for long polling).
//!
//! A service notifies a channel in the transaction that changes a record (`pg_notify(channel,
//! id::text)`, delivered only on commit, so a rolled-back change wakes nobody). Each process
//! keeps one [`Watch`] and runs [`Watch::listen`] as a worker: one dedicated connection
//! (never one of the service's pool) that turns each notification into a wake-up of the
//! waiters of that id, whichever replica committed the change.
//!
//! A request that wants to wait [`Watch::subscribe`]s **before** it re-reads the record, and
//! then awaits [`Waiter::changed`]: a change committed after the subscription is never
//! missed, and one committed before it is seen by the re-read. Waiting holds no database
//! connection. Entries are removed when their last waiter leaves, and the number of waiters
//! is capped: beyond the cap `subscribe` says no, and the caller answers at once.
//!
//! When the listening connection fails, notifications are lost until it is back: every
//! waiter is woken on failure and again once listening resumes, so that each re-reads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sqlx::PgPool;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The registry of waiters of one `NOTIFY` channel; cloning shares it.
#[derive(Clone, Debug)]
pub struct Watch {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    channel: &'static str,
    max_waiters: usize,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Per watched id, the sender whose version is bumped on each change.
    slots: HashMap<Uuid, watch::Sender<u64>>,
    /// Waiters registered, over every id.
    waiters: usize,
    /// Set at shutdown: nobody may wait any more.
    closed: bool,
}

impl Watch {
    /// A registry for the ids notified on `channel`, holding at most `max_waiters` waiters
    /// at once.
    #[must_use]
    pub fn new(channel: &'static str, max_waiters: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                channel,
                max_waiters,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// The `NOTIFY` channel this registry listens to.
    #[must_use]
    pub fn channel(&self) -> &'static str {
        self.inner.channel
    }

    /// How many waiters are registered right now.
    #[must_use]
    pub fn waiters(&self) -> usize {
        self.inner.lock().waiters
    }

    /// How many ids have waiters right now.
    #[must_use]
    pub fn watched(&self) -> usize {
        self.inner.lock().slots.len()
    }

    /// Registers a waiter for `id`: it sees every change notified from now on. `None` when
    /// [the cap](Watch::new) is reached or the service is shutting down; the caller then
    /// answers without waiting.
    #[must_use]
    pub fn subscribe(&self, id: Uuid) -> Option<Waiter> {
        let mut state = self.inner.lock();
        if state.closed || state.waiters >= self.inner.max_waiters {
            return None;
        }
        // A new receiver counts what was sent before it as seen.
        let receiver = state
            .slots
            .entry(id)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        state.waiters += 1;
        Some(Waiter {
            id,
            receiver: Some(receiver),
            inner: Arc::clone(&self.inner),
        })
    }

    /// Wakes the waiters of `id` (what a notification naming it does).
    pub fn notify(&self, id: Uuid) {
        if let Some(slot) = self.inner.lock().slots.get(&id) {
            slot.send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// Wakes every waiter (notifications may have been lost), so that each re-reads.
    pub fn notify_all(&self) {
        for slot in self.inner.lock().slots.values() {
            slot.send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// Refuses new waiters and wakes the present ones for good: the service is stopping.
    pub fn close(&self) {
        let mut state = self.inner.lock();
        state.closed = true;
        // Dropping the senders ends every waiter's `changed`.
        state.slots.clear();
    }

    /// Turns `NOTIFY <channel>` (payload: an id) into wake-ups until `shutdown`, then
    /// [closes](Watch::close) the registry. Run it as a supervised worker, one per process.
    ///
    /// Listens on a connection of its own ([`crate::notify::listen`]). Whenever
    /// notifications may have been missed (before the first connection, while
    /// disconnected), every waiter is woken to look again.
    pub async fn listen(self, pool: PgPool, shutdown: CancellationToken) {
        crate::notify::listen(
            &pool,
            self.channel(),
            &shutdown,
            |payload| match payload.parse::<Uuid>() {
                Ok(id) => self.notify(id),
                Err(_) => tracing::debug!(
                    payload,
                    channel = self.channel(),
                    "ignoring a notification that names no id"
                ),
            },
            || self.notify_all(),
        )
        .await;
        self.close();
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while holding it (every change of it
        // is a single step), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One registered waiter of an id; leaving (dropping it) unregisters it.
#[derive(Debug)]
pub struct Waiter {
    id: Uuid,
    receiver: Option<watch::Receiver<u64>>,
    inner: Arc<Inner>,
}

impl Waiter {
    /// The id waited for.
    #[must_use]
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Waits for the next change of the id since subscribing or the last `changed`:
    /// `true` when there was one (re-read the record), `false` when the registry was
    /// closed (the service is stopping: answer now).
    pub async fn changed(&mut self) -> bool {
        match self.receiver.as_mut() {
            Some(receiver) => receiver.changed().await.is_ok(),
            None => false,
        }
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        let mut state = self.inner.lock();
        state.waiters = state.waiters.saturating_sub(1);
        // Drop the receiver under the lock, so that the count below cannot race a new
        // subscription to the same id.
        self.receiver = None;
        if state
            .slots
            .get(&self.id)
            .is_some_and(|slot| slot.receiver_count() == 0)
        {
            state.slots.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const SOON: Duration = Duration::from_millis(50);
    const LONG: Duration = Duration::from_secs(10);

    async fn wakes(waiter: &mut Waiter, within: Duration) -> Option<bool> {
        tokio::time::timeout(within, waiter.changed()).await.ok()
    }

    #[tokio::test]
    async fn a_change_of_the_id_wakes_its_waiters_only() {
        let watch = Watch::new("test", 10);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let mut first = watch.subscribe(a).expect("room");
        let mut second = watch.subscribe(a).expect("room");
        let mut other = watch.subscribe(b).expect("room");
        watch.notify(a);
        assert_eq!(wakes(&mut first, LONG).await, Some(true));
        assert_eq!(wakes(&mut second, LONG).await, Some(true));
        assert_eq!(wakes(&mut other, SOON).await, None, "b did not change");
        // Seen once; the next `changed` waits for the next change.
        assert_eq!(wakes(&mut first, SOON).await, None);
    }

    #[tokio::test]
    async fn a_change_between_subscribing_and_waiting_is_not_lost() {
        let watch = Watch::new("test", 10);
        let id = Uuid::new_v4();
        let mut waiter = watch.subscribe(id).expect("room");
        // Notified while the waiter re-reads the record, before it awaits.
        watch.notify(id);
        assert_eq!(wakes(&mut waiter, LONG).await, Some(true));
    }

    #[tokio::test]
    async fn a_change_before_subscribing_is_not_seen() {
        let watch = Watch::new("test", 10);
        let id = Uuid::new_v4();
        let _early = watch.subscribe(id).expect("room");
        watch.notify(id);
        let mut late = watch.subscribe(id).expect("room");
        assert_eq!(wakes(&mut late, SOON).await, None);
    }

    #[tokio::test]
    async fn notify_all_wakes_everyone() {
        let watch = Watch::new("test", 10);
        let mut a = watch.subscribe(Uuid::new_v4()).expect("room");
        let mut b = watch.subscribe(Uuid::new_v4()).expect("room");
        watch.notify_all();
        assert_eq!(wakes(&mut a, LONG).await, Some(true));
        assert_eq!(wakes(&mut b, LONG).await, Some(true));
    }

    #[test]
    fn entries_go_with_their_last_waiter() {
        let watch = Watch::new("test", 10);
        let id = Uuid::new_v4();
        let first = watch.subscribe(id).expect("room");
        let second = watch.subscribe(id).expect("room");
        assert_eq!((watch.waiters(), watch.watched()), (2, 1));
        drop(first);
        assert_eq!((watch.waiters(), watch.watched()), (1, 1));
        drop(second);
        assert_eq!((watch.waiters(), watch.watched()), (0, 0));
        // Nobody waits: a notification finds nothing and leaves nothing behind.
        watch.notify(id);
        assert_eq!(watch.watched(), 0);
    }

    #[test]
    fn waiters_are_capped() {
        let watch = Watch::new("test", 2);
        let a = watch.subscribe(Uuid::new_v4()).expect("room");
        let _b = watch.subscribe(Uuid::new_v4()).expect("room");
        assert!(watch.subscribe(Uuid::new_v4()).is_none(), "full");
        drop(a);
        assert!(watch.subscribe(Uuid::new_v4()).is_some(), "room again");
    }

    #[tokio::test]
    async fn closing_ends_every_wait_and_refuses_new_ones() {
        let watch = Watch::new("test", 10);
        let id = Uuid::new_v4();
        let mut waiter = watch.subscribe(id).expect("room");
        watch.close();
        assert_eq!(wakes(&mut waiter, LONG).await, Some(false));
        assert_eq!(wakes(&mut waiter, LONG).await, Some(false));
        assert!(watch.subscribe(id).is_none());
        drop(waiter);
        assert_eq!(watch.waiters(), 0);
    }
}
