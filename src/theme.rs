//! Light or dark colours: the user's choice (kept on the server, and in this browser so
//! the sign-in page uses it too), or the system's when they chose none, followed live.

use el_protocol::api::Theme;
use el_web_client::theme;
use leptos::prelude::*;
use std::cell::Cell;

/// Where this browser remembers the last choice.
const KEY: &str = "el-theme";

thread_local! {
    static CHOSEN: Cell<Theme> = const { Cell::new(Theme::System) };
}

/// Applies `theme` to the page and remembers it in this browser.
pub fn apply(theme: Theme) {
    CHOSEN.set(theme);
    show(theme);
    if let Some(storage) = window().local_storage().ok().flatten() {
        let _ = storage.set_item(KEY, theme.as_str());
    }
}

/// At start: the choice this browser remembers, and the system's colours followed while
/// the user has chosen none.
pub fn start() {
    let remembered = window().local_storage().ok().flatten().and_then(|s| s.get_item(KEY).ok().flatten());
    apply(remembered.as_deref().and_then(Theme::parse).unwrap_or_default());
    theme::on_system_change(|| show(CHOSEN.get()));
}

fn show(chosen: Theme) {
    theme::show(match chosen {
        Theme::Dark => Some(true),
        Theme::Light => Some(false),
        Theme::System => None,
    });
}
