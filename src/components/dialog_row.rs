//! One dialog in the list: client, channel, last message and its time, and Reply
//! while nobody has taken it.

use crate::components::avatar::Avatar;
use crate::components::offer_countdown::OfferCountdown;
use crate::components::when::When;
use crate::format::{list_time, preview_line, waiting_label};
use crate::store::{InboxActions, InboxStore, Session};
use el_protocol::api::DialogState;
use el_protocol::DialogId;
use leptos::prelude::*;

#[component]
pub fn DialogRow(id: DialogId, #[prop(into)] selected: Signal<bool>) -> impl IntoView {
    let inbox = expect_context::<InboxStore>();
    let actions = expect_context::<InboxActions>();
    let session = use_context::<Session>();
    // The row follows its own dialog's changes, not every change of the inbox.
    let changed = inbox.row_changed(id);
    let dialog = Memo::new({
        let changed = changed.clone();
        move |_| {
            changed.track();
            inbox.inbox.with_untracked(|i| i.get(id).cloned())
        }
    });
    let unread = Memo::new(move |_| {
        changed.track();
        inbox.inbox.with_untracked(|i| i.unread(id))
    });
    move || {
        let d = dialog.get()?;
        let me = session.and_then(|s| s.my_id());
        let preview = d.last_message.as_ref().map(|m| preview_line(m, me));
        let unassigned = d.state == DialogState::Unassigned;
        let offered_until = d.offer.filter(|o| Some(o.to) == me).map(|o| o.until);
        // How long the client has waited, while the last word is theirs in an open dialog
        // (it follows the store's clock, so only this label updates as time passes).
        let waiting_since =
            d.last_message.as_ref().filter(|m| m.author.is_client() && d.state != DialogState::Ended).map(|m| m.at);
        Some(view! {
            <li
                class="dialog-row"
                class:dialog-row--selected=move || selected.get()
                data-dialog-id=id.0
            >
                <button
                    class="dialog-row__open"
                    aria-current=move || selected.get().then_some("true")
                    on:click=move |_| actions.open.run(id)
                >
                    <Avatar name=d.name.clone() image=d.avatar.clone()/>
                    <span class="dialog-row__body">
                        <span class="dialog-row__top">
                            <span class="dialog-row__name">{d.name.clone()}</span>
                            <span class="dialog-row__right">
                                <When when=move || { unread.get() > 0 }>
                                    <span class="badge">{move || unread.get()}<span class="sr-only">{tr!(unread_suffix)}</span></span>
                                </When>
                                <time class="dialog-row__time">{list_time(d.last_activity_at)}</time>
                            </span>
                        </span>
                        <span class="dialog-row__marks">
                            <span class="dialog-row__channel">{d.channel_name.clone()}</span>
                            {d.spam.then(|| view! { <span class="mark mark--spam">{tr!(spam)}</span> })}
                            {offered_until.map(|until| view! { <OfferCountdown until=until/> })}
                            // An offer's countdown says more than the waiting time.
                            {waiting_since.filter(|_| offered_until.is_none()).map(|since| view! {
                                <span class="mark mark--waiting" title=tr!(client_waiting)>
                                    {move || waiting_label(inbox.clock.get() - since)}
                                </span>
                            })}
                        </span>
                        <span class="dialog-row__preview">{preview.unwrap_or_default()}</span>
                    </span>
                </button>
                // The row is drawn anew when its dialog changes: Reply needs no signal of its own.
                {unassigned.then(|| view! {
                    <button
                        class="button button--primary button--small dialog-row__reply"
                        aria-label=tr!(reply_to, name = d.name.clone()).to_string()
                        on:click=move |_| actions.reply.run(id)
                    >
                        {tr!(reply)}
                    </button>
                })}
            </li>
        })
    }
}
