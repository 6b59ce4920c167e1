//! The website chat widget: a visitor writes to the company and sees the operators'
//! answers live. It runs in an iframe served by the External Lines server.
//!
//! Every visitor of a customer's site loads it, so it is written on the browser's own
//! APIs (DOM, `fetch`, `WebSocket`, `JSON`) without a framework or serde: `view` builds
//! the page once, and the [`Widget`] below changes the parts that change.

mod api;
pub mod dom;
pub mod json;
pub mod net;
pub mod texts;
pub mod view;

use dom::{flag, listen, show};
use el_protocol::api::Receipt;
use el_protocol::events::{TYPING_EVERY_MS, TYPING_SHOWN_MS};
use el_web_client::theme;
use el_web_client::upload::Cancel;
use json::{Frame, Message, Session};
use net::Heard;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use texts::{Language, Text};
use view::View;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, KeyboardEvent};

/// The socket's close code for a session the server no longer knows.
const CLOSE_UNAUTHORIZED: u16 = 4401;
/// Reconnecting waits this long at first, doubling up to [`RETRY_MAX_MS`].
const RETRY_FIRST_MS: u32 = 500;
const RETRY_MAX_MS: u32 = 15_000;
/// How often a second first action looks whether the session it waits for has started.
const STARTING_POLL_MS: u32 = 50;

/// A parameter of the iframe's address (`?channel=`, `?theme=`, `?lang=`).
fn param(name: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get(name))
}

thread_local! {
    /// `?lang=` (the host page's `data-lang`, passed by the loader), else the first of
    /// the visitor's browser languages the widget speaks.
    static LANGUAGE: Language = Language::pick(&match param("lang") {
        Some(lang) => vec![lang],
        None => web_sys::window()
            .map(|w| w.navigator().languages().iter().filter_map(|l| l.as_string()).collect())
            .unwrap_or_default(),
    });
}

/// The widget's language.
pub fn language() -> Language {
    LANGUAGE.with(|l| *l)
}

/// `text` in the widget's language.
pub fn say(text: Text) -> &'static str {
    language().text(text)
}

/// `?theme=light|dark` (the host page's choice, passed by the loader) sets the colours;
/// without it they follow the system, live.
fn apply_theme() {
    let chosen = param("theme").and_then(|t| match t.as_str() {
        "dark" => Some(true),
        "light" => Some(false),
        _ => None,
    });
    theme::show(chosen);
    if chosen.is_none() {
        theme::on_system_change(|| theme::show(None));
    }
}

/// Inside the loader's frame: asks the host page to close the chat (the loader listens
/// only to this frame, and the message carries nothing else).
fn ask_to_close() {
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        let _ = parent.post_message(&wasm_bindgen::JsValue::from_str("external-lines:close"), "*");
    }
}

/// True when the widget runs in a host page's frame (not opened on its own).
fn in_frame() -> bool {
    web_sys::window().is_some_and(|w| w.parent().ok().flatten().is_some_and(|p| p != w))
}

/// Whether the visitor can see the chat: the page is in front, and the chat is open (a
/// closed chat's frame has no size).
fn chat_in_view() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let visible = dom::document().visibility_state() == web_sys::VisibilityState::Visible;
    visible && window.inner_height().ok().and_then(|h| h.as_f64()).is_some_and(|h| h > 0.0)
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Calls `then` after `ms` milliseconds.
fn after(ms: u32, then: impl FnOnce() + 'static) {
    spawn_local(async move {
        net::sleep(ms).await;
        then();
    });
}

/// The widget: its page and what it knows.
pub struct Widget {
    channel: String,
    pub view: View,
    session: RefCell<Option<Session>>,
    /// The messages shown, by id: whether the visitor's own, and their bubbles.
    shown: RefCell<BTreeMap<i64, (bool, Element)>>,
    /// The log position the conversation is complete up to.
    as_of: Cell<i64>,
    live: Cell<bool>,
    /// Grows whenever the session changes, so an old socket loop stops.
    epoch: Cell<u64>,
    /// Until when "… is typing" shows (ms since the epoch).
    typing_until: Cell<f64>,
    sending: Cell<bool>,
    /// A session is being started.
    starting: Cell<bool>,
    upload: RefCell<Option<Cancel>>,
    said_typing: Cell<f64>,
    /// The newest operator message reported delivered, and seen.
    reported: Cell<(i64, i64)>,
}

/// Starts the widget in the page's body.
pub fn start() {
    net::speak();
    apply_theme();
    if let Some(root) = dom::document().document_element() {
        let _ = root.set_attribute("lang", language().code());
    }
    let widget = Widget::new(param("channel").unwrap_or_default());
    if let Some(body) = dom::document().body() {
        let _ = body.append_child(&widget.view.root);
    }
    widget.wire();
    if let Some(token) = widget.token() {
        widget.connect(token);
    }
}

impl Widget {
    /// A widget for `channel` (the channel key of the iframe's `?channel=`) with the
    /// session this browser keeps for it, if any; not yet listening or connected.
    pub fn new(channel: String) -> Rc<Widget> {
        let view = View::build();
        show(&view.close, in_frame());
        let session = api::saved_session(&channel);
        let widget = Rc::new(Widget {
            channel,
            view,
            session: RefCell::new(session),
            shown: RefCell::new(BTreeMap::new()),
            as_of: Cell::new(0),
            live: Cell::new(false),
            epoch: Cell::new(0),
            typing_until: Cell::new(0.0),
            sending: Cell::new(false),
            starting: Cell::new(false),
            upload: RefCell::new(None),
            said_typing: Cell::new(f64::MIN),
            reported: Cell::new((0, 0)),
        });
        widget.refresh();
        widget
    }

    fn token(&self) -> Option<String> {
        self.session.borrow().as_ref().map(|s| s.token.clone())
    }

    /// Shows `message` in its place by id (once, however often it arrives).
    pub fn add(&self, message: &Message) {
        if !message.mine {
            // The operator who typed has most likely just sent it.
            self.stop_typing();
        }
        let Some(token) = self.token() else { return };
        {
            let mut shown = self.shown.borrow_mut();
            if shown.contains_key(&message.id) {
                return;
            }
            let bubble = view::bubble(message, &token);
            let next = shown.range(message.id + 1..).next().map(|(_, (_, el))| el.clone());
            let _ = self.view.list.insert_before(&bubble, next.as_ref().map(|e| e.as_ref()));
            shown.insert(message.id, (message.mine, bubble));
        }
        show(&self.view.intro, false);
        let list = &self.view.list;
        list.set_scroll_top(list.scroll_height());
        self.report_read();
    }

    /// The ids of the messages shown, in their order on the page.
    pub fn shown(&self) -> Vec<i64> {
        self.shown.borrow().keys().copied().collect()
    }

    /// Brings what shows in line with what the widget knows.
    fn refresh(&self) {
        let has_session = self.session.borrow().is_some();
        show(&self.view.status, has_session && !self.live.get());
        show(&self.view.name, !has_session);
        let blank = self.view.draft.value().trim().is_empty();
        flag(&self.view.send, "disabled", self.sending.get() || blank);
        flag(&self.view.attach, "disabled", self.upload.borrow().is_some());
    }

    fn set_error(&self, message: Option<&str>) {
        self.view.error.set_text_content(message);
        show(&self.view.error, message.is_some());
    }

    /// An operator is typing: shown for a few seconds unless heard again.
    fn heard_typing(self: &Rc<Self>, name: &str) {
        self.typing_until.set(now() + f64::from(TYPING_SHOWN_MS));
        self.view.typing.set_text_content(Some(&language().fill(Text::IsTyping, "name", name)));
        let widget = self.clone();
        after(TYPING_SHOWN_MS + 50, move || {
            if widget.typing_until.get() <= now() {
                widget.stop_typing();
            }
        });
    }

    fn stop_typing(&self) {
        self.typing_until.set(0.0);
        self.view.typing.set_text_content(None);
    }

    /// Forgets a session the server no longer knows, and its conversation.
    fn forget(&self) {
        api::forget_session(&self.channel);
        self.epoch.set(self.epoch.get() + 1);
        self.session.replace(None);
        for (_, (_, bubble)) in std::mem::take(&mut *self.shown.borrow_mut()) {
            bubble.remove();
        }
        show(&self.view.intro, true);
        self.live.set(false);
        self.refresh();
    }

    /// Loads the conversation and streams new messages until the session changes.
    fn connect(self: &Rc<Self>, token: String) {
        self.epoch.set(self.epoch.get() + 1);
        let epoch = self.epoch.get();
        let widget = self.clone();
        spawn_local(async move {
            let current = || widget.epoch.get() == epoch;
            let mut retry = RETRY_FIRST_MS;
            // Each round loads the conversation, then listens until the socket ends.
            while current() {
                match api::conversation(&token).await {
                    Ok(_) if !current() => return,
                    Ok((as_of, messages)) => {
                        widget.as_of.set(as_of);
                        for m in &messages {
                            widget.add(m);
                        }
                    }
                    Err(f) if f.is_unauthorized() => return widget.forget(),
                    Err(_) => {
                        net::sleep(retry).await;
                        retry = (retry * 2).min(RETRY_MAX_MS);
                        continue;
                    }
                }
                let resync = Rc::new(Cell::new(false));
                let listener = (widget.clone(), resync.clone());
                let code = net::socket(&api::socket_path(&token, widget.as_of.get()), move |text| {
                    let (widget, resync) = &listener;
                    if widget.epoch.get() != epoch {
                        return Heard::Enough;
                    }
                    match Frame::read(text) {
                        Some(Frame::Event { seq, message }) => {
                            widget.as_of.set(seq);
                            widget.add(&message);
                        }
                        Some(Frame::Live { seq }) => {
                            widget.as_of.set(seq.max(widget.as_of.get()));
                            widget.live.set(true);
                            widget.refresh();
                        }
                        Some(Frame::Resync) => {
                            resync.set(true);
                            return Heard::Enough;
                        }
                        Some(Frame::Typing { name }) => widget.heard_typing(&name),
                        None => {}
                    }
                    Heard::More
                })
                .await;
                if !current() {
                    return;
                }
                let was_live = widget.live.replace(false);
                widget.refresh();
                if code == CLOSE_UNAUTHORIZED && !resync.get() {
                    return widget.forget();
                }
                if !resync.get() {
                    // A lost socket waits before the next round; the token may have been
                    // refused, which the conversation's call then tells.
                    if was_live {
                        retry = RETRY_FIRST_MS;
                    }
                    net::sleep(retry).await;
                    retry = (retry * 2).min(RETRY_MAX_MS);
                }
            }
        });
    }

    /// The visitor's session, started with the name they typed on their first message.
    /// A second first action (a file chosen while the first message is starting the
    /// session) waits for that session instead of starting another.
    pub async fn session(self: &Rc<Self>) -> Option<Session> {
        while self.starting.get() {
            net::sleep(STARTING_POLL_MS).await;
        }
        if let Some(s) = self.session.borrow().clone() {
            return Some(s);
        }
        let typed = self.view.name.value();
        let typed = (!typed.trim().is_empty()).then_some(typed);
        self.starting.set(true);
        let started = api::start(&self.channel, typed).await;
        self.starting.set(false);
        match started {
            Ok(s) => {
                api::save_session(&self.channel, &s);
                self.session.replace(Some(s.clone()));
                self.refresh();
                self.connect(s.token.clone());
                Some(s)
            }
            Err(f) => {
                self.set_error(Some(&f.message));
                None
            }
        }
    }

    /// Sends the draft, unless it is blank or a message is on its way.
    fn submit(self: &Rc<Self>) {
        let text = self.view.draft.value();
        if !text.trim().is_empty() && !self.sending.get() {
            spawn_local(self.clone().deliver(text, Vec::new()));
        }
    }

    /// Sends a message of `text` and uploaded `files`.
    async fn deliver(self: Rc<Self>, text: String, files: Vec<String>) {
        self.sending.set(true);
        self.refresh();
        let key = uuid::Uuid::new_v4().to_string();
        let sent = match self.session().await {
            Some(session) => Some(api::send(&session.token, &text, &files, &key).await),
            None => None,
        };
        self.sending.set(false);
        match sent {
            None => {}
            Some(Ok(message)) => {
                self.set_error(None);
                // What the visitor typed meanwhile stays.
                if !text.is_empty() && self.view.draft.value() == text {
                    self.view.draft.set_value("");
                }
                self.add(&message);
            }
            Some(Err(f)) => {
                if f.is_unauthorized() {
                    self.forget();
                }
                self.set_error(Some(&f.message));
            }
        }
        self.refresh();
    }

    /// Uploads a chosen file with its progress (cancellable) and sends it on its own.
    fn attach(self: &Rc<Self>, file: web_sys::File) {
        let widget = self.clone();
        spawn_local(async move {
            let Some(session) = widget.session().await else { return };
            if let Some(reason) = session.limits.refusal(&file.name(), file.size() as u64, 0) {
                return widget.set_error(Some(&reason));
            }
            let name = file.name();
            widget.view.uploading(&name, 0.0);
            let progress = {
                let widget = widget.clone();
                move |share| widget.view.uploading(&name, share)
            };
            let result = match api::upload(&session.token, &file, progress) {
                Ok(upload) => {
                    widget.upload.replace(Some(upload.canceller()));
                    show(&widget.view.upload, true);
                    widget.refresh();
                    api::uploaded(upload).await
                }
                Err(f) => Err(f),
            };
            widget.upload.replace(None);
            show(&widget.view.upload, false);
            widget.refresh();
            match result {
                Ok(Some(file)) => widget.deliver(String::new(), vec![file.id]).await,
                Ok(None) => widget.set_error(None),
                Err(f) => widget.set_error(Some(&f.message)),
            }
        });
    }

    /// Operators see "typing" while the visitor writes (said at most every few seconds).
    fn typed(&self) {
        let Some(token) = self.token() else { return };
        if now() - self.said_typing.get() >= f64::from(TYPING_EVERY_MS) {
            self.said_typing.set(now());
            // A lost signal only means "typing" shows a little later.
            spawn_local(async move {
                let _ = api::typing(&token).await;
            });
        }
    }

    /// Operators see "Delivered" on the newest answer once this page has it, and "Seen"
    /// once the visitor has it in view.
    fn report_read(&self) {
        let Some(token) = self.token() else { return };
        let newest = self.shown.borrow().iter().rev().find(|(_, (mine, _))| !mine).map(|(id, _)| *id);
        let Some(newest) = newest else { return };
        let (delivered, seen) = self.reported.get();
        let how = if newest > seen && chat_in_view() {
            Receipt::Seen
        } else if newest > delivered {
            Receipt::Delivered
        } else {
            return;
        };
        self.reported.set((newest, if how == Receipt::Seen { newest } else { seen }));
        spawn_local(async move {
            let _ = api::received(&token, newest, how).await;
        });
    }

    /// Connects the page's controls to the widget.
    fn wire(self: &Rc<Self>) {
        let v = &self.view;
        let window = web_sys::window().expect("the widget runs in a window");
        // Esc inside the frame closes the chat as Esc on the host page does.
        listen(&window, "keydown", |e| {
            if e.unchecked_into::<KeyboardEvent>().key() == "Escape" && in_frame() {
                ask_to_close();
            }
        });
        listen(&v.close, "click", |_| ask_to_close());
        // Opening the chat resizes its frame from nothing; coming back to the page shows it.
        let widget = self.clone();
        listen(&window, "resize", move |_| widget.report_read());
        let widget = self.clone();
        listen(&dom::document(), "visibilitychange", move |_| widget.report_read());
        let widget = self.clone();
        listen(&v.form, "submit", move |e| {
            e.prevent_default();
            widget.submit();
        });
        let widget = self.clone();
        listen(&v.draft, "input", move |_| {
            if !widget.view.draft.value().trim().is_empty() {
                widget.typed();
            }
            widget.refresh();
        });
        let widget = self.clone();
        listen(&v.draft, "keydown", move |e| {
            let key: KeyboardEvent = e.unchecked_into();
            if key.key() == "Enter" && !key.shift_key() && !key.is_composing() {
                key.prevent_default();
                widget.submit();
            }
        });
        let picker = v.picker.clone();
        listen(&v.attach, "click", move |_| picker.click());
        let widget = self.clone();
        listen(&v.picker, "change", move |_| {
            let picker = &widget.view.picker;
            if let Some(file) = picker.files().and_then(|f| f.get(0)) {
                widget.attach(file);
            }
            picker.set_value("");
        });
        let widget = self.clone();
        listen(&v.upload_cancel, "click", move |_| {
            if let Some(cancel) = widget.upload.borrow().as_ref() {
                cancel.cancel();
            }
        });
    }
}
