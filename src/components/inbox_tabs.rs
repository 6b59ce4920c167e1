//! The Unassigned / Active / Inactive tabs, each with its count of dialogs and, apart,
//! how many new messages wait in it.

use crate::components::app_shell::focus;
use crate::components::when::When;
use crate::labels::Text;
use el_protocol::inbox::{Tab, TabCounts};
use leptos::prelude::*;

#[component]
pub fn InboxTabs(
    #[prop(into)] active: Signal<Tab>,
    #[prop(into)] counts: Signal<TabCounts>,
    /// Unread messages per tab.
    #[prop(into)]
    unread: Signal<TabCounts>,
    on_select: Callback<Tab>,
    /// The inbox is still loading: no counts yet (they would read 0).
    #[prop(optional, into)]
    loading: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="tabs" role="tablist" aria-label=tr!(dialog_lists)>
            {Tab::ALL
                .into_iter()
                .map(|tab| {
                    let selected = move || active.get() == tab;
                    view! {
                        <button
                            role="tab"
                            id=format!("tab-{}", tab.as_str())
                            class="tab"
                            class:tab--active=selected
                            aria-selected=move || selected().to_string()
                            aria-controls="dialog-list"
                            tabindex=move || if selected() { "0" } else { "-1" }
                            on:click=move |_| on_select.run(tab)
                            on:keydown=move |ev: web_sys::KeyboardEvent| {
                                let index = Tab::ALL.iter().position(|t| *t == tab).unwrap_or(0);
                                let next = match ev.key().as_str() {
                                    "ArrowRight" => Tab::ALL[(index + 1) % 3],
                                    "ArrowLeft" => Tab::ALL[(index + 2) % 3],
                                    _ => return,
                                };
                                ev.prevent_default();
                                on_select.run(next);
                                focus_tab(next);
                            }
                        >
                            <span class="tab__label">{tab.text()}</span>
                            " "
                            <When when=move || !loading.get()>
                                <span class="tab__count" title=tr!(dialogs_in_tab)>{move || counts.get().get(tab)}</span>
                                <When when=move || { unread.get().get(tab) > 0 }>
                                    " "
                                    <span class="badge" title=tr!(unread_messages)>{move || tr!(n_new, n = unread.get().get(tab)).to_string()}</span>
                                </When>
                            </When>
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

fn focus_tab(tab: Tab) {
    focus(&format!("tab-{}", tab.as_str()));
}
