//! The message input of a chat: a formatting toolbar (with Ctrl+B, Ctrl+I, Ctrl+K), a
//! preview of what the client will see, Enter to send and Shift+Enter for a new line,
//! `/` for quick replies (arrows and Enter pick one, its variables filled in), files
//! (paperclip, paste, or dropped on the chat) that upload while the user writes (a
//! message sent during uploads goes out when they finish), and a switch between Reply
//! and Note: a private note for colleagues, text only, never sent to the client.

use crate::components::upload_tray::UploadTray;
use crate::components::when::When;
use crate::labels::Text;
use crate::store::uploads::Uploads;
use el_protocol::events::TYPING_EVERY_MS;
use el_protocol::markdown::edit::{byte_to_utf16, link, utf16_to_byte, Edit, Format};
use el_protocol::markdown::{is_safe_link, to_safe_html};
use el_protocol::outbox::Outgoing;
use el_protocol::replies::{matching, reply_query, QuickReply, Variables};
use el_web_client::base;
use leptos::html::{Input, Textarea};
use leptos::prelude::*;

/// The files of a file list (an input's, a drop's, a paste's).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[component]
pub fn Composer(
    /// The text being written (owned by the caller, so it survives errors and switching).
    draft: RwSignal<String>,
    /// The files attached to the message being written.
    uploads: Uploads,
    /// Called with the message when the user sends (delivery shows on the message).
    on_send: Callback<Outgoing>,
    /// The quick replies `/` offers.
    #[prop(optional, into)]
    replies: Signal<Vec<QuickReply>>,
    /// What the quick replies' variables stand for in this chat.
    #[prop(optional, into)]
    variables: Signal<Variables>,
    /// Called every few seconds while the user types an answer (never a note).
    #[prop(optional)]
    on_typing: Option<Callback<()>>,
) -> impl IntoView {
    let input: NodeRef<Textarea> = NodeRef::new();
    // The composer appears when the user may write (a chat opened, Reply, Join): ready to type.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    // Quick replies matching the draft's `/query`; Escape hides them until it changes.
    let hidden_for = RwSignal::new(None::<String>);
    let offered = Memo::new(move |_| {
        draft.with(|d| {
            let query = reply_query(d).filter(|_| hidden_for.with(|h| h.as_deref() != Some(d)))?;
            Some(replies.with(|all| matching(all, query).into_iter().cloned().collect::<Vec<_>>()))
        })
    });
    let active = RwSignal::new(0usize);
    Effect::new(move |_| {
        offered.track();
        active.set(0);
    });
    let use_reply = move |reply: &QuickReply| {
        let text = variables.with_untracked(|v| v.fill(&reply.text));
        if let Some(el) = input.get_untracked() {
            el.set_value(&text);
            let _ = el.focus();
        }
        draft.set(text);
    };
    // Arrows, Enter and Escape while quick replies are offered; true when the key was theirs.
    let pick_key = move |ev: &web_sys::KeyboardEvent| -> bool {
        let Some(list) = offered.get_untracked() else { return false };
        let n = list.len();
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => active.update(|a| *a = (*a + 1) % n),
            "ArrowUp" if n > 0 => active.update(|a| *a = (*a + n - 1) % n),
            "Enter" | "Tab" if n > 0 && !ev.shift_key() => use_reply(&list[active.get_untracked().min(n - 1)]),
            "Escape" => hidden_for.set(Some(draft.get_untracked())),
            _ => return false,
        }
        ev.prevent_default();
        true
    };
    let reply_list = move || {
        let list = offered.get()?;
        if list.is_empty() {
            // Nothing to choose: a message, not an empty listbox.
            let empty = if replies.with(Vec::is_empty) { tr!(no_quick_replies) } else { tr!(no_quick_reply_matches) };
            return Some(
                view! { <p class="quick-replies quick-replies__empty" id="quick-replies" role="status">{empty}</p> }
                    .into_any(),
            );
        }
        let items = list
            .into_iter()
            .enumerate()
            .map(|(i, reply)| {
                let chosen = reply.clone();
                view! {
                    <li
                        id=format!("quick-reply-{i}")
                        role="option"
                        class="quick-replies__item"
                        aria-selected=move || (active.get() == i).to_string()
                        on:mousedown=move |ev| {
                            ev.prevent_default();
                            use_reply(&chosen);
                        }
                    >
                        <strong>{reply.title.clone()}</strong>
                        {reply.shared.then(|| view! { <span class="muted">{tr!(shared_suffix)}</span> })}
                        <span class="quick-replies__text">{reply.text.clone()}</span>
                    </li>
                }
            })
            .collect_view();
        Some(
            view! {
                <ul class="quick-replies" id="quick-replies" role="listbox" aria-label=tr!(quick_replies)>
                    {items}
                </ul>
            }
            .into_any(),
        )
    };
    let picker: NodeRef<Input> = NodeRef::new();
    let preview = RwSignal::new(false);
    let note = RwSignal::new(false);
    // "Typing" is said at most every few seconds.
    let said_typing = StoredValue::new(f64::MIN);
    let typed = move || {
        let now = js_sys::Date::now();
        if let Some(on_typing) = on_typing.filter(|_| now - said_typing.get_value() >= f64::from(TYPING_EVERY_MS)) {
            said_typing.set_value(now);
            on_typing.run(());
        }
    };
    let hint = RwSignal::new(None::<String>);
    // Sent while files were still uploading: goes out when they finish.
    let queued = RwSignal::new(false);
    let send_now = move || {
        let text = draft.get_untracked();
        if note.get_untracked() {
            // A note is text only; files wait in the tray for the next message.
            if !text.trim().is_empty() {
                on_send.run(Outgoing { text, attachments: Vec::new(), note: true });
            }
            return;
        }
        if text.trim().is_empty() && !uploads.ready() {
            return;
        }
        let attachments = uploads.take_done();
        on_send.run(Outgoing { text, attachments, note: false });
    };
    let send = move || {
        if uploads.busy() && !note.get_untracked() {
            queued.set(true);
        } else {
            send_now();
        }
    };
    Effect::new(move |_| {
        if queued.get() && !uploads.busy() {
            queued.set(false);
            send_now();
        }
    });
    // Runs an edit over the textarea's selection and puts the new selection back.
    let edit = move |make: &dyn Fn(&str, usize, usize) -> Edit| {
        let Some(el) = input.get_untracked() else { return };
        let text = draft.get_untracked();
        let start = utf16_to_byte(&text, el.selection_start().ok().flatten().unwrap_or(0));
        let end = utf16_to_byte(&text, el.selection_end().ok().flatten().unwrap_or(0));
        let e = make(&text, start, end);
        el.set_value(&e.text);
        let _ = el.set_selection_range(byte_to_utf16(&e.text, e.start), byte_to_utf16(&e.text, e.end));
        draft.set(e.text);
        let _ = el.focus();
    };
    let format = move |f: Format| edit(&|text, start, end| f.apply(text, start, end));
    let add_link = move || {
        let answer = window().prompt_with_message(tr!(link_prompt)).ok().flatten();
        let Some(url) = answer.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()) else { return };
        if is_safe_link(&url) {
            hint.set(None);
            edit(&|text, start, end| link(text, start, end, &url));
        } else {
            hint.set(Some(tr!(link_rule).into()));
        }
    };
    let icon = |f: Format| match f {
        Format::Bold => "B",
        Format::Italic => "I",
        Format::Strikethrough => "S",
        Format::InlineCode => "</>",
        Format::CodeBlock => "{ }",
        Format::BulletedList => "•",
        Format::NumberedList => "1.",
        Format::Quote => "❝",
    };
    view! {
        <form
            class="composer"
            class:composer--note=move || note.get()
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
        >
            <When when=move || hint.with(Option::is_some)>
                <p class="form-error" role="alert">{move || hint.get().unwrap_or_default()}</p>
            </When>
            <div class="composer__mode" role="group" aria-label=tr!(send_as)>
                <button type="button" class="composer__mode-button" aria-pressed=move || (!note.get()).to_string() on:click=move |_| note.set(false)>
                    {tr!(reply)}
                </button>
                <button type="button" class="composer__mode-button" aria-pressed=move || note.get().to_string() on:click=move |_| note.set(true)>
                    {tr!(note)}
                </button>
                <When when=move || note.get()>
                    <span class="composer__mode-hint">{tr!(note_hint)}</span>
                </When>
            </div>
            <div class="composer__toolbar" role="toolbar" aria-label=tr!(formatting)>
                {Format::ALL
                    .into_iter()
                    .map(|f| {
                        // The name holds the visible text too when it is a word of its own ("1.").
                        let name = if icon(f).starts_with(|c: char| c.is_ascii_digit()) {
                            format!("{} {}", icon(f), f.text())
                        } else {
                            f.text().to_string()
                        };
                        view! {
                            <button
                                type="button"
                                class=format!("composer__tool composer__tool--{f:?}").to_lowercase()
                                aria-label=name
                                title=f.text()
                                disabled=move || preview.get()
                                on:click=move |_| format(f)
                            >
                                {icon(f)}
                            </button>
                        }
                    })
                    .collect_view()}
                <button
                    type="button"
                    class="composer__tool"
                    aria-label=tr!(link)
                    title=tr!(link)
                    disabled=move || preview.get()
                    on:click=move |_| add_link()
                >
                    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
                        <path d="M10 13a5 5 0 0 0 7.07 0l3-3a5 5 0 0 0-7.07-7.07l-1.5 1.5"/>
                        <path d="M14 11a5 5 0 0 0-7.07 0l-3 3a5 5 0 0 0 7.07 7.07l1.5-1.5"/>
                    </svg>
                </button>
                <button
                    type="button"
                    class="composer__tool composer__attach"
                    aria-label=tr!(attach_files)
                    title=tr!(attach_files)
                    disabled=move || note.get()
                    on:click=move |_| {
                        if let Some(el) = picker.get_untracked() {
                            el.click();
                        }
                    }
                >
                    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
                        <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"/>
                    </svg>
                </button>
                <input
                    type="file"
                    multiple
                    class="sr-only composer__file-input"
                    tabindex="-1"
                    aria-hidden="true"
                    node_ref=picker
                    on:change=move |ev| {
                        let el = event_target::<web_sys::HtmlInputElement>(&ev);
                        uploads.add(files_of(el.files()));
                        el.set_value("");
                    }
                />
                <button
                    type="button"
                    class="composer__tool composer__preview-toggle"
                    aria-pressed=move || preview.get().to_string()
                    on:click=move |_| preview.update(|p| *p = !*p)
                >
                    {tr!(preview)}
                </button>
            </div>
            <UploadTray uploads=uploads/>
            {reply_list}
            <When when=move || queued.get()>
                <p class="composer__queued" role="status">{tr!(sent_after_upload)}</p>
            </When>
            <div class="composer__row">
                <When
                    when=move || preview.get()
                    fallback=move || {
                        view! {
                            <textarea
                                class="composer__input"
                                aria-label=tr!(message)
                                placeholder=move || if note.get() {
                                    tr!(note_placeholder)
                                } else {
                                    tr!(message_placeholder)
                                }
                                rows="2"
                                node_ref=input
                                prop:value=move || draft.get()
                                on:input=move |ev| {
                                    let text = event_target_value(&ev);
                                    if !note.get_untracked() && !text.trim().is_empty() {
                                        typed();
                                    }
                                    draft.set(text);
                                }
                                on:paste=move |ev: web_sys::ClipboardEvent| {
                                    let files = files_of(ev.clipboard_data().and_then(|d| d.files()));
                                    if !files.is_empty() {
                                        ev.prevent_default();
                                        uploads.add(files);
                                    }
                                }
                                aria-autocomplete="list"
                                // A textarea may not carry aria-expanded: the list it controls says it is open.
                                aria-controls=move || offered.with(Option::is_some).then_some("quick-replies")
                                aria-activedescendant=move || {
                                    offered.with(|o| o.as_ref().is_some_and(|l| !l.is_empty()))
                                        .then(|| format!("quick-reply-{}", active.get()))
                                }
                                on:keydown=move |ev: web_sys::KeyboardEvent| {
                                    if pick_key(&ev) {
                                        return;
                                    }
                                    let command = ev.ctrl_key() || ev.meta_key();
                                    match ev.key().as_str() {
                                        "Enter" if !ev.shift_key() && !ev.is_composing() => {
                                            ev.prevent_default();
                                            send();
                                        }
                                        "b" | "B" if command => {
                                            ev.prevent_default();
                                            format(Format::Bold);
                                        }
                                        "i" | "I" if command => {
                                            ev.prevent_default();
                                            format(Format::Italic);
                                        }
                                        "k" | "K" if command => {
                                            ev.prevent_default();
                                            add_link();
                                        }
                                        _ => {}
                                    }
                                }
                            ></textarea>
                        }
                    }
                >
                    <div
                        class="composer__preview markdown"
                        aria-label=tr!(message_preview)
                        inner_html=move || to_safe_html(&draft.get(), &base::path())
                    ></div>
                </When>
                <button
                    type="submit"
                    class="button button--primary"
                    disabled=move || {
                        draft.with(|d| d.trim().is_empty()) && (note.get() || (!uploads.ready() && !uploads.busy()))
                    }
                >
                    {move || if note.get() { tr!(add_note) } else { tr!(send) }}
                </button>
            </div>
        </form>
    }
}
