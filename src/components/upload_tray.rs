//! The files attached to the message being written: a progress bar and Cancel while
//! uploading, then a chip that can be taken off; failures say why.

use crate::components::when::When;
use crate::store::uploads::{UploadState, Uploads};
use el_protocol::api::human_size;
use leptos::prelude::*;

#[component]
pub fn UploadTray(uploads: Uploads) -> impl IntoView {
    view! {
        <When when=move || uploads.refusal.with(Option::is_some)>
            <p class="form-error" role="alert">{move || uploads.refusal.get().unwrap_or_default()}</p>
        </When>
        <ul class="upload-tray" aria-label=tr!(files_to_send)>
            <For each=move || uploads.items() key=|f| (f.key, state_key(&f.state)) let:file>
                {
                    let key = file.key;
                    let (label, status) = match &file.state {
                        UploadState::Uploading(_) => (tr!(cancel_upload_of, name = file.name.clone()).to_string(), "uploading"),
                        UploadState::Done(_) => (tr!(remove_file, name = file.name.clone()).to_string(), "done"),
                        UploadState::Failed(_) => (tr!(remove_file, name = file.name.clone()).to_string(), "failed"),
                    };
                    let progress = match &file.state {
                        UploadState::Uploading(share) => Some(*share),
                        _ => None,
                    };
                    let reason = match &file.state {
                        UploadState::Failed(reason) => Some(reason.clone()),
                        _ => None,
                    };
                    let progress_label = tr!(uploading_file, name = file.name.clone()).to_string();
                    view! {
                        <li class="upload" data-state=status>
                            <span class="upload__name">{file.name.clone()}</span>
                            <span class="upload__size">{human_size(file.size)}</span>
                            {progress.map(|share| view! {
                                <progress class="upload__progress" max="1" value=share aria-label=progress_label.clone()></progress>
                            })}
                            {reason.map(|r| view! { <span class="upload__error" role="alert">{r}</span> })}
                            <button type="button" class="upload__remove" aria-label=label on:click=move |_| uploads.remove(key)>
                                "×"
                            </button>
                        </li>
                    }
                }
            </For>
        </ul>
    }
}

/// Rows are rebuilt when a file's state changes (progress in hundredths).
fn state_key(state: &UploadState) -> String {
    match state {
        UploadState::Uploading(share) => format!("u{}", (share * 100.0) as u32),
        UploadState::Done(_) => "d".into(),
        UploadState::Failed(_) => "f".into(),
    }
}
