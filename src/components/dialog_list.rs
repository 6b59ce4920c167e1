//! The dialogs of one tab, newest activity first.

use crate::components::dialog_row::DialogRow;
use crate::store::InboxStore;
use el_protocol::inbox::Tab;
use el_protocol::DialogId;
use leptos::prelude::*;

#[component]
pub fn DialogList(#[prop(into)] tab: Signal<Tab>, #[prop(into)] selected: Signal<Option<DialogId>>) -> impl IntoView {
    let inbox = expect_context::<InboxStore>();
    let ids = Memo::new(move |_| inbox.inbox.with(|i| i.list(tab.get()).map(|d| d.id).collect::<Vec<_>>()));
    view! {
        <div
            id="dialog-list"
            class="dialog-list"
            role="tabpanel"
            aria-labelledby=move || format!("tab-{}", tab.get().as_str())
        >
            <Show
                when=move || ids.with(|ids| !ids.is_empty())
                fallback=move || view! { <p class="dialog-list__empty">{empty_text(tab.get())}</p> }
            >
                <ul class="dialog-list__items">
                    <For each=move || ids.get() key=|id| *id let:id>
                        <DialogRow id=id selected=Signal::derive(move || selected.get() == Some(id))/>
                    </For>
                </ul>
            </Show>
        </div>
    }
}

fn empty_text(tab: Tab) -> &'static str {
    match tab {
        Tab::Unassigned => "No new dialogs. Client messages that nobody has taken yet appear here.",
        Tab::Active => "No active dialogs. Press Reply on an unassigned dialog to start.",
        Tab::Inactive => "No ended dialogs yet.",
    }
}
