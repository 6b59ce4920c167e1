//! Search over the inbox: the box above the tabs, and what it finds in place of the
//! list: clients (by name, messenger account, phone or email) and messages, the
//! matching words marked. A message opens its chat at that message.

use crate::api;
use crate::components::avatar::Avatar;
use crate::components::link::Link;
use crate::components::when::When;
use crate::format::{author_prefix, list_time};
use crate::i18n::td_string;
use crate::language::current;
use crate::store::{InboxStore, Session};
use el_protocol::api::DialogSummary;
use el_protocol::inbox::{tab_of, Tab};
use el_protocol::search::{check_query, SearchResults, Span};
use el_protocol::{DialogId, MessageId};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// The id of the search box (the `/` shortcut focuses it).
pub const SEARCH_INPUT_ID: &str = "inbox-search";
/// How long typing pauses before the search runs.
const PAUSE: Duration = Duration::from_millis(250);

/// The search box. Esc clears it; ↓ moves to the first result.
#[component]
pub fn SearchBox(query: RwSignal<String>) -> impl IntoView {
    let input: NodeRef<Input> = NodeRef::new();
    let on_key = move |e: leptos::ev::KeyboardEvent| match e.key().as_str() {
        "Escape" if !query.with_untracked(String::is_empty) => {
            e.prevent_default();
            e.stop_propagation();
            query.set(String::new());
        }
        "ArrowDown" => {
            let first = document().query_selector(".search-hit").ok().flatten();
            if let Some(first) = first.and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok()) {
                e.prevent_default();
                let _ = first.focus();
            }
        }
        _ => {}
    };
    view! {
        <form class="search" role="search" on:submit=|e| e.prevent_default()>
            <input
                id=SEARCH_INPUT_ID
                node_ref=input
                class="search__input"
                type="search"
                placeholder=tr!(search_everything)
                aria-label=tr!(search_everything)
                aria-keyshortcuts="/"
                autocomplete="off"
                maxlength="200"
                prop:value=move || query.get()
                on:input=move |e| query.set(event_target_value(&e))
                on:keydown=on_key
            />
            <When when=move || !query.with(String::is_empty)>
                <button
                    type="button"
                    class="search__clear button button--ghost button--small"
                    aria-label=tr!(clear_search)
                    on:click=move |_| {
                        query.set(String::new());
                        if let Some(el) = input.get_untracked() {
                            let _ = el.focus();
                        }
                    }
                >
                    "×"
                </button>
            </When>
        </form>
    }
}

/// Where a search stands.
#[derive(Clone, PartialEq)]
enum Found {
    /// Not enough typed yet: why.
    Waiting(String),
    Searching,
    Failed(String),
    Results(SearchResults),
}

/// What the search's results are drawn from.
#[derive(Clone, Copy)]
pub struct SearchIn {
    /// What is typed in the search box.
    pub query: RwSignal<String>,
    /// The tab a dialog the user does not work in opens under.
    pub tab: Memo<Tab>,
    /// The open dialog and message.
    pub selected: Memo<Option<DialogId>>,
    pub at: Memo<Option<MessageId>>,
}

/// The results of the search's query, newest search only. ↑/↓ move between them.
#[component]
pub fn SearchResultsList(search: SearchIn) -> impl IntoView {
    let SearchIn { query, tab, selected, at } = search;
    let session = expect_context::<Session>();
    let inbox = expect_context::<InboxStore>();
    let found = RwSignal::new(Found::Searching);
    let asked = StoredValue::new(0u64);
    Effect::new(move |_| {
        let text = query.get();
        let n = asked.get_value() + 1;
        asked.set_value(n);
        let text = match check_query(&text) {
            Ok(text) => text.to_string(),
            Err(why) => return found.set(Found::Waiting(why)),
        };
        // Back from a result: what was found is still there.
        if let Some(results) = inbox.found.get_untracked().filter(|r| r.query == text) {
            return found.set(Found::Results(results));
        }
        found.set(Found::Searching);
        set_timeout(
            move || {
                if asked.get_value() != n {
                    return;
                }
                spawn_local(async move {
                    let answer = api::search(&text).await;
                    if asked.get_value() != n {
                        return;
                    }
                    match answer {
                        Ok(results) => {
                            inbox.found.set(Some(results.clone()));
                            found.set(Found::Results(results));
                        }
                        Err(f) if f.is_unauthorized() => session.signed_out(),
                        Err(f) => found.set(Found::Failed(f.message)),
                    }
                });
            },
            PAUSE,
        );
    });

    let href = move |dialog: &DialogSummary, message: Option<MessageId>| {
        let tab = session.my_id().and_then(|me| tab_of(dialog, me)).unwrap_or_else(|| tab.get_untracked());
        let at = message.map(|m| format!("&at={m}")).unwrap_or_default();
        format!("/lines/{}?tab={}{at}", dialog.id, tab.as_str())
    };
    let on_key = move |e: leptos::ev::KeyboardEvent| {
        let step = match e.key().as_str() {
            "ArrowDown" => 1,
            "ArrowUp" => -1,
            _ => return,
        };
        e.prevent_default();
        move_focus(step);
    };
    let status = move || match found.get() {
        Found::Waiting(why) => why,
        Found::Searching => tr!(searching).to_string(),
        Found::Failed(why) => why,
        Found::Results(r) if r.dialogs.is_empty() && r.messages.is_empty() => {
            tr!(nothing_found, query = r.query.clone()).to_string()
        }
        Found::Results(r) => {
            let (l, clients, messages) = (current(), r.dialogs.len(), r.messages.len());
            let clients = td_string!(l, n_clients, count = clients).to_string();
            let messages = td_string!(l, n_messages, count = messages).to_string();
            tr!(found, clients, messages).to_string()
        }
    };

    view! {
        <div class="search-results" aria-label=tr!(search_results) role="region"
            aria-busy=move || (found.get() == Found::Searching).then_some("true") on:keydown=on_key>
            <p class="search-results__status" role="status">{status}</p>
            {move || match found.get() {
                Found::Results(r) => {
                    let me = session.my_id();
                    let clients = (!r.dialogs.is_empty()).then(|| {
                        let rows = r.dialogs.into_iter().map(|hit| {
                            let id = hit.dialog.id;
                            let link = href(&hit.dialog, None);
                            let current = move || (selected.get() == Some(id) && at.get().is_none()).then_some("page");
                            view! {
                                <li>
                                    <Link href=link attr:class="search-hit" attr:aria-current=current>
                                        <Avatar name=hit.dialog.name.clone() image=hit.dialog.avatar.clone()/>
                                        <span class="search-hit__body">
                                            <span class="search-hit__top">
                                                <span class="search-hit__name">{hit.dialog.name.clone()}</span>
                                                <time class="search-hit__time">{list_time(hit.dialog.last_activity_at)}</time>
                                            </span>
                                            <span class="search-hit__meta">
                                                {hit.dialog.channel_name.clone()}
                                                {hit.matched.map(|m| view! { " · " <mark>{m}</mark> })}
                                            </span>
                                        </span>
                                    </Link>
                                </li>
                            }
                        }).collect_view();
                        section(tr!(clients), rows)
                    });
                    let messages = (!r.messages.is_empty()).then(|| {
                        let rows = r.messages.into_iter().map(|hit| {
                            let (id, message) = (hit.dialog.id, hit.message_id);
                            let link = href(&hit.dialog, Some(message));
                            let current = move || (selected.get() == Some(id) && at.get() == Some(message)).then_some("page");
                            view! {
                                <li>
                                    <Link href=link attr:class="search-hit" attr:aria-current=current>
                                        <span class="search-hit__body">
                                            <span class="search-hit__top">
                                                <span class="search-hit__name">{hit.dialog.name.clone()}</span>
                                                <time class="search-hit__time">{list_time(hit.created_at)}</time>
                                            </span>
                                            <span class="search-hit__text">
                                                {author_prefix(&hit.author, me)}
                                                <Snippet spans=hit.snippet/>
                                            </span>
                                        </span>
                                    </Link>
                                </li>
                            }
                        }).collect_view();
                        section(tr!(messages), rows)
                    });
                    view! { {clients} {messages} }.into_any()
                }
                _ => ().into_any(),
            }}
        </div>
    }
}

/// One kind of result under its heading.
fn section(heading: &'static str, rows: impl IntoView) -> impl IntoView {
    view! {
        <h2 class="search-results__heading">{heading}</h2>
        <ul class="search-results__list">{rows}</ul>
    }
}

/// A snippet with its matching words marked (text only: shown exactly as written).
#[component]
fn Snippet(spans: Vec<Span>) -> impl IntoView {
    spans
        .into_iter()
        .map(|s| if s.hit { view! { <mark>{s.text}</mark> }.into_any() } else { s.text.into_any() })
        .collect_view()
}

/// Moves focus `step` results down (or up); above the first is the search box.
fn move_focus(step: i32) {
    let Ok(hits) = document().query_selector_all(".search-hit") else { return };
    let focused = document().active_element();
    let hits: Vec<web_sys::HtmlElement> = (0..hits.length())
        .filter_map(|i| hits.get(i))
        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(n).ok())
        .collect();
    let at = hits.iter().position(|h| focused.as_ref().is_some_and(|f| f == &**h));
    let next = match at {
        Some(i) => i as i32 + step,
        None => return,
    };
    let target = if next < 0 {
        document().get_element_by_id(SEARCH_INPUT_ID).and_then(|el| wasm_bindgen::JsCast::dyn_into(el).ok())
    } else {
        hits.get(next as usize).cloned()
    };
    if let Some(target) = target {
        let _ = target.focus();
    }
}
