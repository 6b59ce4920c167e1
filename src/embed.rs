//! The app inside a host's page (`/embed/frame/...`, mounted by the server's
//! `/embed/lines.js`). It has no cookie: the host hands it an embed session's token by
//! postMessage, and every call and the socket carry that token. It tells the host what
//! happens ("open-dialog", "open-record", "dialog-closed", "unauthorized") and how tall
//! it is, only to the origin that handed it the token.

use crate::store::{InboxStore, Session};
use el_protocol::crm::Entity;
use js_sys::{Object, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Where embedded views live.
pub const FRAME_PREFIX: &str = "/embed/frame/";

/// Custom properties a host may set for the components, as `--el-NAME`, and the
/// app's own properties each sets.
const THEME: [(&str, &[&str]); 8] = [
    ("accent", &["--accent", "--accent-dark", "--accent-text"]),
    ("bg", &["--bg"]),
    ("panel", &["--panel"]),
    ("text", &["--text"]),
    ("muted", &["--muted"]),
    ("line", &["--line"]),
    ("radius", &["--radius"]),
    ("font", &["font-family"]),
];

thread_local! {
    /// The host's origin, from the message that brought the token.
    static HOST: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Whether [`start`] has run.
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// Is this page an embedded view?
pub fn is_embedded() -> bool {
    let path = window().location().pathname().ok().and_then(|p| el_web_client::base::within(&p));
    path.is_some_and(|p| p.starts_with(FRAME_PREFIX))
}

/// Marks the page as embedded (`html.embedded`: no app chrome, the host's sizing).
pub fn mark_page() {
    let _ = document().document_element().map(|root| root.class_list().add_1("embedded"));
}

/// Listens to the host for tokens (the first, and new ones after "unauthorized"); each
/// signs the app in as the token's user. Then asks the host for one. The first embedded
/// view to draw starts it, once a page: it lives in their part, not in the first wasm.
pub fn start(session: Session, inbox: InboxStore) {
    if STARTED.with(|started| started.replace(true)) {
        return;
    }
    let listener = window_event_listener(leptos::ev::message, move |event| {
        let Some(parent) = window().parent().ok().flatten() else { return };
        let from_parent = event.source().is_some_and(|source| Object::is(&source, parent.as_ref()));
        if !from_parent || field(&event.data(), "el").as_deref() != Some("token") {
            return;
        }
        let Some(token) = field(&event.data(), "token").filter(|t| is_token(t)) else { return };
        HOST.with(|h| *h.borrow_mut() = Some(event.origin()));
        if let Ok(theme) = Reflect::get(&event.data(), &"theme".into()) {
            apply_theme(&theme);
        }
        el_web_client::http::use_session_token(Some(token));
        spawn_local(async move {
            match crate::api::me().await {
                Ok(me) => crate::begin_session(session, inbox, me),
                Err(_) => session.signed_out(),
            }
        });
    });
    // The page lives as long as the listener.
    std::mem::forget(listener);
    hand_links_to_the_host();
    post_to_host(&message("ready"), "*");
}

/// Links of ours inside a component (a CRM record in the chat, a dialog) would turn
/// the frame into the whole app: the host is told instead ("open-record",
/// "open-dialog") and decides. Files and links to other sites open as usual.
fn hand_links_to_the_host() {
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let link = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten());
        let Some(link) = link else { return };
        let href = link.get_attribute("href").unwrap_or_default();
        let ours = href.starts_with('/') && !href.starts_with("//");
        let Some(href) = ours.then(|| el_web_client::base::within(&href)).flatten() else { return };
        if link.has_attribute("download") || link.get_attribute("target").is_some() {
            return;
        }
        event.prevent_default();
        event.stop_immediate_propagation();
        let path: Vec<&str> = href.split(['?', '#']).next().unwrap_or_default().split('/').collect();
        match path.as_slice() {
            ["", "crm", entity, id] => {
                if let (Some(entity), Ok(id)) = (Entity::parse(entity), id.parse::<i64>()) {
                    emit("open-record", &[("entity", entity.as_str().into()), ("id", id.into())]);
                }
            }
            ["", "lines", id] => {
                if let Ok(id) = id.parse::<i64>() {
                    emit("open-dialog", &[("dialog", id.into())]);
                }
            }
            _ => {}
        }
    });
    let _ = window().add_event_listener_with_callback_and_bool("click", on_click.as_ref().unchecked_ref(), true);
    on_click.forget();
}

/// Tells the host that `name` happened, with `detail` (a JSON object's fields).
pub fn emit(name: &str, detail: &[(&str, JsValue)]) {
    let Some(host) = HOST.with(|h| h.borrow().clone()) else { return };
    let data = message("event");
    let _ = Reflect::set(&data, &"name".into(), &name.into());
    let details = Object::new();
    for (key, value) in detail {
        let _ = Reflect::set(&details, &(*key).into(), value);
    }
    let _ = Reflect::set(&data, &"detail".into(), &details);
    post_to_host(&data, &host);
}

/// Tells the host how tall the view is now, in CSS pixels.
pub fn report_height(px: f64) {
    let Some(host) = HOST.with(|h| h.borrow().clone()) else { return };
    let data = message("height");
    let _ = Reflect::set(&data, &"px".into(), &px.ceil().into());
    post_to_host(&data, &host);
}

fn message(kind: &str) -> Object {
    let data = Object::new();
    let _ = Reflect::set(&data, &"el".into(), &kind.into());
    data
}

fn post_to_host(data: &JsValue, origin: &str) {
    if let Some(parent) = window().parent().ok().flatten() {
        let _ = parent.post_message(data, origin);
    }
}

fn field(data: &JsValue, name: &str) -> Option<String> {
    Reflect::get(data, &name.into()).ok()?.as_string()
}

/// A session token as the server makes them (so nothing else reaches a URL).
fn is_token(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The host's colours and font, each a short value without anything that could end a
/// declaration.
fn apply_theme(theme: &JsValue) {
    let Some(root) = document().document_element() else { return };
    let style = root.unchecked_into::<web_sys::HtmlElement>().style();
    for (name, properties) in THEME {
        let Some(value) = field(theme, name).filter(|v| v.len() <= 200 && !v.contains([';', '{', '}', '<'])) else {
            continue;
        };
        for property in properties {
            let _ = style.set_property(property, &value);
        }
    }
}
