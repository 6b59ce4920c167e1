//! Keyboard shortcuts of the inbox (the `?` sheet lists them): which key does what, and
//! when a key belongs to the page rather than to what the user is typing.

use el_protocol::DialogId;

/// The shortcuts as the `?` sheet shows them: keys, then what they do.
pub fn sheet() -> [(&'static str, &'static str); 9] {
    [
        (tr!(keys_j), tr!(key_next)),
        (tr!(keys_k), tr!(key_previous)),
        ("/", tr!(key_search)),
        ("R", tr!(key_reply)),
        ("E", tr!(key_end)),
        ("Enter · Shift+Enter", tr!(key_send)),
        ("/", tr!(key_quick_replies)),
        ("Ctrl+B · Ctrl+I · Ctrl+K", tr!(key_formatting)),
        ("?", tr!(key_this_list)),
    ]
}

/// True when the key goes to a text field, a list box or a modal, not to the page's shortcuts.
pub fn is_typing(e: &web_sys::KeyboardEvent) -> bool {
    e.ctrl_key() || e.meta_key() || in_modal_or_list(e) || target_within(e, "input, textarea, [contenteditable]")
}

/// True when a modal is open, or the key goes to a select, a list box or a menu.
pub fn in_modal_or_list(e: &web_sys::KeyboardEvent) -> bool {
    let in_modal = leptos::prelude::document().query_selector("[role=dialog]").ok().flatten().is_some();
    in_modal || target_within(e, "select, [role=listbox], [role=menu]")
}

fn target_within(e: &web_sys::KeyboardEvent, selectors: &str) -> bool {
    use wasm_bindgen::JsCast;
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|t| t.closest(selectors).ok().flatten().is_some())
}

/// The dialog `step` places away from `current` in `ids` (the first one when none is
/// open); `None` past either end.
pub fn neighbour(ids: &[DialogId], current: Option<DialogId>, step: isize) -> Option<DialogId> {
    let Some(at) = current.and_then(|c| ids.iter().position(|id| *id == c)) else {
        return ids.first().copied();
    };
    ids.get(at.checked_add_signed(step)?).copied()
}

/// Calls `on_key` for every key pressed on the page until the handle is removed. Every
/// key listener of the app goes through this one, so Leptos's listener code is in the
/// wasm once, not once per listener.
pub fn on_key(on_key: impl Fn(web_sys::KeyboardEvent) + 'static) -> leptos::prelude::WindowListenerHandle {
    let on_key: Box<dyn Fn(web_sys::KeyboardEvent)> = Box::new(on_key);
    leptos::prelude::window_event_listener(leptos::ev::keydown, on_key)
}
