//! One message: the client's on the left, operators' on the right, system notes in
//! the middle, private notes marked as such. People's messages and notes are markdown,
//! rendered safely; names are always text.

use crate::components::attachment_list::AttachmentList;
use crate::components::link::Link;
use crate::format::{clock_time, list_time};
use crate::labels::{self, Text};
use el_protocol::api::{Author, Delivery, Message, Receipt};
use el_protocol::crm::card_href;
use el_protocol::markdown::to_safe_html;
use el_protocol::UserId;
use el_web_client::base;
use leptos::prelude::*;

/// `day`: the heading of the day it opens, if it is the first of its day; `continued`:
/// it follows its author's previous message, so their name is not repeated.
#[component]
pub fn MessageItem(
    message: Message,
    me: Option<UserId>,
    #[prop(default = None)] day: Option<String>,
    #[prop(optional)] continued: bool,
    /// How far the client got with this answer, shown under it (where the channel tells).
    #[prop(default = None)]
    receipt: Option<Receipt>,
) -> impl IntoView {
    let (kind, author) = match &message.author {
        Author::Client { name } => ("client", Some(name.clone())),
        Author::Operator { user_id, name } if Some(*user_id) == me => ("mine", Some(name.clone())),
        Author::Operator { name, .. } => ("operator", Some(name.clone())),
        Author::Note { user_id, name } => {
            let who = if Some(*user_id) == me { tr!(your_note) } else { name.as_str() };
            ("note", Some(tr!(only_colleagues, who).to_string()))
        }
        Author::System => ("system", None),
    };
    let time = clock_time(message.created_at);
    // Operators' messages show how far they got; the website widget needs no messenger,
    // so its messages are sent once the server has them.
    let delivery = match (&message.delivery, kind) {
        (Some(d), "mine" | "operator") => Some(d.clone()),
        (None, "mine") => Some(Delivery::Sent),
        _ => None,
    };
    let edit = message.edit.clone();
    // A note always says it is one; others drop the name under their author's previous message.
    let author = author.filter(|_| !continued || kind == "note");
    view! {
        {day.map(|day| view! { <li class="chat__day"><span>{day}</span></li> })}
        <li class=format!("message message--{kind}") class:message--continued=continued data-message-id=message.id.0>
            {author.map(|a| view! { <span class="message__author">{a}</span> })}
            {if kind == "system" {
                // What happened in the reader's language (a note stored before notices
                // were data: its text); "Lead created: Olena": the name opens the card.
                let (said, name) = match &message.notice {
                    Some(notice) => (labels::notice(notice), notice.record_name().map(str::to_string)),
                    None => match message.text.split_once(": ") {
                        Some((said, name)) if message.record.is_some() => (said.to_string(), Some(name.to_string())),
                        _ => (message.text.clone(), None),
                    },
                };
                match (message.record, name) {
                    (Some(record), Some(name)) => view! {
                        <p class="message__text">{said}": "<Link href=card_href(record.entity, record.id)>{name}</Link></p>
                    }.into_any(),
                    _ => view! { <p class="message__text">{said}</p> }.into_any(),
                }
            } else if message.text.is_empty() {
                ().into_any()
            } else {
                view! { <div class="message__text markdown" inner_html=to_safe_html(&message.text, &base::path())></div> }.into_any()
            }}
            <AttachmentList attachments=message.attachments/>
            {edit.map(|e| view! {
                <details class="message__edit">
                    <summary>{tr!(edited, at = list_time(e.at)).to_string()}</summary>
                    <div class="message__original markdown" inner_html=to_safe_html(&e.original, &base::path())></div>
                </details>
            })}
            <time class="message__time">{time}</time>
            {delivery.map(|d| match d {
                Delivery::Sending => view! { <span class="message__status" data-state="sending">{tr!(sending)}</span> }.into_any(),
                Delivery::Sent => view! { <span class="message__status" data-state="sent">{tr!(sent)}</span> }.into_any(),
                Delivery::Failed { reason } => view! {
                    <span class="message__status" data-state="failed">"⚠ " {reason}</span>
                }.into_any(),
            })}
            {receipt.map(|r| view! { <span class="message__status" data-state=r.as_str()>{r.text()}</span> })}
        </li>
    }
}
