//! An operator message the server has not confirmed yet, with where it stands and, when
//! refused, why and a Retry button.

use crate::components::attachment_list::AttachmentList;
use crate::components::when::When;
use el_protocol::markdown::to_safe_html;
use el_protocol::outbox::{Pending, SendState};
use el_web_client::base;
use leptos::prelude::*;

#[component]
pub fn PendingItem(pending: Pending, on_retry: Callback<String>) -> impl IntoView {
    let key = pending.key.clone();
    let (state, status) = match &pending.state {
        SendState::Sending => ("sending", tr!(sending).to_string()),
        SendState::Waiting => ("waiting", tr!(waiting_connection).to_string()),
        SendState::Failed(reason) => ("failed", tr!(not_sent, reason).to_string()),
    };
    let failed = matches!(pending.state, SendState::Failed(_));
    view! {
        <li class="message message--mine message--pending" data-state=state>
            <When when={
                let empty = pending.text.is_empty();
                move || !empty
            }>
                <div class="message__text markdown" inner_html=to_safe_html(&pending.text, &base::path())></div>
            </When>
            <AttachmentList attachments=pending.attachments.clone()/>
            <span class="message__status" role="status">
                {status}
                <When when=move || failed>
                    " "
                    <button class="button button--small" on:click={
                        let key = key.clone();
                        move |_| on_retry.run(key.clone())
                    }>{tr!(retry)}</button>
                </When>
            </span>
        </li>
    }
}
