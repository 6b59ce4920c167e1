//! `/lines` and `/lines/:id`: the three tabs with the dialog list, and the open chat.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::dialog_list::DialogList;
use crate::components::inbox_tabs::InboxTabs;
use crate::components::no_access::NoAccess;
use crate::components::notify_banner::NotifyBanner;
use crate::components::search_panel::{SearchBox, SearchIn, SEARCH_INPUT_ID};
use crate::components::when::When;
use crate::on_demand::{self, fetch_chat_early, load_older, HelpMaker, OnDemandChat, OnDemandSearch};
use crate::shortcuts;
use crate::store::{chat_calls, Connection, InboxActions, InboxStore, Session};
use el_protocol::inbox::{tab_of, Tab};
use el_protocol::{DialogId, MessageId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

#[component]
pub fn InboxPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let inbox = expect_context::<InboxStore>();
    let params = use_params_map();
    let query = use_query_map();
    let navigate = use_navigate();

    let selected = Memo::new(move |_| params.with(|p| p.get("id")).and_then(|s| s.parse().ok()).map(DialogId));
    let tab = Memo::new(move |_| query.with(|q| q.get("tab")).and_then(|t| Tab::parse(&t)).unwrap_or(Tab::Unassigned));
    // `?at=ID`: the message to show in the chat (a search result).
    let at = Memo::new(move |_| query.with(|q| q.get("at")).and_then(|s| s.parse().ok()).map(MessageId));
    let search = inbox.search;
    let notice = RwSignal::new(None::<String>);
    let chat_error = RwSignal::new(None::<String>);

    let nav = navigate.clone();
    let go = move |id: Option<DialogId>, tab: Tab| {
        let path = match id {
            Some(id) => format!("/lines/{id}?tab={}", tab.as_str()),
            None => format!("/lines?tab={}", tab.as_str()),
        };
        nav(&path, Default::default());
    };
    let go_open = go.clone();
    let go_reply = go.clone();
    let go_follow = go.clone();
    let go_back = go.clone();
    let actions = InboxActions {
        open: Callback::new(move |id| go_open(Some(id), tab.get_untracked())),
        reply: Callback::new(move |id: DialogId| {
            let go = go_reply.clone();
            chat_calls::reply(inbox, session, id, notice, move || go(Some(id), Tab::Active));
        }),
        follow: Callback::new(move |id: DialogId| {
            let me = session.my_id();
            let tab = inbox.inbox.with_untracked(|i| i.get(id).and_then(|d| me.and_then(|me| tab_of(d, me))));
            if let Some(tab) = tab {
                go_follow(Some(id), tab);
            }
        }),
        more: Callback::new(move |tab: Tab| {
            let Some(cursor) = inbox.begin_page(tab) else { return };
            spawn_local(async move {
                match api::page(tab, cursor).await {
                    Ok(page) => inbox.end_page(tab, cursor, Some(page)),
                    Err(f) => {
                        inbox.end_page(tab, cursor, None);
                        if f.is_unauthorized() {
                            session.signed_out();
                        } else {
                            notice.set(Some(f.message));
                        }
                    }
                }
            });
        }),
        older: Callback::new(move |_| load_older(inbox, session, notice)),
        chat_failed: Callback::new(move |why| chat_error.set(Some(why))),
        back: Callback::new(move |_| go_back(None, tab.get_untracked())),
    };
    provide_context(actions);
    let select_tab = Callback::new(move |t: Tab| go(selected.get_untracked(), t));

    // A chat that could not be opened (offline, say) is tried again when the live
    // connection comes back: its window shows again, and loads it.
    Effect::new(move |was: Option<Connection>| {
        let now = inbox.connection.get();
        if now == Connection::Live && was.is_some_and(|w| w != Connection::Live) && chat_error.get_untracked().is_some()
        {
            chat_error.set(None);
        }
        now
    });

    // Another dialog is selected: the last one's chat (or failure) goes; the chat
    // window loads the new one.
    Effect::new(move |_| {
        selected.track();
        chat_error.set(None);
        inbox.chat.set(None);
    });

    // The chat's part is not needed to show the list: it follows once the list is here.
    Effect::new(move |_| {
        if inbox.loaded.get() {
            fetch_chat_early();
        }
    });

    // Keep time-based labels current while the inbox is open.
    let tick = set_interval_with_handle(
        move || inbox.clock.set(js_sys::Date::now() as i64),
        std::time::Duration::from_secs(30),
    );
    on_cleanup(move || {
        if let Ok(handle) = tick {
            handle.clear();
        }
    });

    // J/K and Alt+↓/↑ walk the list; ? shows every shortcut (its sheet is in the chat's
    // part, which follows the list: when it cannot be downloaded, the toast says so).
    let help = RwSignal::new(None::<HelpMaker>);
    let open_help = move || {
        // The page may be gone when the part comes; a sheet already open stays as it is.
        on_demand::shortcuts_help(
            move |make| {
                if help.try_get_untracked().is_some_and(|open| open.is_none()) {
                    help.set(Some(make));
                }
            },
            move || {
                let _ = notice.try_set(Some(tr!(shortcuts_not_downloaded).into()));
            },
        )
    };
    let keys = shortcuts::on_key(move |e| {
        let typing = shortcuts::is_typing(&e);
        // Alt+arrows work in the message box too, but not in a modal or a list box.
        let walking = e.alt_key() && !e.ctrl_key() && !shortcuts::in_modal_or_list(&e);
        let step = match e.key().as_str() {
            "ArrowDown" if walking => 1,
            "ArrowUp" if walking => -1,
            "j" | "J" if !typing && !e.alt_key() => 1,
            "k" | "K" if !typing && !e.alt_key() => -1,
            "?" if !typing => {
                e.prevent_default();
                open_help();
                return;
            }
            "/" if !typing && !e.ctrl_key() && !e.meta_key() => {
                if let Some(input) = document().get_element_by_id(SEARCH_INPUT_ID) {
                    e.prevent_default();
                    let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(input).focus();
                }
                return;
            }
            _ => return,
        };
        e.prevent_default();
        let ids: Vec<DialogId> = inbox.inbox.with_untracked(|i| i.list(tab.get_untracked()).map(|d| d.id).collect());
        if let Some(next) = shortcuts::neighbour(&ids, selected.get_untracked(), step) {
            actions.open.run(next);
        }
    });
    on_cleanup(move || keys.remove());

    let counts = Signal::derive(move || inbox.inbox.with(|i| i.counts()));
    let unread = Signal::derive(move || inbox.inbox.with(|i| i.unread_counts()));
    let has_lines = move || session.me().is_some_and(|me| me.access.has_lines());

    view! {
        <AppShell>
            <When when=has_lines fallback=|| view! { <NoAccess/> }>
                // On a phone one column shows at a time: the list, or the open chat.
                <div class="inbox" class:inbox--chat=move || selected.with(Option::is_some)>
                    <aside class="inbox__side" aria-label=tr!(dialogs)>
                        <div class="inbox__head">
                            <h1 class="inbox__title">{tr!(external_lines)}</h1>
                            <button class="button button--ghost button--small" aria-keyshortcuts="Shift+?"
                                on:click=move |_| open_help()>
                                <span aria-hidden="true">"⌨ "</span>
                                {tr!(shortcuts)}
                            </button>
                        </div>
                        <NotifyBanner/>
                        <SearchBox query=search/>
                        <When
                            when=move || !search.with(String::is_empty)
                            fallback=move || view! {
                                <InboxTabs active=tab counts=counts unread=unread on_select=select_tab
                                    loading=Signal::derive(move || !inbox.loaded.get())/>
                                <DialogList tab=tab selected=selected/>
                            }
                        >
                            <OnDemandSearch search=SearchIn { query: search, tab, selected, at }/>
                        </When>
                    </aside>
                    <section class="inbox__main" aria-label=tr!(chat)>
                        {move || match (selected.get(), chat_error.get()) {
                            (_, Some(error)) => view! {
                                <div class="empty-state" role="alert">
                                    <h2>{tr!(cannot_open_dialog)}</h2>
                                    <p>{error}</p>
                                    <button class="button chat__back" on:click=move |_| actions.back.run(())>
                                        {tr!(back_to_dialogs)}
                                    </button>
                                </div>
                            }.into_any(),
                            (Some(id), None) => view! { <OnDemandChat id=id at=at.get()/> }.into_any(),
                            (None, None) => view! {
                                <div class="empty-state">
                                    <h2>{tr!(select_dialog)}</h2>
                                    <p>{tr!(select_dialog_hint)}</p>
                                </div>
                            }.into_any(),
                        }}
                    </section>
                </div>
                {move || help.get().map(|make| make(Callback::new(move |_| help.set(None))))}
                <When when=move || notice.with(Option::is_some)>
                    <div class="toast" role="alert">
                        <span>{move || notice.get().unwrap_or_default()}</span>
                        <button class="button button--ghost" aria-label=tr!(dismiss) on:click=move |_| notice.set(None)>"×"</button>
                    </div>
                </When>
            </When>
        </AppShell>
    }
}
