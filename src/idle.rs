//! Work that may wait until the browser has painted what it draws now.

use leptos::prelude::{request_animation_frame, window};
use std::time::Duration;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The longest such work waits for an idle moment.
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// Waits for the browser's first idle moment, as [`after_paint`] does.
pub async fn painted() {
    let (painted, idle) = futures::channel::oneshot::channel();
    after_paint(move || {
        let _ = painted.send(());
    });
    let _ = idle.await;
}

/// Runs `work` in the browser's first idle moment: after it has painted what it draws
/// now and handled what waits (a click, a timer), at most [`IDLE_WAIT`] later. Where
/// idle callbacks are missing (Safari), in a timer set in the next frame's callback,
/// which runs once that frame is painted.
pub fn after_paint(work: impl FnOnce() + 'static) {
    let work = Closure::once_into_js(work);
    let window = window();
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(IDLE_WAIT.as_millis() as u32);
    if window.request_idle_callback_with_options(work.unchecked_ref(), &options).is_err() {
        let work: js_sys::Function = work.unchecked_into();
        request_animation_frame(move || {
            let _ = window.set_timeout_with_callback(&work);
        });
    }
}
