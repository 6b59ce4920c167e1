//! The chat's calls to the server that the inbox page and an embedded chat both make.

use super::{InboxStore, Session};
use crate::api;
use el_protocol::DialogId;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Where a refusal is shown.
pub type Notice = RwSignal<Option<String>>;

/// Reply: takes dialog `id`, then `taken` runs.
pub fn reply(inbox: InboxStore, session: Session, id: DialogId, notice: Notice, taken: impl FnOnce() + 'static) {
    spawn_local(async move {
        match api::reply(id).await {
            Ok(dialog) => {
                notice.set(None);
                inbox.observe(dialog);
                taken();
            }
            Err(f) if f.is_unauthorized() => session.signed_out(),
            Err(f) => notice.set(Some(f.message)),
        }
    });
}

/// Loads the open chat's older messages (it was scrolled to its top).
pub fn older(inbox: InboxStore, session: Session, notice: Notice) {
    let Some((id, before)) = inbox.begin_older() else { return };
    spawn_local(async move {
        match api::older_messages(id, before).await {
            Ok(page) => inbox.end_older(id, before, Some(page)),
            Err(f) => {
                inbox.end_older(id, before, None);
                if f.is_unauthorized() {
                    session.signed_out();
                } else {
                    notice.set(Some(f.message));
                }
            }
        }
    });
}

/// Opens the chat of `id` in the store, unless `still_wanted` says it is no longer
/// shown; `failed` hears why it could not be. An answer read before the socket brought
/// news of the dialog (a message written while it was on its way, or while the chat's
/// part came after a preload) would miss that news: the chat is then asked for once more.
pub fn open(
    inbox: InboxStore,
    session: Session,
    id: DialogId,
    still_wanted: impl Fn() -> bool + 'static,
    failed: Callback<String>,
) {
    spawn_local(async move {
        for last_try in [false, true] {
            match api::chat(id).await {
                Ok(_) if !still_wanted() => return,
                Ok(snapshot) if !last_try && inbox.inbox.with_untracked(|i| i.changed_since(id, snapshot.as_of)) => {}
                Ok(snapshot) => return inbox.open_chat(snapshot),
                Err(f) if f.is_unauthorized() => return session.signed_out(),
                Err(f) if still_wanted() => return failed.run(f.message),
                Err(_) => return,
            }
        }
    });
}
