//! The website chat widget: a visitor writes to the company and sees the operators'
//! answers live. It runs in an iframe served by the External Lines server.

mod api;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// A text of the widget in its language (`locales/*.json`), placeholders filled.
macro_rules! tr {
    ($key:ident $(, $($args:tt)*)?) => {
        $crate::i18n::td_string!($crate::locale(), $key $(, $($args)*)?)
    };
}

use el_protocol::api::{human_size, Attachment, Receipt, WidgetMessage, WidgetSession};
use el_protocol::events::{Frame, TYPING_EVERY_MS, TYPING_SHOWN_MS};
use el_protocol::{MessageId, Seq};
use el_web_client::socket::{Ended, Socket};
use el_web_client::theme;
use el_web_client::upload::{Cancel, CANCELLED};
use gloo_timers::future::sleep;
use i18n::{I18nLocaleTrait, Locale};
use leptos::html::Ol;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::time::Duration;

const CLOSE_UNAUTHORIZED: u16 = 4401;

/// A parameter of the iframe's address (`?channel=`, `?theme=`).
fn param(name: &str) -> Option<String> {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get(name))
}

/// The widget's language: `?lang=` (the host page's `data-lang`, passed by the loader),
/// else the first of the visitor's browser languages the widget has.
fn locale() -> Locale {
    thread_local! {
        static LOCALE: Locale = {
            let asked: Vec<String> = match param("lang") {
                Some(lang) => vec![lang],
                None => web_sys::window()
                    .map(|w| w.navigator().languages().iter().filter_map(|l| l.as_string()).collect())
                    .unwrap_or_default(),
            };
            Locale::find_locale(&asked)
        };
    }
    LOCALE.with(|l| *l)
}

/// The channel key from the iframe's `?channel=`.
fn channel_key() -> String {
    param("channel").unwrap_or_default()
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

/// The widget's state.
#[derive(Clone, Copy)]
struct Chat {
    channel: StoredValue<String>,
    session: RwSignal<Option<WidgetSession>>,
    messages: RwSignal<BTreeMap<MessageId, WidgetMessage>>,
    as_of: StoredValue<Seq>,
    live: RwSignal<bool>,
    /// Grows whenever the session changes, so an old socket loop stops.
    epoch: StoredValue<u64>,
    /// The operator typing an answer, until when (ms since the epoch).
    typing: RwSignal<Option<(String, f64)>>,
}

impl Chat {
    fn add(&self, message: WidgetMessage) {
        if !message.mine {
            // The operator who typed has most likely just sent it.
            self.typing.set(None);
        }
        self.messages.update(|m| {
            m.entry(message.id).or_insert(message);
        });
    }

    /// An operator is typing: shown for a few seconds unless heard again.
    fn heard_typing(&self, name: String) {
        let until = js_sys::Date::now() + f64::from(TYPING_SHOWN_MS);
        self.typing.set(Some((name, until)));
        let typing = self.typing;
        set_timeout(
            move || {
                if typing.with_untracked(|t| t.as_ref().is_some_and(|(_, until)| *until <= js_sys::Date::now())) {
                    typing.set(None);
                }
            },
            Duration::from_millis(u64::from(TYPING_SHOWN_MS) + 50),
        );
    }

    fn forget(&self) {
        api::forget_session(&self.channel.get_value());
        self.epoch.update_value(|e| *e += 1);
        self.session.set(None);
        self.messages.set(BTreeMap::new());
    }

    /// Loads the conversation and streams new messages until the session changes.
    fn connect(self, token: String) {
        self.epoch.update_value(|e| *e += 1);
        let epoch = self.epoch.get_value();
        let current = move || self.epoch.get_value() == epoch;
        spawn_local(async move {
            let mut retry = Duration::from_millis(500);
            let mut need_snapshot = true;
            while current() {
                if need_snapshot {
                    match api::conversation(&token).await {
                        Ok(c) => {
                            self.as_of.set_value(c.as_of);
                            for m in c.messages {
                                self.add(m);
                            }
                            need_snapshot = false;
                        }
                        Err(f) if f.is_unauthorized() => return self.forget(),
                        Err(_) => {
                            sleep(retry).await;
                            retry = (retry * 2).min(Duration::from_secs(15));
                            continue;
                        }
                    }
                }
                let ended = match Socket::open(&api::socket_path(&token, self.as_of.get_value())) {
                    Ok(mut socket) => loop {
                        match socket.next::<WidgetMessage>().await {
                            Ok(_) if !current() => return,
                            Ok(Frame::Event { seq, event }) => {
                                self.as_of.set_value(seq);
                                self.add(event);
                            }
                            Ok(Frame::Live { seq }) => {
                                self.as_of.set_value(seq.max(self.as_of.get_value()));
                                self.live.set(true);
                                retry = Duration::from_millis(500);
                            }
                            Ok(Frame::Resync { .. }) => {
                                need_snapshot = true;
                                break None;
                            }
                            Ok(Frame::Typing { name, .. }) => self.heard_typing(name),
                            Err(e) => break Some(e),
                        }
                    },
                    Err(e) => Some(e),
                };
                self.live.set(false);
                match ended {
                    None => continue,
                    Some(Ended::Closed(CLOSE_UNAUTHORIZED)) => return self.forget(),
                    Some(_) => {
                        sleep(retry).await;
                        retry = (retry * 2).min(Duration::from_secs(15));
                        // The token may have been refused: the snapshot call tells.
                        need_snapshot = true;
                    }
                }
            }
        });
    }
}

/// The widget: header, conversation, and the message form (with a name field before
/// the first message).
#[component]
pub fn Widget() -> impl IntoView {
    apply_theme();
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", locale().as_str());
    }
    // Esc inside the frame closes the chat as Esc on the host page does.
    let esc = window_event_listener(leptos::ev::keydown, |e| {
        if e.key() == "Escape" && in_frame() {
            ask_to_close();
        }
    });
    on_cleanup(move || esc.remove());
    let channel = channel_key();
    let saved = api::saved_session(&channel);
    let chat = Chat {
        channel: StoredValue::new(channel),
        session: RwSignal::new(saved.clone()),
        messages: RwSignal::new(BTreeMap::new()),
        as_of: StoredValue::new(0),
        live: RwSignal::new(false),
        epoch: StoredValue::new(0),
        typing: RwSignal::new(None),
    };
    if let Some(s) = saved {
        chat.connect(s.token);
    }

    let name = RwSignal::new(String::new());
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The visitor's session, started with the name they typed on their first message.
    let session = move || async move {
        if let Some(s) = chat.session.get_untracked() {
            return Some(s);
        }
        let typed = name.get_untracked();
        let typed = (!typed.trim().is_empty()).then_some(typed);
        match api::start(&chat.channel.get_value(), typed).await {
            Ok(s) => {
                api::save_session(&chat.channel.get_value(), &s);
                chat.session.set(Some(s.clone()));
                chat.connect(s.token.clone());
                Some(s)
            }
            Err(f) => {
                error.set(Some(f.message));
                None
            }
        }
    };
    let send = Action::new_local(move |(text, files): &(String, Vec<String>)| {
        let (text, files) = (text.clone(), files.clone());
        let key = uuid::Uuid::new_v4().to_string();
        async move {
            let Some(session) = session().await else { return };
            let only_files = !files.is_empty();
            match api::send(&session.token, text, files, key).await {
                Ok(message) => {
                    error.set(None);
                    if !only_files {
                        draft.set(String::new());
                    }
                    chat.add(message);
                }
                Err(f) if f.is_unauthorized() => {
                    chat.forget();
                    error.set(Some(f.message));
                }
                Err(f) => error.set(Some(f.message)),
            }
        }
    });
    let sending = send.pending();
    let submit = move || {
        let text = draft.get_untracked();
        if !text.trim().is_empty() && !sending.get_untracked() {
            send.dispatch((text, Vec::new()));
        }
    };
    // A chosen file uploads with its progress (cancellable) and is sent on its own.
    let uploading = RwSignal::new(None::<(String, f64)>);
    let cancel = StoredValue::new_local(None::<Cancel>);
    let picker: NodeRef<leptos::html::Input> = NodeRef::new();
    let attach = move |file: web_sys::File| {
        spawn_local(async move {
            let Some(session) = session().await else { return };
            if let Some(reason) = session.limits.refusal(&file.name(), file.size() as u64, 0) {
                return error.set(Some(reason));
            }
            uploading.set(Some((file.name(), 0.0)));
            let progress = move |share| {
                uploading.update(|u| {
                    if let Some(u) = u {
                        u.1 = share
                    }
                })
            };
            let result = match api::upload(&session.token, &file, progress) {
                Ok(upload) => {
                    cancel.set_value(Some(upload.canceller()));
                    upload.finish::<Attachment>().await
                }
                Err(f) => Err(f),
            };
            uploading.set(None);
            cancel.set_value(None);
            match result {
                Ok(file) => {
                    send.dispatch((String::new(), vec![file.id]));
                }
                Err(f) if f.message == CANCELLED => error.set(None),
                Err(f) => error.set(Some(f.message)),
            }
        });
    };

    // Operators see "typing" while the visitor writes (said at most every few seconds).
    let said_typing = StoredValue::new(f64::MIN);
    let typed = move || {
        let now = js_sys::Date::now();
        let token = chat.session.with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
        if let Some(token) = token.filter(|_| now - said_typing.get_value() >= f64::from(TYPING_EVERY_MS)) {
            said_typing.set_value(now);
            spawn_local(async move {
                // A lost signal only means "typing" shows a little later.
                let _ = api::typing(&token).await;
            });
        }
    };
    // Operators see "Delivered" on the newest answer once this page has it, and "Seen"
    // once the visitor has it in view. (Reported up to: delivered, seen.)
    let reported = StoredValue::new((MessageId(0), MessageId(0)));
    let report_read = move || {
        let newest = chat.messages.with_untracked(|m| m.values().rev().find(|m| !m.mine).map(|m| m.id));
        let token = chat.session.with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
        let (Some(newest), Some(token)) = (newest, token) else { return };
        let (delivered, seen) = reported.get_value();
        let how = if newest > seen && chat_in_view() {
            Receipt::Seen
        } else if newest > delivered {
            Receipt::Delivered
        } else {
            return;
        };
        reported.set_value((newest, if how == Receipt::Seen { newest } else { seen }));
        spawn_local(async move {
            let _ = api::received(&token, newest, how).await;
        });
    };
    Effect::new(move |_| {
        chat.messages.track();
        report_read();
    });
    // Opening the chat resizes its frame from nothing; coming back to the page shows it.
    let resized = window_event_listener(leptos::ev::resize, move |_| report_read());
    let shown = window_event_listener_untyped("visibilitychange", move |_| report_read());
    on_cleanup(move || {
        resized.remove();
        shown.remove();
    });
    let list: NodeRef<Ol> = NodeRef::new();
    Effect::new(move |_| {
        let count = chat.messages.with(BTreeMap::len);
        if let (Some(el), true) = (list.get(), count > 0) {
            el.set_scroll_top(el.scroll_height());
        }
    });
    let shown = move || chat.messages.with(|m| m.values().cloned().collect::<Vec<_>>());
    let reconnecting = move || chat.session.with(Option::is_some) && !chat.live.get();

    view! {
        <div class="widget">
            <header class="widget__header">
                <div>
                    <h1>{tr!(chat_with_us)}</h1>
                    <p>{tr!(we_answer_soon)}</p>
                </div>
                <Show when=in_frame>
                    <button type="button" class="widget__close" aria-label=tr!(close_chat) on:click=|_| ask_to_close()>
                        "×"
                    </button>
                </Show>
            </header>
            <Show when=reconnecting>
                <div class="widget__status" role="status">{tr!(connecting)}</div>
            </Show>
            <ol class="widget__messages" node_ref=list aria-label=tr!(conversation) aria-live="polite">
                <Show when=move || chat.messages.with(BTreeMap::is_empty)>
                    <li class="widget__intro">{tr!(hello)}</li>
                </Show>
                <For each=shown key=|m| m.id let:m>
                    <li class="bubble" class:bubble--mine=m.mine>
                        {m.author_name.clone().map(|a| view! { <span class="bubble__author">{a}</span> })}
                        {(!m.text.is_empty()).then(|| view! {
                            <div class="bubble__text markdown" inner_html=m.html.clone()></div>
                        })}
                        {files(chat, m.attachments.clone())}
                        <time class="bubble__time">{clock(m.created_at)}</time>
                    </li>
                </For>
            </ol>
            <p class="widget__typing" role="status">
                {move || chat.typing.with(|t| t.as_ref().map(|(name, _)| tr!(is_typing, name).to_string()))}
            </p>
            <form
                class="widget__form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                <Show when=move || error.with(Option::is_some)>
                    <p class="widget__error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <Show when=move || chat.session.with(Option::is_none)>
                    <input
                        aria-label=tr!(your_name)
                        placeholder=tr!(your_name_optional)
                        maxlength="80"
                        autocomplete="name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </Show>
                {move || uploading.get().map(|(file, share)| view! {
                    <div class="widget__upload" role="status">
                        <span class="widget__upload-name">{tr!(sending_file, file = file.clone()).to_string()}</span>
                        <progress max="1" value=share aria-label=tr!(uploading_file, file).to_string()></progress>
                        <button
                            type="button"
                            class="widget__upload-cancel"
                            aria-label=tr!(cancel_upload)
                            on:click=move |_| cancel.with_value(|c| if let Some(c) = c { c.cancel() })
                        >
                            "×"
                        </button>
                    </div>
                })}
                <div class="widget__row">
                    <button
                        type="button"
                        class="widget__attach"
                        aria-label=tr!(attach_file)
                        title=tr!(attach_file)
                        disabled=move || uploading.with(Option::is_some)
                        on:click=move |_| {
                            if let Some(el) = picker.get_untracked() {
                                el.click();
                            }
                        }
                    >
                        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
                            <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"/>
                        </svg>
                    </button>
                    <input
                        type="file"
                        class="widget__file-input"
                        tabindex="-1"
                        aria-hidden="true"
                        node_ref=picker
                        on:change=move |ev| {
                            let el = event_target::<web_sys::HtmlInputElement>(&ev);
                            if let Some(file) = el.files().and_then(|f| f.get(0)) {
                                attach(file);
                            }
                            el.set_value("");
                        }
                    />
                    <textarea
                        aria-label=tr!(message)
                        placeholder=tr!(write_message)
                        rows="2"
                        prop:value=move || draft.get()
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            if !text.trim().is_empty() {
                                typed();
                            }
                            draft.set(text);
                        }
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                                ev.prevent_default();
                                submit();
                            }
                        }
                    ></textarea>
                    <button
                        type="submit"
                        class="widget__send"
                        disabled=move || sending.get() || draft.with(|d| d.trim().is_empty())
                    >
                        {tr!(send)}
                    </button>
                </div>
            </form>
        </div>
    }
}

/// Whether the visitor can see the chat: the page is in front, and the chat is open (a
/// closed chat's frame has no size).
fn chat_in_view() -> bool {
    let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
    visible && window().inner_height().ok().and_then(|h| h.as_f64()).is_some_and(|h| h > 0.0)
}

/// The files of a message: images as thumbnails opening full size, others as links.
fn files(chat: Chat, attachments: Vec<Attachment>) -> Option<impl IntoView> {
    let token = chat.session.with_untracked(|s| s.as_ref().map(|s| s.token.clone()))?;
    (!attachments.is_empty()).then(|| {
        view! {
            <ul class="bubble__files">
                {attachments
                    .into_iter()
                    .map(|a| {
                        let url = api::file_url(&token, &a);
                        if a.is_image() {
                            let src = url.clone();
                            view! {
                                <li>
                                    <a href=url target="_blank" rel="noopener noreferrer">
                                        <img class="bubble__image" src=src alt=a.name/>
                                    </a>
                                </li>
                            }
                            .into_any()
                        } else {
                            let label = format!("{} ({})", a.name, human_size(a.size));
                            view! {
                                <li>
                                    <a class="bubble__file" href=url download=a.name>
                                        {label}
                                    </a>
                                </li>
                            }
                            .into_any()
                        }
                    })
                    .collect_view()}
            </ul>
        }
    })
}

/// "14:05" in the visitor's time zone.
fn clock(at: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}
