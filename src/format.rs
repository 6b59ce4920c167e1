//! How times and names are shown.

use crate::i18n::td_string;
use crate::language::{self, current, Kind};
use el_protocol::Millis;
use wasm_bindgen::JsValue;

/// The time of a message as lists show it: "14:05" today, "Yesterday", or "12.11.2026",
/// in the app's language.
pub fn list_time(at: Millis) -> String {
    let now = js_sys::Date::now() as Millis;
    if same_day(at, now) {
        return clock_time(at);
    }
    if same_day(at, now - 86_400_000) {
        return td_string!(current(), yesterday).to_string();
    }
    language::format(at, Kind::Date)
}

/// The day a chat's messages are grouped under: "Today", "Yesterday", or "12 November 2026".
pub fn day_label(at: Millis) -> String {
    let now = js_sys::Date::now() as Millis;
    if same_day(at, now) {
        td_string!(current(), today).to_string()
    } else if same_day(at, now - 86_400_000) {
        td_string!(current(), yesterday).to_string()
    } else {
        language::format(at, Kind::Day)
    }
}

/// Whether two moments fall on the same day in the browser's time zone.
pub fn same_day(a: Millis, b: Millis) -> bool {
    let (a, b) = (js_sys::Date::new(&JsValue::from_f64(a as f64)), js_sys::Date::new(&JsValue::from_f64(b as f64)));
    a.get_full_year() == b.get_full_year() && a.get_month() == b.get_month() && a.get_date() == b.get_date()
}

/// "14:05" (or "2:05 PM" where the user's region writes so).
pub fn clock_time(at: Millis) -> String {
    language::format(at, Kind::Time)
}

/// The first letter of a name, for avatars.
pub fn initial(name: &str) -> String {
    match name.trim().chars().next() {
        Some(first) => js_sys::JsString::from(first).to_upper_case().into(),
        None => "?".into(),
    }
}

/// `text` in lower case by the browser's own Unicode rules, the same as Rust's (whose
/// case tables would add 10 KB to the first download; `initial` likewise).
pub fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// How long someone has waited: "waiting 4 min", "waiting 2 h", "waiting 3 d".
pub fn waiting_label(elapsed_ms: i64) -> String {
    let minutes = (elapsed_ms / 60_000).max(0);
    let l = current();
    match minutes {
        0 => td_string!(l, waiting_moment).to_string(),
        m if m < 60 => td_string!(l, waiting_minutes, n = m).to_string(),
        m if m < 60 * 24 => td_string!(l, waiting_hours, n = m / 60).to_string(),
        m => td_string!(l, waiting_days, n = m / (60 * 24)).to_string(),
    }
}

/// A list's preview of a dialog's last message: "You: ...", "Anna: ...", or the text
/// (plain already: the server leaves markdown's marks out).
pub fn preview_line(m: &el_protocol::api::MessagePreview, me: Option<el_protocol::UserId>) -> String {
    format!("{}{}", author_prefix(&m.author, me), m.text)
}

/// Who wrote a line a list shows: "You: ", "Anna: ", "Anna (note): ", or nothing for
/// the client and the system.
pub fn author_prefix(author: &el_protocol::api::Author, me: Option<el_protocol::UserId>) -> String {
    use el_protocol::api::Author;
    match author {
        Author::Operator { user_id, .. } if Some(*user_id) == me => td_string!(current(), you_prefix).to_string(),
        Author::Operator { name, .. } => format!("{name}: "),
        Author::Note { name, .. } => td_string!(current(), note_prefix, name).to_string(),
        Author::Client { .. } | Author::System => String::new(),
    }
}
