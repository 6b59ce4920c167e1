//! The open chat: header, messages, and the input (or Reply while unassigned).

use crate::api;
use crate::components::composer::Composer;
use crate::components::message_item::MessageItem;
use crate::format::initial;
use crate::store::{InboxActions, InboxStore, Session};
use el_protocol::api::{DialogState, DialogSummary};
use el_protocol::{DialogId, UserId};
use leptos::html::Ol;
use leptos::prelude::*;

#[component]
pub fn ChatWindow(id: DialogId) -> impl IntoView {
    let inbox = expect_context::<InboxStore>();
    let session = expect_context::<Session>();
    let actions = expect_context::<InboxActions>();
    let dialog =
        Memo::new(move |_| inbox.chat.with(|c| c.as_ref().filter(|c| c.dialog.id == id).map(|c| c.dialog.clone())));
    let messages = Memo::new(move |_| {
        inbox.chat.with(|c| c.as_ref().map(|c| c.messages().cloned().collect::<Vec<_>>()).unwrap_or_default())
    });
    let list: NodeRef<Ol> = NodeRef::new();

    // Keep the newest message in view.
    Effect::new(move |_| {
        let count = messages.with(Vec::len);
        if let Some(el) = list.get() {
            if count > 0 {
                el.set_scroll_top(el.scroll_height());
            }
        }
    });

    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let send = Action::new_local(move |text: &String| {
        let text = text.clone();
        let key = uuid::Uuid::new_v4().to_string();
        async move {
            match api::send_message(id, text, key).await {
                Ok(message) => {
                    error.set(None);
                    draft.set(String::new());
                    inbox.add_message(message);
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        }
    });
    let sending = send.pending();

    let me = session.my_id();
    let mode = Memo::new(move |_| dialog.with(|d| d.as_ref().map(|d| Footer::of(d, me))));
    let header = move || {
        dialog.get().map(|d| {
            let state_label = match d.state {
                DialogState::Unassigned => "Unassigned".to_string(),
                DialogState::Active => {
                    let names: Vec<String> = d.members.iter().map(|u| session.user_name(*u)).collect();
                    format!("Active · {}", names.join(", "))
                }
                DialogState::Ended => "Ended".to_string(),
            };
            view! {
                <span class="avatar avatar--large" aria-hidden="true">{initial(&d.name)}</span>
                <div class="chat__title">
                    <h2>{d.name.clone()}</h2>
                    <p class="muted">{format!("{} · {}", d.channel_name, state_label)}</p>
                </div>
            }
        })
    };
    // Rebuilt only when the kind of footer changes, so typing survives new messages.
    let footer = move || match mode.get()? {
        Footer::Reply => Some(
            view! {
                <div class="chat__bar">
                    <span>"Nobody works on this dialog yet."</span>
                    <button class="button button--primary" on:click=move |_| actions.reply.run(id)>"Reply"</button>
                </div>
            }
            .into_any(),
        ),
        Footer::Compose => Some(
            view! {
                <Composer
                    draft=draft
                    on_send=Callback::new(move |text: String| {
                        send.dispatch(text);
                    })
                    sending=sending
                    error=error
                />
            }
            .into_any(),
        ),
        Footer::Watching => {
            Some(view! { <div class="chat__bar">"Another operator works on this dialog."</div> }.into_any())
        }
        Footer::Ended => Some(view! { <div class="chat__bar">"This dialog has ended."</div> }.into_any()),
    };

    view! {
        <Show
            when=move || mode.with(Option::is_some)
            fallback=|| view! { <div class="empty-state" aria-busy="true">"Loading the dialog…"</div> }
        >
            <div class="chat">
                <header class="chat__header">{header}</header>
                <ol class="chat__messages" node_ref=list aria-label="Messages" aria-live="polite">
                    <For each=move || messages.get() key=|m| m.id let:message>
                        <MessageItem message=message me=me/>
                    </For>
                </ol>
                {footer}
            </div>
        </Show>
    }
}

/// What the bottom of the chat offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Footer {
    /// Unassigned: take it with Reply.
    Reply,
    /// The user is a member: write.
    Compose,
    /// Someone else works on it.
    Watching,
    Ended,
}

impl Footer {
    fn of(d: &DialogSummary, me: Option<UserId>) -> Footer {
        match d.state {
            DialogState::Unassigned => Footer::Reply,
            DialogState::Active if me.is_some_and(|me| d.members.contains(&me)) => Footer::Compose,
            DialogState::Active => Footer::Watching,
            DialogState::Ended => Footer::Ended,
        }
    }
}
