//! "Offered to you · 0:42" on a dialog offered to the reader in turn: the time left
//! to take it with Reply before it passes to the next operator.

use leptos::prelude::*;

/// `m:ss` of the time left until `until` (never below zero).
pub fn time_left(until: i64, now: i64) -> String {
    let seconds = ((until - now).max(0) + 999) / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[component]
pub fn OfferCountdown(until: i64) -> impl IntoView {
    let now = RwSignal::new(js_sys::Date::now() as i64);
    let tick = set_interval_with_handle(move || now.set(js_sys::Date::now() as i64), std::time::Duration::from_secs(1));
    on_cleanup(move || {
        if let Ok(handle) = tick {
            handle.clear();
        }
    });
    view! {
        <span class="mark mark--offer" title="Offered to you in turn: press Reply to take it before the time runs out">
            "Offered to you · "
            <span class="mark__time">{move || time_left(until, now.get())}</span>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::time_left;

    #[test]
    fn the_time_left_rounds_up_to_whole_seconds() {
        assert_eq!(time_left(60_000, 0), "1:00");
        assert_eq!(time_left(42_001, 0), "0:43");
        assert_eq!(time_left(5, 10), "0:00");
    }
}
