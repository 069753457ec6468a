//! A latency histogram with about 3 % precision and fixed memory.
//!
//! Values (microseconds) below 64 have a bucket each; above, each power of two is split
//! into 32 buckets, as HdrHistogram does with two significant digits, so percentiles are
//! read without keeping every sample.

use std::time::Duration;

/// Buckets below this value are exact.
const LINEAR: u64 = 64;
/// Sub-buckets per power of two above [`LINEAR`].
const SUB: u64 = 32;
/// Enough buckets for about 2^40 µs (12 days).
const BUCKETS: usize = 35 * SUB as usize + LINEAR as usize;

/// Counts of latencies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum_us: u128,
    max_us: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: vec![0; BUCKETS],
            count: 0,
            sum_us: 0,
            max_us: 0,
        }
    }
}

fn index(us: u64) -> usize {
    if us < LINEAR {
        return us as usize;
    }
    let exponent = 63 - u64::from(us.leading_zeros());
    let shift = exponent - 5;
    let idx = (shift * SUB + (us >> shift)) as usize;
    idx.min(BUCKETS - 1)
}

/// The middle of bucket `idx`, in microseconds.
fn value(idx: usize) -> u64 {
    let idx = idx as u64;
    if idx < LINEAR {
        return idx;
    }
    let shift = idx / SUB - 1;
    let low = (idx - shift * SUB) << shift;
    low + ((1u64 << shift) >> 1)
}

impl Histogram {
    /// Counts one latency.
    pub fn record(&mut self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.counts[index(us)] += 1;
        self.count += 1;
        self.sum_us += u128::from(us);
        self.max_us = self.max_us.max(us);
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Self) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.count += other.count;
        self.sum_us += other.sum_us;
        self.max_us = self.max_us.max(other.max_us);
    }

    /// How many latencies were counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The latency below which `quantile` (0..=1) of the counted ones fall, in milliseconds;
    /// 0 when empty.
    pub fn quantile_ms(&self, quantile: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((quantile.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (idx, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return value(idx).min(self.max_us) as f64 / 1000.0;
            }
        }
        self.max_us as f64 / 1000.0
    }

    /// The mean latency in milliseconds; 0 when empty.
    pub fn mean_ms(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        self.sum_us as f64 / self.count as f64 / 1000.0
    }

    /// The largest latency in milliseconds.
    pub fn max_ms(&self) -> f64 {
        self.max_us as f64 / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_values_fall_in_their_bucket() {
        let mut previous = 0;
        for us in 0..1_000_000u64 {
            let idx = index(us);
            assert!(idx == previous || idx == previous + 1, "{us}");
            previous = idx;
        }
        for us in [0, 1, 63, 64, 65, 100, 1_000, 12_345, 999_999, 5_000_000] {
            let middle = value(index(us));
            let error = (middle as f64 - us as f64).abs() / (us.max(1) as f64);
            assert!(error <= 0.032, "{us} read as {middle}");
        }
    }

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut h = Histogram::default();
        for ms in 1..=1000u64 {
            h.record(Duration::from_millis(ms));
        }
        assert_eq!(h.count(), 1000);
        let near = |got: f64, want: f64| (got - want).abs() / want < 0.035;
        assert!(near(h.quantile_ms(0.5), 500.0), "{}", h.quantile_ms(0.5));
        assert!(near(h.quantile_ms(0.95), 950.0), "{}", h.quantile_ms(0.95));
        assert!(near(h.quantile_ms(0.99), 990.0), "{}", h.quantile_ms(0.99));
        assert!(h.quantile_ms(1.0) <= 1000.0);
        assert!((h.mean_ms() - 500.5).abs() < 0.01);
        assert!((h.max_ms() - 1000.0).abs() < 0.01);
        let mut merged = Histogram::default();
        merged.merge(&h);
        merged.merge(&h);
        assert_eq!(merged.count(), 2000);
        assert!(near(merged.quantile_ms(0.5), 500.0));
        assert_eq!(Histogram::default().quantile_ms(0.99), 0.0);
    }
}
