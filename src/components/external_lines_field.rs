//! The External lines field of a lead, contact or company: the client's messenger
//! accounts with the messenger's icon; each opens its chat (the first, the chat with
//! the latest message). A component that takes the record's accounts, so the Space's
//! own cards can embed it.

use crate::components::channel_icon::ChannelIcon;
use crate::labels::Text;
use el_protocol::crm::LinesAccount;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ExternalLinesField(lines: Vec<LinesAccount>, #[prop(optional)] compact: bool) -> impl IntoView {
    if lines.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    let shown = if compact { 1 } else { lines.len() };
    let more = lines.len() - shown;
    view! {
        <ul class="lines-field" class:lines-field--compact=compact>
            {lines
                .into_iter()
                .take(shown)
                .map(|l| {
                    // Named by what it shows (account, messenger); the tooltip says where it leads.
                    let label = tr!(open_channel_chat_with, channel = l.channel_kind.text(), name = l.account.clone()).to_string();
                    view! {
                        <li>
                            <A href=format!("/lines/{}", l.dialog_id) attr:class="lines-field__link" attr:title=label>
                                <ChannelIcon kind=l.channel_kind/>
                                <span class="lines-field__account">{l.account}</span>
                                <span class="muted">{l.channel_kind.with_channel(&l.channel_name)}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view()}
            {(more > 0).then(|| view! { <li class="muted">{tr!(n_more, n = more).to_string()}</li> })}
        </ul>
    }
    .into_any()
}
