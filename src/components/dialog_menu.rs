//! The interaction menu (three dots) of a chat: a real menu button with arrow-key
//! navigation; it offers only the actions that apply.

use crate::components::when::When;
use el_protocol::api::{DialogState, DialogSummary};
use el_protocol::UserId;
use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// An item of the interaction menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuChoice {
    AddToDialog,
    Leave,
    Redirect,
    Rename,
    EndDialog,
    MarkAsSpam,
    /// On a CRM card: open the chat.
    GoToDialog,
    /// On a CRM card: End dialog without opening the chat.
    CloseDialog,
}

impl MenuChoice {
    pub fn label(self) -> &'static str {
        match self {
            MenuChoice::AddToDialog => tr!(add_to_dialog),
            MenuChoice::Leave => tr!(leave),
            MenuChoice::Redirect => tr!(redirect),
            MenuChoice::Rename => tr!(rename),
            MenuChoice::EndDialog => tr!(end_dialog),
            MenuChoice::MarkAsSpam => tr!(mark_as_spam),
            MenuChoice::GoToDialog => tr!(go_to_dialog),
            MenuChoice::CloseDialog => tr!(close_dialog),
        }
    }

    /// The items that apply to `dialog` for `me`: all of them to members of an active
    /// dialog, Leave only while another member stays; nothing to anyone else.
    pub fn for_dialog(dialog: &DialogSummary, me: Option<UserId>) -> Vec<MenuChoice> {
        let member = me.is_some_and(|me| dialog.members.contains(&me));
        if dialog.state != DialogState::Active || !member {
            return Vec::new();
        }
        let mut items = vec![MenuChoice::AddToDialog];
        if dialog.members.len() >= 2 {
            items.push(MenuChoice::Leave);
        }
        items.extend([MenuChoice::Redirect, MenuChoice::Rename, MenuChoice::EndDialog, MenuChoice::MarkAsSpam]);
        items
    }

    /// The items of a CRM card's dialog block: Go to dialog always, Close dialog for
    /// members of an active dialog (those who may end it).
    pub fn for_card(dialog: &DialogSummary, me: Option<UserId>) -> Vec<MenuChoice> {
        let member = me.is_some_and(|me| dialog.members.contains(&me));
        let mut items = vec![MenuChoice::GoToDialog];
        if dialog.state == DialogState::Active && member {
            items.push(MenuChoice::CloseDialog);
        }
        items
    }
}

#[component]
pub fn DialogMenu(#[prop(into)] items: Signal<Vec<MenuChoice>>, on_pick: Callback<MenuChoice>) -> impl IntoView {
    let open = RwSignal::new(false);
    let root: NodeRef<Div> = NodeRef::new();
    let button: NodeRef<leptos::html::Button> = NodeRef::new();
    let focus_item = move |index: i32| {
        let Some(root) = root.get_untracked() else { return };
        let Ok(list) = root.query_selector_all("[role=menuitem]") else { return };
        let count = list.length() as i32;
        if count == 0 {
            return;
        }
        let i = index.rem_euclid(count) as u32;
        if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    };
    let focused = move || -> i32 {
        let Some(root) = root.get_untracked() else { return -1 };
        let active = document().active_element();
        let Ok(list) = root.query_selector_all("[role=menuitem]") else { return -1 };
        (0..list.length())
            .find(|i| list.item(*i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) == active)
            .map(|i| i as i32)
            .unwrap_or(-1)
    };
    let close_outside = window_event_listener(ev::click, move |e| {
        let inside = root
            .get_untracked()
            .zip(e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()))
            .is_some_and(|(root, target)| root.contains(Some(&target)));
        if !inside {
            open.set(false);
        }
    });
    on_cleanup(move || close_outside.remove());
    Effect::new(move |_| {
        if open.get() {
            focus_item(0);
        }
    });
    view! {
        <When when=move || items.with(|i| !i.is_empty())>
            <div class="menu" node_ref=root>
                <button
                    node_ref=button
                    class="button button--ghost menu__button"
                    aria-label=tr!(dialog_actions)
                    aria-haspopup="menu"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)
                    on:keydown=move |e: web_sys::KeyboardEvent| {
                        if e.key() == "ArrowDown" {
                            e.prevent_default();
                            open.set(true);
                        }
                    }
                >
                    "⋯"
                </button>
                <When when=move || open.get()>
                    <div
                        class="menu__list"
                        role="menu"
                        aria-label=tr!(dialog_actions)
                        on:keydown=move |e: web_sys::KeyboardEvent| {
                            let step = match e.key().as_str() {
                                "ArrowDown" => 1,
                                "ArrowUp" => -1,
                                "Escape" => {
                                    // Back to the button that opened the menu.
                                    e.prevent_default();
                                    open.set(false);
                                    if let Some(b) = button.get_untracked() {
                                        let _ = b.focus();
                                    }
                                    return;
                                }
                                "Tab" => {
                                    open.set(false);
                                    return;
                                }
                                _ => return,
                            };
                            e.prevent_default();
                            focus_item(focused() + step);
                        }
                    >
                        {move || {
                            items
                                .get()
                                .into_iter()
                                .map(|item| {
                                    view! {
                                        <button
                                            role="menuitem"
                                            class="menu__item"
                                            class:menu__item--danger=matches!(item, MenuChoice::EndDialog | MenuChoice::MarkAsSpam | MenuChoice::CloseDialog)
                                            tabindex="-1"
                                            on:click=move |_| {
                                                open.set(false);
                                                on_pick.run(item);
                                            }
                                        >
                                            {item.label()}
                                        </button>
                                    }
                                })
                                .collect_view()
                        }}
                    </div>
                </When>
            </div>
        </When>
    }
}
