//! The dialog block of a lead, contact or company card: the record's chats with their
//! last message (by the operator or the client) and its time; clicking the message
//! opens the chat, the three dots offer Go to dialog and Close dialog (closing it
//! without opening it). Takes an entity reference, so the Space's own cards can embed it.

use crate::api::{self, Command};
use crate::components::channel_icon::ChannelIcon;
use crate::components::dialog_menu::{DialogMenu, MenuChoice};
use crate::components::when::When;
use crate::format::{list_time, preview_line};
use crate::store::{InboxStore, Session};
use el_protocol::api::DialogState;
use el_protocol::crm::Entity;
use el_protocol::{DialogId, RecordId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

/// `on_open` replaces going to the chat, and `on_closed` hears of a chat closed here
/// (a host page that embeds the block decides what they do).
#[component]
pub fn DialogBlock(
    entity: Entity,
    id: RecordId,
    #[prop(optional)] on_open: Option<Callback<DialogId>>,
    #[prop(optional)] on_closed: Option<Callback<DialogId>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let inbox = expect_context::<InboxStore>();
    // The record's dialogs as loaded; the socket keeps them current (a new message).
    let loaded = RwSignal::new(None::<Vec<DialogId>>);
    let dialogs = Memo::new(move |_| {
        let ids = loaded.get()?;
        inbox.watched.with(|w| Some(ids.iter().filter_map(|id| w.get(id).cloned()).collect::<Vec<_>>()))
    });
    on_cleanup(move || {
        if let Some(ids) = loaded.try_get_untracked().flatten() {
            inbox.unwatch(&ids);
        }
    });
    let error = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            match api::record_dialogs(entity, id).await {
                Ok(list) => {
                    inbox.watch(&list);
                    loaded.set(Some(list.iter().map(|d| d.id).collect()));
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        })
    };
    load();
    let navigate = use_navigate();
    let go = move |dialog: DialogId| match on_open {
        Some(open) => open.run(dialog),
        None => navigate(&format!("/lines/{dialog}"), Default::default()),
    };
    let close = move |dialog: DialogId| {
        spawn_local(async move {
            match api::run(dialog, Command::End).await {
                Ok(_) => {
                    error.set(None);
                    load();
                    if let Some(closed) = on_closed {
                        closed.run(dialog);
                    }
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        })
    };
    let me = session.my_id();
    let rows = move || {
        let go = go.clone();
        dialogs.get().map(|list| {
            if list.is_empty() {
                return view! { <p class="muted">{tr!(no_chats_yet)}</p> }.into_any();
            }
            view! {
                <ul class="dialog-block__list">
                    {list
                        .into_iter()
                        .map(|d| {
                            let dialog = d.id;
                            let (go_message, go_menu) = (go.clone(), go.clone());
                            let preview = d.last_message.as_ref().map(|m| preview_line(m, me)).unwrap_or_default();
                            let (mark, state) = match d.state {
                                DialogState::Unassigned => ("unassigned", tr!(tab_unassigned)),
                                DialogState::Active => ("active", tr!(tab_active)),
                                DialogState::Ended => ("ended", tr!(state_ended)),
                            };
                            let items = MenuChoice::for_card(&d, me);
                            view! {
                                <li class="dialog-block__item" data-dialog-id=dialog.0>
                                    <button
                                        class="dialog-block__message"
                                        title=tr!(open_chat_with, name = d.name.clone()).to_string()
                                        on:click=move |_| go_message(dialog)
                                    >
                                        <span class="dialog-block__top">
                                            <ChannelIcon kind=d.channel_kind/>
                                            <strong>{d.name.clone()}</strong>
                                            <span class=format!("mark mark--{mark}")>{state}</span>
                                            <time class="muted">{list_time(d.last_message.as_ref().map_or(d.last_activity_at, |m| m.at))}</time>
                                        </span>
                                        <span class="dialog-block__text">{preview.clone()}</span>
                                    </button>
                                    <DialogMenu
                                        items=Signal::stored(items)
                                        on_pick=Callback::new(move |choice| match choice {
                                            MenuChoice::CloseDialog => close(dialog),
                                            _ => go_menu(dialog),
                                        })
                                    />
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        })
    };
    view! {
        <section class="card-block" aria-label=tr!(dialogs)>
            <h2 class="card-block__title">{tr!(dialogs)}</h2>
            <When when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </When>
            {move || if dialogs.with(Option::is_none) && error.with(Option::is_none) {
                view! { <p class="muted" aria-busy="true">{tr!(loading)}</p> }.into_any()
            } else {
                rows().into_any()
            }}
        </section>
    }
}
