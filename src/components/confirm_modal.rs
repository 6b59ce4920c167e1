//! Confirmation before closing a dialog: End dialog (with "Do not show this window
//! again") and Mark as spam.

use crate::components::modal::Modal;
use crate::components::when::When;
use leptos::prelude::*;

#[component]
pub fn ConfirmModal(
    #[prop(into)] title: String,
    #[prop(into)] text: String,
    #[prop(into)] confirm_label: String,
    /// Offer {tr!(dont_show_again)}.
    #[prop(optional)]
    offer_dont_ask: bool,
    /// Called with whether {tr!(dont_show_again)} was checked.
    on_confirm: Callback<bool>,
    on_close: Callback<()>,
) -> impl IntoView {
    let dont_ask = RwSignal::new(false);
    view! {
        <Modal title=title on_close=on_close>
            <p>{text}</p>
            <When when=move || offer_dont_ask>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || dont_ask.get() on:change=move |e| dont_ask.set(event_target_checked(&e))/>
                    {tr!(dont_show_again)}
                </label>
            </When>
            <footer class="modal__footer">
                <button class="button" on:click=move |_| on_close.run(())>{tr!(cancel)}</button>
                <button class="button button--primary" on:click=move |_| on_confirm.run(dont_ask.get_untracked())>
                    {confirm_label}
                </button>
            </footer>
        </Modal>
    }
}
