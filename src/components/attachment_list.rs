//! The files of a message: images as thumbnails that open full size, other files as
//! chips with name, size and a download link. File names are always text.

use el_protocol::api::{human_size, Attachment};
use leptos::prelude::*;

#[component]
pub fn AttachmentList(attachments: Vec<Attachment>) -> impl IntoView {
    (!attachments.is_empty()).then(|| {
        view! {
            <ul class="attachments" aria-label=tr!(attached_files)>
                {attachments.into_iter().map(|a| view! { <AttachmentItem attachment=a/> }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn AttachmentItem(attachment: Attachment) -> impl IntoView {
    let url = el_web_client::base::at(&attachment.url());
    let size = human_size(attachment.size);
    if attachment.is_image() {
        let label = tr!(open_full_size, name = attachment.name.clone()).to_string();
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
        // Named by what it shows (the file's name and size); the tooltip says it downloads.
        let label = tr!(download_file, name = attachment.name.clone()).to_string();
        let download = attachment.name.clone();
        view! {
            <li class="attachment attachment--file">
                <a href=url download=download title=label>
                    <svg class="attachment__icon" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round">
                        <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z"/>
                        <path d="M14 2v6h6"/>
                    </svg>
                    <span class="attachment__name">{attachment.name}</span>
                    <span class="attachment__size">{size}</span>
                </a>
            </li>
        }
        .into_any()
    }
}
