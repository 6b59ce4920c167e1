//! Light or dark colours for the operator app and the widget: both stylesheets read
//! `data-theme="light|dark"` on `<html>`, set here from a choice or from the system.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

/// Shows the dark colours when `dark` says so, or when the system asks for them if
/// there is no choice (`None`).
pub fn show(dark: Option<bool>) {
    let Some(window) = web_sys::window() else { return };
    let dark = dark.unwrap_or_else(|| window.match_media(DARK_QUERY).ok().flatten().is_some_and(|q| q.matches()));
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
    }
}

/// Calls `changed` whenever the system switches between light and dark, for the page's
/// whole life.
pub fn on_system_change(changed: impl Fn() + 'static) {
    let Some(query) = web_sys::window().and_then(|w| w.match_media(DARK_QUERY).ok().flatten()) else { return };
    let changed = Closure::<dyn Fn()>::new(changed);
    let _ = query.add_event_listener_with_callback("change", changed.as_ref().unchecked_ref());
    changed.forget();
}
