//! A modal dialog: `role="dialog"`, labelled by its title, Esc or the close button
//! closes it; focus moves into it when it opens, Tab keeps it inside, and it goes back
//! to where it was when the modal closes.

use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use std::sync::atomic::{AtomicUsize, Ordering};
use wasm_bindgen::JsCast;

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// What Tab stops at inside a modal.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

#[component]
pub fn Modal(#[prop(into)] title: String, on_close: Callback<()>, children: Children) -> impl IntoView {
    let title_id = format!("modal-title-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let panel: NodeRef<Div> = NodeRef::new();
    let esc = crate::shortcuts::on_key(move |e| {
        if e.key() == "Escape" {
            e.prevent_default();
            on_close.run(());
        }
    });
    // The control that opened the modal gets focus back when it closes.
    let opener = SendWrapper::new(document().active_element().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()));
    on_cleanup(move || {
        esc.remove();
        if let Some(el) = opener.take() {
            let _ = el.focus();
        }
    });
    let trap = move |e: ev::KeyboardEvent| {
        if e.key() != "Tab" {
            return;
        }
        let Some(panel) = panel.get_untracked() else { return };
        let Ok(list) = panel.query_selector_all(FOCUSABLE) else { return };
        let items: Vec<web_sys::HtmlElement> =
            (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<web_sys::HtmlElement>().ok()).collect();
        let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
        let active = document().active_element();
        let at = |el: &web_sys::HtmlElement| active.as_ref() == Some(el.unchecked_ref::<web_sys::Element>());
        let outside = !items.iter().any(at);
        if e.shift_key() && (at(first) || outside) {
            e.prevent_default();
            let _ = last.focus();
        } else if !e.shift_key() && (at(last) || outside) {
            e.prevent_default();
            let _ = first.focus();
        }
    };
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
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
            <div class="modal" role="dialog" aria-modal="true" aria-labelledby=labelled_by tabindex="-1" node_ref=panel
                on:keydown=trap>
                <header class="modal__header">
                    <h2 id=title_id>{title}</h2>
                    <button class="button button--ghost modal__close" aria-label=tr!(close) on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}
