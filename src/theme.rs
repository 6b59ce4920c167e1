//! Light or dark colours: the user's choice (kept on the server, and in this browser so
//! the sign-in page and the first paint use it too), or the system's when they chose none.

use el_protocol::api::Theme;
use leptos::prelude::*;

/// Where this browser remembers the last choice.
const KEY: &str = "el-theme";

/// Applies `theme` to the page (the stylesheet reads `data-theme` on `<html>`) and
/// remembers it in this browser.
pub fn apply(theme: Theme) {
    if let Some(root) = document().document_element() {
        let _ = match theme {
            Theme::System => root.remove_attribute("data-theme"),
            chosen => root.set_attribute("data-theme", chosen.as_str()),
        };
    }
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(KEY, theme.as_str());
    }
}

/// Applies the choice this browser remembers, before the server has answered.
pub fn apply_remembered() {
    let remembered = window().local_storage().ok().flatten().and_then(|s| s.get_item(KEY).ok().flatten());
    if let Some(theme) = remembered.as_deref().and_then(Theme::parse) {
        apply(theme);
    }
}
