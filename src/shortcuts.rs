//! Keyboard shortcuts of the inbox (the `?` sheet lists them): which key does what, and
//! when a key belongs to the page rather than to what the user is typing.

use el_protocol::DialogId;

/// The shortcuts as the `?` sheet shows them: keys, then what they do.
pub const SHEET: [(&str, &str); 8] = [
    ("J or Alt+↓", "Next dialog in the list"),
    ("K or Alt+↑", "Previous dialog in the list"),
    ("R", "Reply: take the open unassigned dialog"),
    ("E", "End the open dialog"),
    ("Enter · Shift+Enter", "Send · new line in the message"),
    ("/", "Quick replies, in the message box"),
    ("Ctrl+B · Ctrl+I · Ctrl+K", "Bold · italic · link"),
    ("?", "This list"),
];

/// True when the key goes to a text field, a list box or a modal, not to the page's shortcuts.
pub fn is_typing(e: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    let in_modal = leptos::prelude::document().query_selector("[role=dialog]").ok().flatten().is_some();
    let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    in_modal
        || e.ctrl_key()
        || e.meta_key()
        || target.is_some_and(|t| {
            t.closest("input, textarea, select, [contenteditable], [role=listbox], [role=menu]")
                .ok()
                .flatten()
                .is_some()
        })
}

/// The dialog `step` places away from `current` in `ids` (the first one when none is
/// open); `None` past either end.
pub fn neighbour(ids: &[DialogId], current: Option<DialogId>, step: isize) -> Option<DialogId> {
    let Some(at) = current.and_then(|c| ids.iter().position(|id| *id == c)) else {
        return ids.first().copied();
    };
    ids.get(at.checked_add_signed(step)?).copied()
}
