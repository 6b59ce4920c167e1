//! `/settings/quick-replies`: the saved answers `/` offers in the composer: the user's
//! own, and the shared ones that administrators write for everyone.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::when::When;
use crate::store::{InboxStore, Session};
use el_protocol::api::MAX_MESSAGE_CHARS;
use el_protocol::replies::{QuickReply, QuickReplyInput, Variables, MAX_REPLY_TITLE_CHARS};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn QuickRepliesPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let admin = move || session.me().is_some_and(|me| me.access.admin);
    // The composer's `/` list (kept for the session) follows what is changed here.
    let inbox = expect_context::<InboxStore>();
    let replies = RwSignal::new(Vec::<QuickReply>::new());
    let loaded = RwSignal::new(false);
    Effect::new(move |_| {
        if loaded.get() {
            inbox.replies.set(Some(replies.get()));
        }
    });
    let error = RwSignal::new(None::<String>);
    let report = move |f: api::Failure| {
        if f.is_unauthorized() {
            session.signed_out();
        } else {
            error.set(Some(f.message));
        }
    };
    spawn_local(async move {
        match api::quick_replies().await {
            Ok(list) => {
                replies.set(list);
                loaded.set(true);
            }
            Err(f) => report(f),
        }
    });
    // The form: a new reply (`editing` None) or the one being changed.
    let editing = RwSignal::new(None::<i64>);
    let title = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let clear = move || {
        editing.set(None);
        title.set(String::new());
        text.set(String::new());
        shared.set(false);
    };
    let edit = move |r: QuickReply| {
        editing.set(Some(r.id));
        title.set(r.title);
        text.set(r.text);
        shared.set(r.shared);
    };
    let save = move || {
        let input = QuickReplyInput {
            title: title.get_untracked(),
            text: text.get_untracked(),
            shared: shared.get_untracked(),
        };
        let id = editing.get_untracked();
        spawn_local(async move {
            match api::save_quick_reply(id, &input).await {
                Ok(list) => {
                    replies.set(list);
                    error.set(None);
                    clear();
                }
                Err(f) => report(f),
            }
        });
    };
    let delete = move |id: i64| {
        spawn_local(async move {
            match api::delete_quick_reply(id).await {
                Ok(()) => {
                    replies.update(|l| l.retain(|r| r.id != id));
                    if editing.get_untracked() == Some(id) {
                        clear();
                    }
                }
                Err(f) => report(f),
            }
        });
    };
    let row = move |r: QuickReply| {
        let may_change = !r.shared || admin();
        let (for_edit, id) = (r.clone(), r.id);
        view! {
            <li class="quick-reply">
                <div class="quick-reply__head">
                    <strong>{r.title.clone()}</strong>
                    {r.shared.then(|| view! { <span class="chip">{tr!(shared)}</span> })}
                    <When when=move || may_change>
                        <button class="button button--ghost" aria-label=tr!(edit_named, name = r.title.clone()).to_string() on:click={
                            let r = for_edit.clone();
                            move |_| edit(r.clone())
                        }>{tr!(edit)}</button>
                        <button class="button button--ghost" aria-label=tr!(delete_named, name = r.title.clone()).to_string() on:click=move |_| delete(id)>{tr!(delete)}</button>
                    </When>
                </div>
                <p class="quick-reply__text">{r.text.clone()}</p>
            </li>
        }
    };
    view! {
        <AppShell>
            <section class="settings">
                <h1>{tr!(quick_replies)}</h1>
                <p class="muted">
                    {tr!(quick_replies_about_page, names = Variables::NAMES.join(", ")).to_string()}
                </p>
                <When when=move || error.with(Option::is_some)>
                    <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </When>
                <ul class="quick-reply-list" aria-label=tr!(your_quick_replies)>
                    {move || replies.get().into_iter().map(row).collect_view()}
                </ul>
                <When when=move || replies.with(Vec::is_empty)>
                    <p class="muted">{tr!(no_quick_replies_yet)}</p>
                </When>
                <form class="quick-reply-form" on:submit=move |e| { e.prevent_default(); save(); }>
                    <h2>{move || if editing.get().is_some() { tr!(change_quick_reply) } else { tr!(new_quick_reply) }}</h2>
                    <label class="field-label" for="reply-title">{tr!(field_title)}</label>
                    <input id="reply-title" class="field" maxlength=MAX_REPLY_TITLE_CHARS.to_string() required
                        prop:value=move || title.get() on:input=move |e| title.set(event_target_value(&e))/>
                    <label class="field-label" for="reply-text">{tr!(text)}</label>
                    <textarea id="reply-text" class="field" rows="4" maxlength=MAX_MESSAGE_CHARS.to_string() required
                        prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e))></textarea>
                    <When when=admin>
                        <label class="checkbox">
                            <input type="checkbox" prop:checked=move || shared.get() on:change=move |e| shared.set(event_target_checked(&e))/>
                            {tr!(shared_with_everyone)}
                        </label>
                    </When>
                    <footer class="modal__footer">
                        <When when=move || editing.get().is_some()>
                            <button type="button" class="button" on:click=move |_| clear()>{tr!(cancel)}</button>
                        </When>
                        <button type="submit" class="button button--primary">{tr!(save)}</button>
                    </footer>
                </form>
            </section>
        </AppShell>
    }
}
