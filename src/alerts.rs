//! Telling the user about new client messages while they look elsewhere: browser
//! notifications, a short sound, and the unread count in the page title and on the
//! favicon. Which events alert whom is `el_protocol::alerts`; this is the browser side.

use el_protocol::alerts::{Alert, AlertKind};
use el_protocol::api::UserSettings;
use leptos::prelude::{RwSignal, Set};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

const TITLE: &str = "External Lines";
const FAVICON: &str = include_str!("../public/favicon.svg");

/// The app is not what the user looks at: another tab, window or application.
pub fn in_background() -> bool {
    let document = leptos::prelude::document();
    document.hidden() || !document.has_focus().unwrap_or(true)
}

/// Whether the browser lets the app show notifications (`None`: it has none).
pub fn permission() -> Option<NotificationPermission> {
    has_notifications().then(Notification::permission)
}

fn has_notifications() -> bool {
    js_sys::Reflect::has(&leptos::prelude::window(), &"Notification".into()).unwrap_or(false)
}

/// Asks the browser for permission to notify (call it from a click); `answer` gets the
/// answer.
pub fn ask_permission(answer: RwSignal<Option<NotificationPermission>>) {
    let Ok(promise) = Notification::request_permission() else { return };
    leptos::task::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        let _ = answer.try_set(Some(Notification::permission()));
    });
}

/// A notification's title: why it comes, and the dialog.
fn title(alert: &Alert) -> String {
    let name = alert.name.clone();
    match &alert.kind {
        AlertKind::NewDialog => tr!(alert_new_dialog, name).to_string(),
        AlertKind::Offered => tr!(alert_offered, name).to_string(),
        AlertKind::Message => name,
        AlertKind::Mention { by } => tr!(alert_mention, by = by.clone(), name).to_string(),
    }
}

/// Tells the user of `alert` as their settings say, when they look elsewhere or at
/// another chat than the one it is about; `open` shows its chat (a notification's click).
pub fn tell(alert: &Alert, settings: UserSettings, chat_on_screen: bool, open: impl Fn() + 'static) {
    let background = in_background();
    if !background && chat_on_screen {
        return;
    }
    if settings.notify_sound {
        beep();
    }
    if background && settings.notify_desktop && permission() == Some(NotificationPermission::Granted) {
        let options = NotificationOptions::new();
        options.set_body(alert.body.as_deref().unwrap_or(tr!(alert_take_it)));
        options.set_tag(&format!("dialog-{}", alert.dialog));
        if let Ok(note) = Notification::new_with_options(&title(alert), &options) {
            let shown = note.clone();
            let click = Closure::once_into_js(move || {
                let _ = leptos::prelude::window().focus();
                open();
                shown.close();
            });
            note.set_onclick(Some(click.unchecked_ref()));
        }
    }
}

/// Shows `path` of the app (under its base path) from outside the router (a
/// notification's click): the router follows history changes announced by `popstate`.
pub fn go_to(path: &str) {
    let window = leptos::prelude::window();
    if let Ok(history) = window.history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&el_web_client::base::at(path)));
        if let Ok(event) = web_sys::Event::new("popstate") {
            let _ = window.dispatch_event(&event);
        }
    }
}

/// Shortest time between two chimes: a burst of messages makes one sound, not a hundred.
const CHIME_GAP_MS: f64 = 1500.0;
/// How long title and favicon changes wait for more (a burst of messages repaints the
/// favicon once).
const BADGE_DELAY_MS: i32 = 100;

thread_local! {
    static LAST_CHIME: std::cell::Cell<f64> = const { std::cell::Cell::new(f64::NEG_INFINITY) };
    /// The unread count to show next, while its repaint is pending.
    static BADGE_PENDING: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
    /// The unread count the title and favicon show: none as the page opens (index.html's
    /// own title and icon), so the first count of none repaints nothing (a favicon change
    /// makes the browser draw the new icon on the page's main thread).
    static BADGE_SHOWN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// The page's audio context, made at the user's first gesture ([`start`]).
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> = const { std::cell::RefCell::new(None) };
}

/// Makes the page's audio context at the user's first click, tap or key press: browsers
/// let a page play sound only after the user has touched it (a context made before that
/// stays silent), and opening one costs the browser a moment (its audio device, some
/// 200 ms in headless Chromium), so it is made once, then, and kept.
pub fn start() {
    let window = leptos::prelude::window();
    let made = Closure::<dyn Fn()>::new(|| {
        AUDIO.with(|a| {
            let mut a = a.borrow_mut();
            if a.is_none() {
                *a = web_sys::AudioContext::new().ok();
            }
        })
    });
    let once = web_sys::AddEventListenerOptions::new();
    once.set_once(true);
    once.set_capture(true);
    for event in ["pointerdown", "keydown"] {
        let _ = window.add_event_listener_with_callback_and_add_event_listener_options(
            event,
            made.as_ref().unchecked_ref(),
            &once,
        );
    }
    made.forget();
}

/// A short, quiet two-tone chime made on the spot (no sound file to download), at most
/// one per [`CHIME_GAP_MS`].
fn beep() {
    let now = js_sys::Date::now();
    if now - LAST_CHIME.with(std::cell::Cell::get) < CHIME_GAP_MS {
        return;
    }
    // No context yet: the user has not touched the page, and browsers play no sound
    // before that.
    let Some(audio) = AUDIO.with(|a| a.borrow().clone()) else { return };
    LAST_CHIME.with(|c| c.set(now));
    if audio.state() == web_sys::AudioContextState::Suspended {
        let _ = audio.resume();
    }
    let now = audio.current_time();
    for (i, pitch) in [880.0, 1320.0].into_iter().enumerate() {
        let (Ok(tone), Ok(gain)) = (audio.create_oscillator(), audio.create_gain()) else { return };
        let start = now + i as f64 * 0.12;
        tone.frequency().set_value(pitch);
        let _ = gain.gain().set_value_at_time(0.08, start);
        let _ = gain.gain().exponential_ramp_to_value_at_time(0.0001, start + 0.18);
        let _ = tone.connect_with_audio_node(&gain).and_then(|_| gain.connect_with_audio_node(&audio.destination()));
        let _ = tone.start_with_when(start);
        let _ = tone.stop_with_when(start + 0.2);
    }
}

/// Shows `unread` messages in the page title ("(3) External Lines") and as a badge on
/// the favicon; none: the plain title and icon. Changes close together are shown once,
/// the last of them.
pub fn show_unread(unread: u32) {
    if BADGE_PENDING.with(|p| p.replace(Some(unread))).is_some() {
        return;
    }
    let repaint = Closure::once_into_js(|| {
        if let Some(n) = BADGE_PENDING.with(std::cell::Cell::take) {
            if BADGE_SHOWN.with(|s| s.replace(n)) != n {
                paint_unread(n);
            }
        }
    });
    let window = leptos::prelude::window();
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(repaint.unchecked_ref(), BADGE_DELAY_MS);
}

fn paint_unread(unread: u32) {
    let document = leptos::prelude::document();
    let (title, icon) = match unread {
        0 => (TITLE.to_string(), FAVICON.to_string()),
        n => (format!("({n}) {TITLE}"), badged(n)),
    };
    if document.title() != title {
        document.set_title(&title);
    }
    if let Ok(Some(link)) = document.query_selector("link[rel='icon']") {
        let href = format!("data:image/svg+xml,{}", String::from(js_sys::encode_uri_component(&icon)));
        let _ = link.set_attribute("href", &href);
    }
}

/// The favicon with a red badge holding `n` (99+ beyond).
fn badged(n: u32) -> String {
    let label = if n > 99 { "99+".to_string() } else { n.to_string() };
    let size = if label.len() > 2 { 9 } else { 12 };
    let badge = format!(
        r##"<circle cx="23" cy="9" r="9" fill="#dc2626" stroke="#fff" stroke-width="1.5"/><text x="23" y="13" font-family="Arial,sans-serif" font-size="{size}" font-weight="700" text-anchor="middle" fill="#fff">{label}</text></svg>"##
    );
    FAVICON.trim_end().trim_end_matches("</svg>").to_string() + &badge
}
