//! "Offered to you · 0:42" on a dialog offered to the reader in turn: the time left
//! to take it with Reply before it passes to the next operator.

use el_protocol::queue::time_left;
use leptos::prelude::*;

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
        <span class="mark mark--offer" title=tr!(offer_title)>
            {tr!(offered_to_you)}
            <span class="mark__time">{move || time_left(until, now.get())}</span>
        </span>
    }
}
