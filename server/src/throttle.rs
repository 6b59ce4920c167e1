//! Limits in memory: [`Throttle`] slows down repeated failures per key, [`RateLimit`]
//! caps how often something may happen per key.
//!
//! [`Throttle`] slows down repeated failures per key (an address and a login, or an address): the
//! first `free` failures cost nothing, then each further attempt must wait twice as long
//! as the one before (1 s, 2 s, 4 s... up to `longest`). A success clears the key. Kept in
//! memory, bounded in size: keys whose wait is long over are forgotten first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys remembered (about 30 MB at the longest keys).
const MAX_KEYS: usize = 100_000;

pub struct Throttle {
    free: u32,
    longest: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(free: u32, longest: Duration) -> Self {
        Throttle { free, longest, failures: Mutex::new(HashMap::new()) }
    }

    /// How long after its last failure `key` must wait, having failed `count` times.
    fn delay(&self, count: u32) -> Duration {
        match count.checked_sub(self.free) {
            None | Some(0) => Duration::ZERO,
            Some(over) => Duration::from_secs(1u64 << (over - 1).min(30)).min(self.longest),
        }
    }

    /// `Err(wait)` while `key` must wait before trying again.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match failures.get(key) {
            Some(&(count, last)) => {
                let until = last + self.delay(count);
                if now < until {
                    Err(until - now)
                } else {
                    Ok(())
                }
            }
            None => Ok(()),
        }
    }

    /// Counts a failure for `key`.
    pub fn failed(&self, key: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_KEYS && !failures.contains_key(key) {
            // Forget keys idle for twice the longest wait; if all are recent, the oldest half.
            let idle = self.longest * 2;
            failures.retain(|_, (_, last)| now.duration_since(*last) < idle);
            if failures.len() >= MAX_KEYS {
                let mut lasts: Vec<Instant> = failures.values().map(|(_, last)| *last).collect();
                lasts.sort();
                let cut = lasts[lasts.len() / 2];
                failures.retain(|_, (_, last)| *last > cut);
            }
        }
        let entry = failures.entry(key.to_string()).or_insert((0, now));
        // A key quiet for twice the longest wait starts over.
        if now.duration_since(entry.1) >= self.longest * 2 {
            entry.0 = 0;
        }
        entry.0 += 1;
        entry.1 = now;
    }

    /// Clears `key` after a success.
    pub fn succeeded(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }

    #[cfg(test)]
    fn keys(&self) -> Vec<String> {
        self.failures.lock().unwrap().keys().cloned().collect()
    }
}

/// At most `max` per key in each window of `window`: events, or an amount such as bytes
/// (a fixed window: a burst at a window's edge may reach twice `max`). Bounded in size
/// like [`Throttle`].
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
    fn waits_grow_after_the_free_failures_and_a_success_clears_them() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(t.check("a|anna", start).is_ok());
            t.failed("a|anna", start);
        }
        assert!(t.check("a|anna", start).is_ok(), "three failures are free");
        t.failed("a|anna", start);
        assert_eq!(t.check("a|anna", start).unwrap_err(), Duration::from_secs(1));
        t.failed("a|anna", start + Duration::from_secs(1));
        assert_eq!(t.check("a|anna", start + Duration::from_secs(1)).unwrap_err(), Duration::from_secs(2));
        for i in 0..20 {
            t.failed("a|anna", start + Duration::from_secs(2 + i));
        }
        assert_eq!(t.check("a|anna", start + Duration::from_secs(21)).unwrap_err(), Duration::from_secs(60), "capped");
        assert!(t.check("b|anna", start).is_ok(), "per key");
        t.succeeded("a|anna");
        assert!(t.check("a|anna", start + Duration::from_secs(21)).is_ok());
    }

    #[test]
    fn memory_stays_bounded() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for i in 0..(MAX_KEYS + 10) {
            t.failed(&format!("k{i}"), start + Duration::from_millis(i as u64));
        }
        let keys = t.keys();
        assert!(keys.len() <= MAX_KEYS);
        assert!(keys.contains(&format!("k{}", MAX_KEYS + 9)), "the newest key is kept");
    }
}
