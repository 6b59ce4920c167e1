//! The `?` sheet: every keyboard shortcut of the inbox.

use crate::components::modal::Modal;
use crate::shortcuts::SHEET;
use leptos::prelude::*;

#[component]
pub fn ShortcutsHelp(on_close: Callback<()>) -> impl IntoView {
    view! {
        <Modal title="Keyboard shortcuts" on_close=on_close>
            <dl class="shortcuts">
                {SHEET
                    .into_iter()
                    .map(|(keys, what)| view! {
                        <dt><kbd>{keys}</kbd></dt>
                        <dd>{what}</dd>
                    })
                    .collect_view()}
            </dl>
            <footer class="modal__footer">
                <button class="button button--primary" on:click=move |_| on_close.run(())>"Close"</button>
            </footer>
        </Modal>
    }
}
