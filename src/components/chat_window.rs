//! The open chat: header with the interaction menu, the pinned handover note, the
//! messages, and a footer that fits the dialog: Reply, the input, the Join banner, or
//! Start for an ended dialog.

use crate::api::{self, Command};
use crate::components::avatar::Avatar;
use crate::components::composer::{files_of, Composer};
use crate::components::confirm_modal::ConfirmModal;
use crate::components::crm_connections::CrmConnections;
use crate::components::dialog_info::DialogInfo;
use crate::components::dialog_menu::{DialogMenu, MenuChoice};
use crate::components::join_banner::JoinBanner;
use crate::components::message_item::MessageItem;
use crate::components::offer_countdown::OfferCountdown;
use crate::components::pending_item::PendingItem;
use crate::components::template_picker::TemplatePicker;
use crate::components::user_picker::{Picked, UserPicker};
use crate::components::when::When;
use crate::format::{day_label, same_day};
use crate::shortcuts;
use crate::store::uploads::Uploads;
use crate::store::{chat_calls, outbox, InboxActions, InboxStore, Session};
use el_protocol::api::{Author, ChannelKind, DialogState, DialogSummary, Message, Receipt, UserSettings};
use el_protocol::outbox::Outgoing;
use el_protocol::replies::Variables;
use el_protocol::{DialogId, MessageId, UserId};
use leptos::html::Ol;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlOListElement;

/// Which modal is open over the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    Info { editing: bool },
    AddMembers,
    Redirect,
    ConfirmEnd,
    ConfirmSpam,
    Template,
}

#[component]
pub fn ChatWindow(
    id: DialogId,
    /// A message to show (found by a search): earlier pages load until it is there, and
    /// it is scrolled to and marked instead of the newest.
    #[prop(optional_no_strip)]
    at: Option<MessageId>,
) -> impl IntoView {
    let inbox = expect_context::<InboxStore>();
    let session = expect_context::<Session>();
    let actions = expect_context::<InboxActions>();
    // The chat is loaded here, in the chat's part, unless the store holds it already
    // (the same dialog, shown at another message).
    let shown = StoredValue::new(());
    Effect::new(move |_| {
        if inbox.chat.with_untracked(|c| c.as_ref().map(|c| c.dialog.id)) != Some(id) {
            inbox.chat.set(None);
            chat_calls::open(inbox, session, id, move || shown.try_get_value().is_some(), actions.chat_failed);
        }
    });
    let dialog =
        Memo::new(move |_| inbox.chat.with(|c| c.as_ref().filter(|c| c.dialog.id == id).map(|c| c.dialog.clone())));
    // Each message with where it stands: a new day starts above it, or it follows its
    // author's previous message (then the name is not repeated).
    let messages = Memo::new(move |_| {
        inbox.chat.with(|c| {
            let Some(c) = c.as_ref() else { return Vec::new() };
            // How far the client got: "Seen" and "Delivered" under the answers they mark.
            let receipts = c.receipts();
            let mut previous: Option<&Message> = None;
            c.messages()
                .map(|m| {
                    let new_day = previous.is_none_or(|p| !same_day(p.created_at, m.created_at));
                    let continued = !new_day
                        && previous.is_some_and(|p| {
                            p.author == m.author
                                && m.author != Author::System
                                && m.created_at - p.created_at < GROUP_WITHIN_MS
                        });
                    previous = Some(m);
                    let day = new_day.then(|| day_label(m.created_at));
                    let receipt = receipts.iter().find(|(id, _)| *id == m.id).map(|(_, r)| *r);
                    Placed { message: m.clone(), day, continued, receipt }
                })
                .collect::<Vec<_>>()
        })
    });
    let list: NodeRef<Ol> = NodeRef::new();
    let has_older = Memo::new(move |_| inbox.chat.with(|c| c.as_ref().is_some_and(|c| c.older_page().is_some())));

    // Keep the newest message in view as messages arrive, unless the user scrolled up
    // to read older ones; sending brings the view back down.
    let following = RwSignal::new(at.is_none());
    let last = Memo::new(move |_| messages.with(|m| m.last().map(|m| m.message.id)));
    let sending = Memo::new(move |_| inbox.outbox.with(|o| o.for_dialog(id).count()));
    let to_newest = move || {
        following.set(true);
        let (last, sending) = (last.get_untracked(), sending.get_untracked());
        let shown = move |el: &HtmlOListElement| {
            let pending = el.query_selector_all(".message--pending").map_or(0, |l| l.length() as usize);
            last.is_none_or(|id| shown_in(el, id)) && pending == sending
        };
        when_rendered(list, shown, move |el| el.set_scroll_top(el.scroll_height()));
    };
    Effect::new(move |_| {
        sending.track();
        if last.get().is_some() && following.get_untracked() {
            to_newest();
        }
    });
    Effect::new(move |before: Option<usize>| {
        let now = sending.get();
        if before.is_some_and(|b| now > b) {
            to_newest();
        }
        now
    });
    // Older messages go in above what the user reads, which stays where it was on screen.
    let anchor = StoredValue::new(None::<(MessageId, f64)>);
    let oldest = Memo::new(move |_| messages.with(|m| m.first().map(|m| m.message.id)));
    Effect::new(move |_| {
        let Some(first) = oldest.get() else { return };
        if let Some((id, was)) = anchor.try_update_value(Option::take).flatten() {
            when_rendered(
                list,
                move |el| shown_in(el, first),
                move |el| {
                    if let Some(now) = offset_in(el, id) {
                        el.set_scroll_top(el.scroll_top() + (now - was).round() as i32);
                    }
                },
            );
        }
    });
    let load_older = move || {
        if let (Some(el), Some(first)) = (list.get_untracked(), oldest.get_untracked()) {
            anchor.set_value(offset_in(&el, first).map(|offset| (first, offset)));
        }
        actions.older.run(());
    };
    let on_scroll = move |_| {
        let Some(el) = list.get_untracked() else { return };
        let at_bottom = at_bottom(&el);
        if following.get_untracked() != at_bottom {
            following.set(at_bottom);
        }
        let near_top = el.scroll_top() < NEAR_EDGE_PX;
        if near_top && has_older.get_untracked() && inbox.loading_older.get_untracked().is_none() {
            load_older();
        }
    };

    // A message asked for: page back until it is loaded, then bring it into view.
    let sought = StoredValue::new(at);
    Effect::new(move |_| {
        let Some(target) = sought.get_value() else { return };
        if !dialog.with(Option::is_some) {
            return;
        }
        if messages.with(|m| m.iter().any(|p| p.message.id == target)) {
            sought.set_value(None);
            when_rendered(
                list,
                move |el| shown_in(el, target),
                move |el| {
                    show_found(el, target);
                    // A short chat shows its newest message too: then it follows new ones.
                    following.set(at_bottom(el));
                },
            );
        } else if has_older.get() {
            // Not `load_older`: nothing read is to be kept in place while seeking.
            if inbox.loading_older.with(Option::is_none) {
                actions.older.run(());
            }
        } else {
            // Not in this chat (any more): show its newest messages as usual.
            sought.set_value(None);
            to_newest();
        }
    });

    // Reading the open chat clears its unread count, also as new messages arrive.
    let unread = Memo::new(move |_| inbox.inbox.with(|i| i.unread(id)));
    Effect::new(move |_| {
        if unread.get() > 0 && dialog.with(Option::is_some) {
            spawn_local(async move {
                let _ = api::mark_read(id).await;
            });
        }
    });

    // The draft of this dialog, kept in the store while the user looks at other chats.
    let draft = RwSignal::new(inbox.drafts.with_value(|d| d.get(&id).cloned().unwrap_or_default()));
    Effect::new(move |_| {
        let text = draft.get();
        inbox.drafts.update_value(|d| {
            if text.is_empty() {
                d.remove(&id);
            } else {
                d.insert(id, text);
            }
        });
    });
    // Files for the next message; uploads still running stop when the chat closes.
    let limits = session.me().map(|me| me.limits).unwrap_or_default();
    let uploads = Uploads::new(id, limits);
    on_cleanup(move || uploads.cancel_all());
    let dragging = RwSignal::new(false);
    let pending = Memo::new(move |_| inbox.outbox.with(|o| o.for_dialog(id).cloned().collect::<Vec<_>>()));
    let retry = Callback::new(move |key: String| outbox::flush(inbox, session, Some(key)));

    let notice = RwSignal::new(None::<String>);
    let modal = RwSignal::new(None::<Open>);
    let command = Action::new_local(move |c: &Command| {
        let c = c.clone();
        async move {
            match api::run(id, c).await {
                Ok(d) => {
                    notice.set(None);
                    modal.set(None);
                    inbox.observe(d);
                    actions.follow.run(id);
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => notice.set(Some(f.message)),
            }
        }
    });
    let run = move |c: Command| {
        command.dispatch(c);
    };
    let confirm_end = move || session.me().is_none_or(|me| me.settings.confirm_end_dialog);
    let on_menu = Callback::new(move |choice: MenuChoice| match choice {
        MenuChoice::AddToDialog => modal.set(Some(Open::AddMembers)),
        MenuChoice::Leave => run(Command::Leave),
        MenuChoice::Redirect => modal.set(Some(Open::Redirect)),
        MenuChoice::Rename => modal.set(Some(Open::Info { editing: true })),
        MenuChoice::EndDialog | MenuChoice::CloseDialog if confirm_end() => modal.set(Some(Open::ConfirmEnd)),
        MenuChoice::EndDialog | MenuChoice::CloseDialog => run(Command::End),
        MenuChoice::MarkAsSpam => modal.set(Some(Open::ConfirmSpam)),
        // The chat is open already.
        MenuChoice::GoToDialog => {}
    });
    let dont_ask_again = move || {
        spawn_local(async move {
            let settings = session.me().map(|me| me.settings).unwrap_or_default();
            if let Ok(me) = api::update_settings(UserSettings { confirm_end_dialog: false, ..settings }).await {
                session.update_me(me);
            }
        })
    };

    // Quick replies for `/` in the composer, and what their variables stand for here.
    if inbox.replies.with_untracked(Option::is_none) {
        spawn_local(async move {
            if let Ok(list) = api::quick_replies().await {
                inbox.replies.set(Some(list));
            }
        });
    }
    let replies = Signal::derive(move || inbox.replies.get().unwrap_or_default());
    let variables = Signal::derive(move || {
        let (client_name, channel_name) =
            dialog.with(|d| d.as_ref().map(|d| (d.client_name.clone(), d.channel_name.clone()))).unwrap_or_default();
        let operator_name = session.me().map(|me| me.user.name).unwrap_or_default();
        Variables { client_name, operator_name, channel_name }
    });

    let me = session.my_id();
    let mode = Memo::new(move |_| dialog.with(|d| d.as_ref().map(|d| Footer::of(d, me))));
    // The CRM block reads its connections again after each CRM note and when the user
    // starts or stops working on the chat.
    let crm_changes = Memo::new(move |_| {
        let notes = messages.with(|m| m.iter().filter(|m| m.message.record.is_some()).count());
        (notes, mode.get() == Some(Footer::Compose))
    });
    let menu_items =
        Signal::derive(move || dialog.with(|d| d.as_ref().map(|d| MenuChoice::for_dialog(d, me)).unwrap_or_default()));
    let header = move || {
        dialog.get().map(|d| {
            let state_label = match d.state {
                DialogState::Unassigned => tr!(state_unassigned).to_string(),
                DialogState::Active => {
                    let names: Vec<String> = d.members.iter().map(|u| session.user_name(*u)).collect();
                    tr!(state_active, names = names.join(", ")).to_string()
                }
                DialogState::Ended if d.spam => tr!(state_ended_spam).to_string(),
                DialogState::Ended => tr!(state_ended).to_string(),
            };
            view! {
                <button class="button button--ghost chat__back" on:click=move |_| actions.back.run(())>
                    <span aria-hidden="true">"‹ "</span>
                    {tr!(back)}
                </button>
                <Avatar name=d.name.clone() image=d.avatar.clone() large=true/>
                <div class="chat__title">
                    <h2>
                        <button class="chat__name" title=tr!(dialog_details) on:click=move |_| modal.set(Some(Open::Info { editing: false }))>
                            {d.name.clone()}
                        </button>
                    </h2>
                    <p class="muted">{format!("{} · {}", d.channel_name, state_label)}</p>
                </div>
            }
        })
    };
    let handover = move || {
        dialog.get().and_then(|d| d.handover.filter(|h| Some(h.to) == me && d.members.contains(&h.to))).map(|h| {
            view! {
                <div class="chat__pinned" role="note">
                    <strong>{tr!(handed_over, name = session.user_name(h.from)).to_string()}</strong>
                    <p>{h.note}</p>
                </div>
            }
        })
    };
    // While the dialog is offered to the reader in turn: until when.
    let offered_until = move || {
        let me = session.my_id();
        dialog.with(|d| d.as_ref().and_then(|d| d.offer).filter(|o| Some(o.to) == me).map(|o| o.until))
    };
    // Rebuilt only when the kind of footer changes, so typing survives new messages.
    let footer = move || {
        match mode.get()? {
        Footer::Reply => Some(
            view! {
                <div class="chat__bar">
                    <span>{tr!(nobody_works)}</span>
                    {move || offered_until().map(|until| view! { <OfferCountdown until=until/> })}
                    <button class="button button--primary" on:click=move |_| actions.reply.run(id)>{tr!(reply)}</button>
                </div>
            }
            .into_any(),
        ),
        Footer::Compose => Some(
            view! {
                {dialog.with_untracked(|d| d.as_ref().and_then(|d| channel_hint(d.channel_kind)))
                    .map(|hint| view! { <p class="chat__channel-hint muted">{hint}</p> })}
                <Composer
                    draft=draft
                    uploads=uploads
                    replies=replies
                    variables=variables
                    on_send=Callback::new(move |message: Outgoing| {
                        draft.set(String::new());
                        outbox::send(inbox, session, id, message);
                    })
                    on_typing=Callback::new(move |_| spawn_local(async move {
                        // A lost signal only means "typing" shows a little later.
                        let _ = api::typing(id).await;
                    }))
                />
            }
            .into_any(),
        ),
        Footer::Join => {
            let names = dialog.with_untracked(|d| {
                d.as_ref()
                    .map(|d| d.members.iter().map(|u| session.user_name(*u)).collect::<Vec<_>>())
                    .unwrap_or_default()
            });
            Some(view! { <JoinBanner members=names on_join=Callback::new(move |_| run(Command::Join))/> }.into_any())
        }
        Footer::Ended { can_start } => Some(
            view! {
                <div class="chat__bar">
                    <span>{tr!(dialog_ended)}</span>
                    <When when=move || can_start>
                        <button class="button button--primary" on:click=move |_| run(Command::Start)>{tr!(start)}</button>
                    </When>
                </div>
            }
            .into_any(),
        ),
    }
    };
    let modals = move || {
        let d = dialog.get_untracked()?;
        let close = Callback::new(move |_| modal.set(None));
        Some(match modal.get()? {
            Open::Info { editing } => view! {
                <DialogInfo
                    dialog=d.clone()
                    can_edit=Footer::of(&d, me) == Footer::Compose
                    editing=editing
                    on_save=Callback::new(move |(name, image): (String, Option<web_sys::File>)| {
                        let renamed = name != d.name;
                        spawn_local(async move {
                            match save_dialog(id, renamed.then_some(name), image).await {
                                Ok(d) => {
                                    notice.set(None);
                                    modal.set(None);
                                    if let Some(d) = d {
                                        inbox.observe(d);
                                    }
                                }
                                Err(f) if f.is_unauthorized() => session.signed_out(),
                                Err(f) => notice.set(Some(f.message)),
                            }
                        })
                    })
                    on_add_members=Callback::new(move |_| modal.set(Some(Open::AddMembers)))
                    on_close=close
                />
            }
            .into_any(),
            Open::AddMembers => view! {
                <UserPicker
                    title=tr!(add_to_dialog)
                    exclude=d.members.clone()
                    on_pick=Callback::new(move |p: Picked| run(Command::AddMembers(p.users)))
                    on_close=close
                />
            }
            .into_any(),
            Open::Redirect => view! {
                <UserPicker
                    title=tr!(redirect)
                    single=true
                    exclude=Vec::from_iter(me)
                    on_pick=Callback::new(move |p: Picked| {
                        if let Some(to) = p.users.first() {
                            run(Command::Redirect { to: *to, note: p.note });
                        }
                    })
                    on_close=close
                />
            }
            .into_any(),
            Open::ConfirmEnd => view! {
                <ConfirmModal
                    title=tr!(end_dialog)
                    text=tr!(end_dialog_text)
                    confirm_label=tr!(end_dialog)
                    offer_dont_ask=true
                    on_confirm=Callback::new(move |dont_ask: bool| {
                        if dont_ask {
                            dont_ask_again();
                        }
                        run(Command::End);
                    })
                    on_close=close
                />
            }
            .into_any(),
            Open::ConfirmSpam => view! {
                <ConfirmModal
                    title=tr!(mark_as_spam)
                    text=tr!(spam_text)
                    confirm_label=tr!(mark_as_spam)
                    on_confirm=Callback::new(move |_| run(Command::MarkAsSpam))
                    on_close=close
                />
            }
            .into_any(),
            Open::Template => view! { <TemplatePicker dialog=id on_close=close/> }.into_any(),
        })
    };

    // R takes an unassigned dialog, E ends one the user works on (see `shortcuts`).
    let keys = crate::shortcuts::on_key(move |e| {
        if e.alt_key() || shortcuts::is_typing(&e) {
            return;
        }
        match (e.key().as_str(), mode.get_untracked()) {
            ("r" | "R", Some(Footer::Reply)) => actions.reply.run(id),
            ("e" | "E", Some(Footer::Compose)) => on_menu.run(MenuChoice::EndDialog),
            _ => return,
        }
        e.prevent_default();
    });
    on_cleanup(move || keys.remove());
    view! {
        <When
            when=move || mode.with(Option::is_some)
            fallback=|| view! { <div class="empty-state" aria-busy="true">{tr!(loading_dialog)}</div> }
        >
            <div
                class="chat"
                class:chat--dropping=move || dragging.get()
                on:dragover=move |ev: web_sys::DragEvent| {
                    if mode.get_untracked() == Some(Footer::Compose) {
                        ev.prevent_default();
                        dragging.set(true);
                    }
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev: web_sys::DragEvent| {
                    dragging.set(false);
                    if mode.get_untracked() == Some(Footer::Compose) {
                        ev.prevent_default();
                        uploads.add(files_of(ev.data_transfer().and_then(|d| d.files())));
                    }
                }
            >
                <When when=move || dragging.get()>
                    <div class="chat__drop" aria-hidden="true">{tr!(drop_files)}</div>
                </When>
                <header class="chat__header">
                    {header}
                    <div class="chat__actions">
                        <When when=move || mode.get() == Some(Footer::Compose)>
                            <button class="button" on:click=move |_| on_menu.run(MenuChoice::EndDialog)>{tr!(end_dialog_button)}</button>
                        </When>
                        <DialogMenu items=menu_items on_pick=on_menu/>
                    </div>
                </header>
                <CrmConnections dialog=id changes=crm_changes/>
                {handover}
                <When when=move || dialog.with(|d| d.as_ref().and_then(|d| d.reply_until).is_some_and(|until| until < js_sys::Date::now() as i64))>
                    <p class="chat__closed" role="note">
                        {move || dialog.with(|d| d.as_ref().map(|d| window_closed_note(d.channel_kind)))}
                        <When when=move || mode.get() == Some(Footer::Compose) && dialog.with(|d| d.as_ref().is_some_and(|d| d.channel_kind == ChannelKind::Whatsapp))>
                            " "
                            <button class="button button--small" on:click=move |_| modal.set(Some(Open::Template))>
                                {tr!(send_template_button)}
                            </button>
                        </When>
                    </p>
                </When>
                <When when=move || dialog.with(|d| d.as_ref().is_some_and(|d| !d.channel_connected))>
                    <p class="chat__closed" role="note">
                        {move || dialog.with(|d| d.as_ref().map(|d| disconnected_note(&d.channel_name)))}
                    </p>
                </When>
                <When when=move || notice.with(Option::is_some)>
                    <div class="chat__notice" role="alert">
                        <span>{move || notice.get().unwrap_or_default()}</span>
                        <button class="button button--ghost" aria-label=tr!(dismiss) on:click=move |_| notice.set(None)>"×"</button>
                    </div>
                </When>
                <ol class="chat__messages" node_ref=list aria-label=tr!(messages) aria-live="polite" on:scroll=on_scroll>
                    <When when=move || has_older.get()>
                        <li class="chat__older">
                            <When
                                when=move || inbox.loading_older.with(Option::is_none)
                                fallback=|| view! { <span class="muted" aria-busy="true">{tr!(loading_earlier)}</span> }
                            >
                                <button class="button button--ghost" on:click=move |_| load_older()>{tr!(show_earlier)}</button>
                            </When>
                        </li>
                    </When>
                    <For each=move || messages.get() key=|p| (p.message.version(), p.day.clone(), p.continued, p.receipt) let:placed>
                        <MessageItem message=placed.message me=me day=placed.day continued=placed.continued receipt=placed.receipt/>
                    </For>
                    <For each=move || pending.get() key=|p| (p.key.clone(), format!("{:?}", p.state)) let:p>
                        <PendingItem pending=p on_retry=retry/>
                    </For>
                </ol>
                <p class="chat__typing" role="status">
                    {move || inbox.typing.with(|t| t.get(&id).map(|(name, _)| tr!(is_typing, name).to_string()))}
                </p>
                <When when=move || !following.get()>
                    <button class="button chat__to-newest" on:click=move |_| to_newest()>{tr!(newest_messages)}</button>
                </When>
                {footer}
            </div>
            {modals}
        </When>
    }
}

/// Saves the dialog's form: the new name, then the image; answers the dialog as it is
/// after both (`None` when there was nothing to change).
async fn save_dialog(
    id: DialogId,
    name: Option<String>,
    image: Option<web_sys::File>,
) -> Result<Option<DialogSummary>, api::Failure> {
    let mut saved = None;
    if let Some(name) = name {
        saved = Some(api::run(id, Command::Rename(name)).await?);
    }
    if let Some(image) = image {
        saved = Some(api::set_avatar(id, &image).await?);
    }
    Ok(saved)
}

/// Runs `f` on the message list in the first frame where `ready` finds that the page
/// shows what the store holds (rendering may follow a few frames behind), or after about
/// a second in any case.
fn when_rendered(
    list: NodeRef<Ol>,
    ready: impl Fn(&HtmlOListElement) -> bool + 'static,
    f: impl FnOnce(&HtmlOListElement) + 'static,
) {
    fn next(
        list: NodeRef<Ol>,
        frames_left: u32,
        ready: impl Fn(&HtmlOListElement) -> bool + 'static,
        f: impl FnOnce(&HtmlOListElement) + 'static,
    ) {
        request_animation_frame(move || {
            let Some(el) = list.try_get_untracked().flatten() else { return };
            if frames_left == 0 || ready(&el) {
                f(&el);
            } else {
                next(list, frames_left - 1, ready, f);
            }
        });
    }
    next(list, 60, ready, f);
}

/// The element of message `id` in the list, if it is rendered.
fn message_in(list: &HtmlOListElement, id: MessageId) -> Option<web_sys::Element> {
    list.query_selector(&format!("[data-message-id='{id}']")).ok()?
}

/// Whether the chat is scrolled (nearly) to its newest message.
fn at_bottom(list: &HtmlOListElement) -> bool {
    list.scroll_height() - list.scroll_top() - list.client_height() < NEAR_EDGE_PX
}

/// Scrolls message `id` to the middle of the chat and marks it as the one found.
fn show_found(list: &HtmlOListElement, id: MessageId) {
    let Some(item) = message_in(list, id) else { return };
    let _ = item.class_list().add_1("message--found");
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Center);
    item.scroll_into_view_with_scroll_into_view_options(&options);
}

fn shown_in(list: &HtmlOListElement, id: MessageId) -> bool {
    message_in(list, id).is_some()
}

/// How far below the top of the chat's view message `id` is shown (px).
fn offset_in(list: &HtmlOListElement, id: MessageId) -> Option<f64> {
    let item = message_in(list, id)?;
    Some(item.get_bounding_client_rect().top() - list.get_bounding_client_rect().top())
}

/// How close to an end of the chat (px) counts as there: near the top loads older
/// messages, near the bottom follows new ones.
const NEAR_EDGE_PX: i32 = 120;
/// An author's messages this close together show as one group.
const GROUP_WITHIN_MS: i64 = 5 * 60 * 1000;

/// A message as the chat shows it: under a new day's heading, or following its
/// author's previous message.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    message: Message,
    day: Option<String>,
    continued: bool,
    /// How far the client got with it, if it is the answer that shows it.
    receipt: Option<Receipt>,
}

/// What the client's messenger shows of an answer, for the composer.
fn channel_hint(kind: ChannelKind) -> Option<&'static str> {
    match kind {
        ChannelKind::Telegram => Some(tr!(telegram_hint)),
        ChannelKind::Viber => Some(tr!(viber_hint)),
        ChannelKind::Whatsapp => Some(tr!(whatsapp_hint)),
        ChannelKind::Facebook => Some(tr!(facebook_hint)),
        ChannelKind::Instagram => Some(tr!(instagram_hint)),
        ChannelKind::Widget => None,
    }
}

/// Why answers cannot reach the client once the messenger's 24 hours have passed.
fn window_closed_note(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Whatsapp => tr!(whatsapp_window_closed),
        _ => tr!(meta_window_closed),
    }
}

/// Why answers cannot reach the client of a disconnected bot's chat.
fn disconnected_note(channel: &str) -> String {
    tr!(channel_disconnected, channel).to_string()
}

/// What the bottom of the chat offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Footer {
    /// Unassigned: take it with Reply.
    Reply,
    /// The user is a member: write.
    Compose,
    /// Someone else works on it: read, and Join to write.
    Join,
    /// Ended; those who worked on it may Start it again.
    Ended { can_start: bool },
}

impl Footer {
    fn of(d: &DialogSummary, me: Option<UserId>) -> Footer {
        let is = |list: &[UserId]| me.is_some_and(|me| list.contains(&me));
        match d.state {
            DialogState::Unassigned => Footer::Reply,
            DialogState::Active if is(&d.members) => Footer::Compose,
            DialogState::Active => Footer::Join,
            DialogState::Ended => Footer::Ended { can_start: is(&d.participants) },
        }
    }
}
