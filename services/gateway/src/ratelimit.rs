//! Rate limiting with GCRA (the generic cell rate algorithm): one timestamp
//! per key, so memory is a few bytes per active client.
//!
//! The state lives in memory, per gateway replica: with N replicas behind a
//! load balancer a client may get up to N times the configured rate. That is
//! a deliberate trade (no shared store on the hot path); the limits are a
//! guard against abuse, not a quota.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A limit of `n` requests per minute per key, allowing bursts of up to `n`.
#[derive(Debug)]
pub struct RateLimiter<K> {
    /// Time one request "costs" (60 s / n).
    interval: Duration,
    /// How far ahead of now a key's theoretical arrival time may run (the burst).
    tolerance: Duration,
    /// Theoretical arrival time of each key's next request.
    keys: Mutex<HashMap<K, Instant>>,
}

/// A request refused by the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    /// How long until a request of the same key would be allowed.
    pub retry_after: Duration,
}

impl Limited {
    /// `Retry-After` in whole seconds, rounded up and at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        let secs = self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        secs.max(1)
    }
}

impl<K: Eq + Hash> RateLimiter<K> {
    /// `per_minute` requests per minute per key; `None` when 0 (disabled).
    pub fn per_minute(per_minute: u32) -> Option<Self> {
        let interval = Duration::from_secs(60).checked_div(per_minute)?;
        Some(Self {
            interval,
            tolerance: interval * (per_minute - 1),
            keys: Mutex::new(HashMap::new()),
        })
    }

    fn keys(&self) -> MutexGuard<'_, HashMap<K, Instant>> {
        // A panic while holding the lock cannot leave a timestamp half-written.
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts one request of `key` at `now`, or says how long to wait.
    pub fn check(&self, key: K, now: Instant) -> Result<(), Limited> {
        let mut keys = self.keys();
        let tat = keys.get(&key).copied().map_or(now, |tat| tat.max(now));
        let allowed_from = tat.checked_sub(self.tolerance).unwrap_or(now);
        if allowed_from > now {
            return Err(Limited {
                retry_after: allowed_from - now,
            });
        }
        keys.insert(key, tat + self.interval);
        Ok(())
    }

    /// Forgets keys that have been idle long enough to have a full burst
    /// again: forgetting them changes no decision, and bounds memory by the
    /// number of keys active in the last minute.
    pub fn evict_idle(&self, now: Instant) -> usize {
        let mut keys = self.keys();
        let before = keys.len();
        keys.retain(|_, tat| *tat > now);
        before - keys.len()
    }

    /// Number of keys currently remembered.
    pub fn len(&self) -> usize {
        self.keys().len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn allows_a_burst_then_refills_one_interval_at_a_time() {
        let limiter = RateLimiter::per_minute(3).unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check("a", t0), Ok(()));
        }
        let refused = limiter.check("a", t0).unwrap_err();
        assert_eq!(refused.retry_after, secs(20));
        assert_eq!(refused.retry_after_secs(), 20);
        // Other keys are independent.
        assert_eq!(limiter.check("b", t0), Ok(()));
        // Still refused just before the interval, allowed at it, then refused again.
        assert!(limiter.check("a", t0 + secs(19)).is_err());
        assert_eq!(limiter.check("a", t0 + secs(20)), Ok(()));
        assert!(limiter.check("a", t0 + secs(20)).is_err());
        // After a minute of silence the whole burst is back.
        let later = t0 + secs(120);
        for _ in 0..3 {
            assert_eq!(limiter.check("a", later), Ok(()));
        }
    }

    #[test]
    fn refused_requests_do_not_cost_anything() {
        let limiter = RateLimiter::per_minute(1).unwrap();
        let t0 = Instant::now();
        assert_eq!(limiter.check(1, t0), Ok(()));
        for s in 0..59 {
            assert!(limiter.check(1, t0 + secs(s)).is_err());
        }
        assert_eq!(limiter.check(1, t0 + secs(60)), Ok(()));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let limited = |ms| Limited {
            retry_after: Duration::from_millis(ms),
        };
        assert_eq!(limited(1).retry_after_secs(), 1);
        assert_eq!(limited(0).retry_after_secs(), 1);
        assert_eq!(limited(1000).retry_after_secs(), 1);
        assert_eq!(limited(1001).retry_after_secs(), 2);
        // 600 per minute: 100 ms per request.
        let limiter = RateLimiter::per_minute(600).unwrap();
        let t0 = Instant::now();
        for _ in 0..600 {
            limiter.check((), t0).unwrap();
        }
        assert_eq!(limiter.check((), t0).unwrap_err().retry_after_secs(), 1);
    }

    #[test]
    fn zero_disables_the_limit() {
        assert!(RateLimiter::<u8>::per_minute(0).is_none());
    }

    #[test]
    fn idle_keys_are_evicted_without_changing_decisions() {
        let limiter = RateLimiter::per_minute(2).unwrap();
        let t0 = Instant::now();
        limiter.check("busy", t0).unwrap();
        limiter.check("busy", t0).unwrap();
        limiter.check("quiet", t0).unwrap();
        assert_eq!(limiter.len(), 2);
        // At t0+30 s "quiet" has a full burst again; "busy" does not.
        assert_eq!(limiter.evict_idle(t0 + secs(30)), 1);
        assert_eq!(limiter.len(), 1);
        assert!(limiter.check("busy", t0 + secs(29)).is_err());
        assert_eq!(limiter.evict_idle(t0 + secs(61)), 1);
        assert!(limiter.is_empty());
    }
}
