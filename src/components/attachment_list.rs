//! The files of a message: images as thumbnails that open full size, other files as
//! chips with name, size and a download link. File names are always text.

use el_protocol::api::{human_size, Attachment};
use leptos::prelude::*;

#[component]
pub fn AttachmentList(attachments: Vec<Attachment>) -> impl IntoView {
    (!attachments.is_empty()).then(|| {
        view! {
            <ul class="attachments" aria-label="Attached files">
                {attachments.into_iter().map(|a| view! { <AttachmentItem attachment=a/> }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn AttachmentItem(attachment: Attachment) -> impl IntoView {
    let url = attachment.url();
    let size = human_size(attachment.size);
    if attachment.is_image() {
        let label = format!("Open {} full size", attachment.name);
        let src = url.clone();
        view! {
            <li class="attachment attachment--image">
                <a href=url target="_blank" rel="noopener noreferrer" aria-label=label>
                    <img src=src alt=attachment.name loading="lazy"/>
                </a>
            </li>
        }
        .into_any()
    } else {
        let label = format!("Download {}, {size}", attachment.name);
        let download = attachment.name.clone();
        view! {
            <li class="attachment attachment--file">
                <a href=url download=download aria-label=label>
                    <span class="attachment__icon" aria-hidden="true">"📄"</span>
                    <span class="attachment__name">{attachment.name}</span>
                    <span class="attachment__size">{size}</span>
                </a>
            </li>
        }
        .into_any()
    }
}
