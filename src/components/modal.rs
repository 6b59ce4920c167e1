//! A modal dialog: `role="dialog"`, labelled by its title, Esc or the close button
//! closes it, and focus moves into it when it opens.

use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

#[component]
pub fn Modal(#[prop(into)] title: String, on_close: Callback<()>, children: Children) -> impl IntoView {
    let title_id = format!("modal-title-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let panel: NodeRef<Div> = NodeRef::new();
    let esc = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" {
            e.prevent_default();
            on_close.run(());
        }
    });
    on_cleanup(move || esc.remove());
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            use wasm_bindgen::JsCast;
            let first = panel
                .query_selector("input, textarea, button:not(.modal__close)")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            let _ = first.map(|e| e.focus()).unwrap_or_else(|| panel.focus());
        }
    });
    let labelled_by = title_id.clone();
    view! {
        <div class="modal-backdrop" on:click=move |e| {
            if e.target() == e.current_target() {
                on_close.run(());
            }
        }>
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby=labelled_by tabindex="-1" node_ref=panel>
                <header class="modal__header">
                    <h2 id=title_id>{title}</h2>
                    <button class="button button--ghost modal__close" aria-label="Close" on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}
