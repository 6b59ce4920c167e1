//! Limits: [`Backoff`], the rule that slows down repeated failures (the sign-in store
//! keeps its counts where every instance sees them), and [`RateLimit`], which caps in
//! memory how often something may happen per key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys a [`RateLimit`] remembers.
const MAX_KEYS: usize = 100_000;

/// Slows down repeated failures of a key: the first `free` cost nothing, then each
/// further attempt must wait twice as long after the last failure as the one before
/// (1 s, 2 s, 4 s... up to `longest`). A key quiet for twice the longest wait starts over.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub free: u32,
    pub longest: Duration,
}

/// A key's failures so far: how many, and when the last was (ms since the epoch).
pub type Failures = Option<(u32, i64)>;

impl Backoff {
    /// How long after its last failure a key must wait, having failed `count` times.
    fn delay(&self, count: u32) -> Duration {
        match count.checked_sub(self.free) {
            None | Some(0) => Duration::ZERO,
            Some(over) => Duration::from_secs(1u64 << (over - 1).min(30)).min(self.longest),
        }
    }

    /// `Err(wait)` while a key with `failures` must wait at `now` (ms).
    pub fn check(&self, failures: Failures, now: i64) -> Result<(), Duration> {
        let Some((count, last)) = failures else { return Ok(()) };
        let waited = Duration::from_millis(now.saturating_sub(last).max(0) as u64);
        match self.delay(count).checked_sub(waited) {
            Some(wait) if !wait.is_zero() => Err(wait),
            _ => Ok(()),
        }
    }

    /// The count after one more failure at `now` (ms).
    pub fn failed(&self, failures: Failures, now: i64) -> u32 {
        match failures {
            Some((count, last)) if now.saturating_sub(last) < self.forget_after_ms() => count.saturating_add(1),
            _ => 1,
        }
    }

    /// Failures this long quiet (ms) are forgotten.
    pub fn forget_after_ms(&self) -> i64 {
        self.longest.as_millis() as i64 * 2
    }
}

/// At most `max` per key in each window of `window`: events, or an amount such as bytes
/// (a fixed window: a burst at a window's edge may reach twice `max`). Bounded in size:
/// windows that ended are forgotten first.
pub struct RateLimit {
    max: u64,
    window: Duration,
    counts: Mutex<HashMap<String, (Instant, u64)>>,
}

impl RateLimit {
    pub fn new(max: impl Into<u64>, window: Duration) -> Self {
        RateLimit { max: max.into(), window, counts: Mutex::new(HashMap::new()) }
    }

    /// Counts an event for `key`; `Err(wait)` (and not counted) when over the limit.
    pub fn hit(&self, key: &str, now: Instant) -> Result<(), Duration> {
        self.with_count(key, now, |count, max| {
            let fits = *count < max;
            *count += u64::from(fits);
            fits
        })
    }

    /// `Ok` if `amount` more fits in `key`'s current window (nothing is counted).
    pub fn fits(&self, key: &str, amount: u64, now: Instant) -> Result<(), Duration> {
        self.with_count(key, now, |count, max| count.saturating_add(amount) <= max)
    }

    /// Counts `amount` already used by `key`, even past the limit (then the next
    /// [`fits`](Self::fits) refuses until the window passes).
    pub fn charge(&self, key: &str, amount: u64, now: Instant) {
        let _ = self.with_count(key, now, |count, _| {
            *count = count.saturating_add(amount);
            true
        });
    }

    /// Runs `f` on `key`'s count in its current window; `Err(wait)` when `f` says no.
    fn with_count(&self, key: &str, now: Instant, f: impl FnOnce(&mut u64, u64) -> bool) -> Result<(), Duration> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() >= MAX_KEYS && !counts.contains_key(key) {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
            if counts.len() >= MAX_KEYS {
                // All windows are current: refuse new keys rather than forget limits.
                return Err(self.window);
            }
        }
        let (start, count) = counts.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(*start) >= self.window {
            (*start, *count) = (now, 0);
        }
        if f(count, self.max) {
            Ok(())
        } else {
            Err(self.window - now.duration_since(*start))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_refuses_beyond_its_count_until_the_window_passes() {
        let limit = RateLimit::new(3u32, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limit.hit("v1", start).is_ok());
        }
        assert_eq!(limit.hit("v1", start + Duration::from_secs(20)).unwrap_err(), Duration::from_secs(40));
        assert!(limit.hit("v2", start).is_ok(), "per key");
        assert!(limit.hit("v1", start + Duration::from_secs(60)).is_ok(), "a new window");
    }

    #[test]
    fn an_amount_limit_refuses_what_would_not_fit_and_counts_what_was_used() {
        let bytes = RateLimit::new(1000u64, Duration::from_secs(3600));
        let start = Instant::now();
        assert!(bytes.fits("channel 1", 1000, start).is_ok());
        assert!(bytes.fits("channel 1", 1001, start).is_err());
        bytes.charge("channel 1", 700, start);
        assert!(bytes.fits("channel 1", 300, start).is_ok());
        let later = start + Duration::from_secs(600);
        assert_eq!(bytes.fits("channel 1", 301, later).unwrap_err(), Duration::from_secs(3000));
        bytes.charge("channel 1", 700, start);
        assert!(bytes.fits("channel 1", 0, start).is_err(), "used past the limit: nothing more fits");
        assert!(bytes.fits("channel 2", 1000, start).is_ok(), "per key");
        assert!(bytes.fits("channel 1", 1000, start + Duration::from_secs(3600)).is_ok(), "a new window");
    }

    #[test]
    fn waits_grow_after_the_free_failures_up_to_the_longest() {
        let b = Backoff { free: 3, longest: Duration::from_secs(60) };
        let mut failures = None;
        for _ in 0..3 {
            assert!(b.check(failures, 0).is_ok());
            failures = Some((b.failed(failures, 0), 0));
        }
        assert!(b.check(failures, 0).is_ok(), "three failures are free");
        failures = Some((b.failed(failures, 0), 0));
        assert_eq!(b.check(failures, 0).unwrap_err(), Duration::from_secs(1));
        assert_eq!(b.check(failures, 400).unwrap_err(), Duration::from_millis(600));
        assert!(b.check(failures, 1000).is_ok());
        failures = Some((b.failed(failures, 1000), 1000));
        assert_eq!(b.check(failures, 1000).unwrap_err(), Duration::from_secs(2));
        for i in 0..20 {
            failures = Some((b.failed(failures, 2000 + i * 1000), 2000 + i * 1000));
        }
        assert_eq!(b.check(failures, 21_000).unwrap_err(), Duration::from_secs(60), "capped");
    }

    #[test]
    fn a_key_quiet_for_twice_the_longest_wait_starts_over() {
        let b = Backoff { free: 3, longest: Duration::from_secs(60) };
        assert_eq!(b.failed(Some((9, 0)), 119_999), 10);
        assert_eq!(b.failed(Some((9, 0)), 120_000), 1);
        assert_eq!(b.failed(None, 5), 1);
    }
}
