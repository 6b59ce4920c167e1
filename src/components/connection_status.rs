//! A visible note while the live connection is being (re)established, or with Reload
//! when it cannot be because the app was updated.

use crate::store::{Connection, InboxStore, Session};
use leptos::prelude::*;

#[component]
pub fn ConnectionStatus() -> impl IntoView {
    let inbox = expect_context::<InboxStore>();
    let session = expect_context::<Session>();
    let lines = move || session.me().is_some_and(|me| me.access.has_lines());
    move || {
        let label = match inbox.connection.get() {
            _ if !lines() => return None,
            Connection::Live => return None,
            Connection::Connecting => tr!(connecting),
            Connection::Reconnecting => tr!(reconnecting),
            Connection::Updated => {
                return Some(
                    view! {
                        <span class="connection" role="alert" data-state="offline">
                            {tr!(app_updated_live)}
                            " "
                            <button type="button" class="connection__reload" on:click=|_| {
                                let _ = window().location().reload();
                                }>{tr!(reload)}</button>
                        </span>
                    }
                    .into_any(),
                );
            }
        };
        Some(view! { <span class="connection" role="status" data-state="offline">{label}</span> }.into_any())
    }
}
