//! The External lines field of a lead, contact or company: the client's messenger
//! accounts with the messenger's icon; each opens its chat (the first, the chat with
//! the latest message). A component that takes the record's accounts, so the Space's
//! own cards can embed it.

use crate::components::channel_icon::ChannelIcon;
use crate::components::link::Link;
use crate::labels::Text;
use el_protocol::crm::LinesAccount;
use el_protocol::DialogId;
use leptos::prelude::*;

/// `on_open` replaces following the link (a host page that embeds the field decides).
#[component]
pub fn ExternalLinesField(
    lines: Vec<LinesAccount>,
    #[prop(optional)] compact: bool,
    #[prop(optional)] on_open: Option<Callback<DialogId>>,
) -> impl IntoView {
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
                    let dialog = l.dialog_id;
                    let inside = view! {
                        <ChannelIcon kind=l.channel_kind/>
                        <span class="lines-field__account">{l.account}</span>
                        <span class="muted">{l.channel_kind.with_channel(&l.channel_name)}</span>
                    };
                    let link = match on_open {
                        Some(open) => view! {
                            <button class="lines-field__link" title=label on:click=move |_| open.run(dialog)>{inside}</button>
                        }
                        .into_any(),
                        None => view! {
                            <Link href=format!("/lines/{dialog}") attr:class="lines-field__link" attr:title=label>{inside}</Link>
                        }
                        .into_any(),
                    };
                    view! { <li>{link}</li> }
                })
                .collect_view()}
            {(more > 0).then(|| view! { <li class="muted">{tr!(n_more, n = more).to_string()}</li> })}
        </ul>
    }
    .into_any()
}
