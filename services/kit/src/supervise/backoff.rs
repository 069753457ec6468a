//! When a failed worker is started again: exponential backoff with a cap, forgiven once
//! the worker has run healthily for a while. Pure functions of the failure history.

use std::time::Duration;

/// How a supervisor restarts its workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// Delay before the first restart after a healthy run.
    pub initial_delay: Duration,
    /// Upper bound of the delay, however often the worker failed in a row.
    pub max_delay: Duration,
    /// A worker that ran at least this long before failing counts as healthy: its failure
    /// starts a new series at [`RestartPolicy::initial_delay`].
    pub healthy_after: Duration,
}

impl Default for RestartPolicy {
    /// One second, doubling up to 30 s; forgiven after a minute of running.
    ///
    /// The relay and consumers already ride out broker and database outages themselves, so
    /// a worker that ends is a bug or a panic: restarting it at once would only loop.
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            healthy_after: Duration::from_secs(60),
        }
    }
}

impl RestartPolicy {
    /// The number of failures in the current series once a worker that ran for `ran_for`
    /// failed, `previous` being the count before this failure.
    #[must_use]
    pub fn failures_after(&self, previous: u32, ran_for: Duration) -> u32 {
        if ran_for >= self.healthy_after {
            1
        } else {
            previous.saturating_add(1)
        }
    }

    /// The delay before restarting a worker that failed `failures` times in a row (1 for the
    /// first failure): `initial_delay × 2^(failures − 1)`, at most `max_delay`.
    #[must_use]
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.initial_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RestartPolicy {
        RestartPolicy {
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            healthy_after: Duration::from_secs(60),
        }
    }

    #[test]
    fn the_delay_doubles_from_the_initial_one() {
        let p = policy();
        assert_eq!(p.delay(1), Duration::from_millis(100));
        assert_eq!(p.delay(2), Duration::from_millis(200));
        assert_eq!(p.delay(3), Duration::from_millis(400));
        assert_eq!(p.delay(6), Duration::from_millis(3200));
    }

    #[test]
    fn the_delay_is_capped_even_after_countless_failures() {
        let p = policy();
        assert_eq!(p.delay(7), Duration::from_secs(5));
        assert_eq!(p.delay(40), Duration::from_secs(5));
        assert_eq!(p.delay(u32::MAX), Duration::from_secs(5));
    }

    #[test]
    fn zero_failures_waits_the_initial_delay() {
        assert_eq!(policy().delay(0), Duration::from_millis(100));
    }

    #[test]
    fn quick_failures_add_up() {
        let p = policy();
        let short = Duration::from_secs(1);
        let mut failures = 0;
        for expected in 1..=4 {
            failures = p.failures_after(failures, short);
            assert_eq!(failures, expected);
        }
        assert_eq!(p.failures_after(u32::MAX, short), u32::MAX);
    }

    #[test]
    fn a_healthy_run_resets_the_series() {
        let p = policy();
        assert_eq!(p.failures_after(9, Duration::from_secs(60)), 1);
        assert_eq!(p.failures_after(9, Duration::from_secs(3600)), 1);
        assert_eq!(
            p.delay(p.failures_after(9, Duration::from_secs(61))),
            p.initial_delay
        );
        assert_eq!(p.failures_after(9, Duration::from_secs(59)), 10);
    }

    #[test]
    fn the_default_is_bounded_and_forgiving() {
        let p = RestartPolicy::default();
        assert!(p.initial_delay <= p.max_delay);
        assert_eq!(p.delay(u32::MAX), p.max_delay);
        assert!(p.healthy_after > p.max_delay);
    }
}
