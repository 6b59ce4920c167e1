//! Sending operator messages through the outbox: a message shows at once as sending (or
//! waiting, while the connection is down), goes out in order, and is replaced by the
//! server's copy when stored. Waiting messages go out when the socket is live again;
//! each keeps its idempotency key, so a resend never stores it twice.

use super::{Connection, InboxStore, Session};
use crate::api;
use el_protocol::outbox::{Outgoing, Pending};
use el_protocol::DialogId;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Sends a message (text, files or both) to a dialog.
pub fn send(store: InboxStore, session: Session, dialog: DialogId, content: Outgoing) {
    let key = uuid::Uuid::new_v4().to_string();
    let online = store.connection.get_untracked() == Connection::Live;
    let now = js_sys::Date::now() as i64;
    store.outbox.update(|o| o.push(dialog, key.clone(), content, now, online));
    if online {
        let pending = store.outbox.with_untracked(|o| o.for_dialog(dialog).find(|p| p.key == key).cloned());
        spawn_local(async move {
            if let Some(p) = pending {
                deliver(store, session, p).await;
            }
        });
    }
}

/// Sends every waiting message (and `retry`, a failed one the user retries), in order.
pub fn flush(store: InboxStore, session: Session, retry: Option<String>) {
    let due = store.outbox.try_update(|o| o.take_for_sending(retry.as_deref())).unwrap_or_default();
    if due.is_empty() {
        return;
    }
    spawn_local(async move {
        for p in due {
            deliver(store, session, p).await;
        }
    });
}

async fn deliver(store: InboxStore, session: Session, p: Pending) {
    match api::send_message(p.dialog, &p).await {
        Ok(message) => {
            store.add_message(message);
            store.outbox.update(|o| o.confirmed(&p.key));
        }
        Err(f) if f.is_unauthorized() => session.signed_out(),
        Err(f) => store.outbox.update(|o| o.failed(&p.key, f.status == 0, &f.message)),
    }
}
