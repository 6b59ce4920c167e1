//! Limits repeated failures per key (a login name): after `max` failures within
//! `window`, further attempts are refused until the window has passed. Kept in memory,
//! so it resets with the server.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    pub fn new(max: u32, window: Duration) -> Self {
        Throttle { max, window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(wait)` while `key` is locked out.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match failures.get(key) {
            Some((count, since)) if *count >= self.max && now.duration_since(*since) < self.window => {
                Err(self.window - now.duration_since(*since))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failure for `key`.
    pub fn failed(&self, key: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let entry = failures.entry(key.to_string()).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
        // Keep the map small: forget windows that have passed.
        if failures.len() > 10_000 {
            failures.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        }
    }

    /// Clears `key` after a success.
    pub fn succeeded(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_until_the_window_passes() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(t.check("anna", start).is_ok());
            t.failed("anna", start);
        }
        let wait = t.check("anna", start + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(t.check("bob", start).is_ok(), "per key");
        assert!(t.check("anna", start + Duration::from_secs(61)).is_ok(), "the window passes");
        t.succeeded("anna");
        assert!(t.check("anna", start + Duration::from_secs(10)).is_ok());
    }
}
