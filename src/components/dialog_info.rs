//! The dialog's view form, opened by clicking the chat name: its name (the pencil
//! edits it, with an image if the user wants one, both kept until Save), its members,
//! and Add to dialog.

use crate::components::modal::Modal;
use crate::components::when::When;
use crate::store::Session;
use el_protocol::api::{DialogSummary, MAX_AVATAR_BYTES};
use leptos::prelude::*;

#[component]
pub fn DialogInfo(
    dialog: DialogSummary,
    /// The user may change the dialog (a member of an active dialog).
    can_edit: bool,
    /// Open with the name being edited (Rename in the menu).
    #[prop(optional)]
    editing: bool,
    /// Save: the name as typed, and the image the user chose if any (already checked
    /// for type and size).
    on_save: Callback<(String, Option<web_sys::File>)>,
    on_add_members: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let editing = RwSignal::new(editing && can_edit);
    let name = RwSignal::new(dialog.name.clone());
    let members: Vec<String> = dialog.members.iter().map(|u| session.user_name(*u)).collect();
    let image = RwSignal::new_local(None::<web_sys::File>);
    let image_error = RwSignal::new(None::<String>);
    let save = move || {
        if image_error.with_untracked(Option::is_none) {
            on_save.run((name.get_untracked(), image.get_untracked()));
        }
    };
    let pick_image = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let file = input.files().and_then(|f| f.get(0));
        let allowed = ["image/png", "image/jpeg", "image/gif", "image/webp"];
        let error = file.as_ref().and_then(|file| {
            if !allowed.contains(&file.type_().as_str()) {
                Some(tr!(image_types).to_string())
            } else if file.size() > MAX_AVATAR_BYTES as f64 {
                Some(tr!(image_too_large, n = MAX_AVATAR_BYTES / (1024 * 1024)).to_string())
            } else {
                None
            }
        });
        image.set(file.filter(|_| error.is_none()));
        image_error.set(error);
    };
    view! {
        <Modal title=tr!(dialog) on_close=on_close>
            {move || if editing.get() {
                view! {
                    <form class="rename" on:submit=move |e| { e.prevent_default(); save(); }>
                        <label class="field-label" for="dialog-name">{tr!(field_name)}</label>
                        <input
                            id="dialog-name"
                            class="field"
                            maxlength="80"
                            placeholder=tr!(name_placeholder)
                            prop:value=move || name.get()
                            on:input=move |e| name.set(event_target_value(&e))
                        />
                        <label class="field-label" for="dialog-image">{tr!(image)}</label>
                        <input id="dialog-image" class="file-field" type="file" accept="image/png,image/jpeg,image/gif,image/webp" on:change=pick_image/>
                        <When when=move || image_error.with(Option::is_some)>
                            <p class="form-error" role="alert">{move || image_error.get().unwrap_or_default()}</p>
                        </When>
                        <footer class="modal__footer">
                            <button type="button" class="button" on:click=move |_| editing.set(false)>{tr!(cancel)}</button>
                            <button type="submit" class="button button--primary">{tr!(save)}</button>
                        </footer>
                    </form>
                }.into_any()
            } else {
                view! {
                    <div class="dialog-info__name">
                        <strong>{name.get_untracked()}</strong>
                        <When when=move || can_edit>
                            <button class="button button--ghost" aria-label=tr!(edit_name) on:click=move |_| editing.set(true)>"✎"</button>
                        </When>
                    </div>
                }.into_any()
            }}
            <p class="muted">{format!("{} · {}", dialog.channel_name, dialog.client_name)}</p>
            <h3 class="dialog-info__heading">{tr!(members)}</h3>
            <ul class="dialog-info__members">
                {members.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
            <When when=move || can_edit>
                <button class="button" on:click=move |_| on_add_members.run(())>{tr!(add_to_dialog)}</button>
            </When>
        </Modal>
    }
}
