//! The `?` sheet: every keyboard shortcut of the inbox.

use crate::components::modal::Modal;
use crate::shortcuts::sheet;
use leptos::prelude::*;

#[component]
pub fn ShortcutsHelp(on_close: Callback<()>) -> impl IntoView {
    view! {
        <Modal title=tr!(keyboard_shortcuts) on_close=on_close>
            <dl class="shortcuts">
                {sheet()
                    .into_iter()
                    .map(|(keys, what)| view! {
                        <dt><kbd>{keys}</kbd></dt>
                        <dd>{what}</dd>
                    })
                    .collect_view()}
            </dl>
            <footer class="modal__footer">
                <button class="button button--primary" on:click=move |_| on_close.run(())>{tr!(close)}</button>
            </footer>
        </Modal>
    }
}
