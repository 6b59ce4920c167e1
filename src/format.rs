//! How times and names are shown.

use el_protocol::Millis;
use wasm_bindgen::JsValue;

/// The time of a message as lists show it: "14:05" today, "Yesterday", or "12.11.2026".
pub fn list_time(at: Millis) -> String {
    let then = js_sys::Date::new(&JsValue::from_f64(at as f64));
    let now = js_sys::Date::now();
    if same_day(at, now as Millis) {
        return clock(&then);
    }
    if same_day(at, (now - 86_400_000.0) as Millis) {
        return "Yesterday".into();
    }
    format!("{:02}.{:02}.{}", then.get_date(), then.get_month() + 1, then.get_full_year())
}

/// The day a chat's messages are grouped under: "Today", "Yesterday", or "12.11.2026".
pub fn day_label(at: Millis) -> String {
    match list_time(at) {
        clock if clock.contains(':') => "Today".into(),
        day => day,
    }
}

/// Whether two moments fall on the same day in the browser's time zone.
pub fn same_day(a: Millis, b: Millis) -> bool {
    let (a, b) = (js_sys::Date::new(&JsValue::from_f64(a as f64)), js_sys::Date::new(&JsValue::from_f64(b as f64)));
    a.get_full_year() == b.get_full_year() && a.get_month() == b.get_month() && a.get_date() == b.get_date()
}

/// "14:05" in the browser's time zone.
pub fn clock_time(at: Millis) -> String {
    clock(&js_sys::Date::new(&JsValue::from_f64(at as f64)))
}

fn clock(d: &js_sys::Date) -> String {
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// The first letter of a name, for avatars.
pub fn initial(name: &str) -> String {
    name.trim().chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_else(|| "?".into())
}

/// How long someone has waited: "waiting 4 min", "waiting 2 h", "waiting 3 d".
pub fn waiting_label(elapsed_ms: i64) -> String {
    let minutes = (elapsed_ms / 60_000).max(0);
    match minutes {
        0 => "waiting <1 min".into(),
        m if m < 60 => format!("waiting {m} min"),
        m if m < 60 * 24 => format!("waiting {} h", m / 60),
        m => format!("waiting {} d", m / (60 * 24)),
    }
}

/// A list's preview of a dialog's last message: "You: ...", "Anna: ...", or the text.
pub fn preview_line(m: &el_protocol::api::MessagePreview, me: Option<el_protocol::UserId>) -> String {
    format!("{}{}", author_prefix(&m.author, me), el_protocol::markdown::to_plain_text(&m.text))
}

/// Who wrote a line a list shows: "You: ", "Anna: ", "Anna (note): ", or nothing for
/// the client and the system.
pub fn author_prefix(author: &el_protocol::api::Author, me: Option<el_protocol::UserId>) -> String {
    use el_protocol::api::Author;
    match author {
        Author::Operator { user_id, .. } if Some(*user_id) == me => "You: ".to_string(),
        Author::Operator { name, .. } => format!("{name}: "),
        Author::Note { name, .. } => format!("{name} (note): "),
        Author::Client { .. } | Author::System => String::new(),
    }
}
