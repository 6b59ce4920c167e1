//! Component tests in headless Chromium: the components render store state and
//! dispatch actions.
#![cfg(target_arch = "wasm32")]

use el_protocol::api::{Author, ChannelKind, DialogState, DialogSummary, InboxSnapshot, Message, MessagePreview};
use el_protocol::events::Event;
use el_protocol::inbox::{Inbox, Tab};
use el_protocol::{ChannelId, ClientId, DialogId, MessageId, UserId};
use external_lines::components::composer::Composer;
use external_lines::components::dialog_list::DialogList;
use external_lines::components::inbox_tabs::InboxTabs;
use external_lines::store::{InboxActions, InboxStore};
use leptos::prelude::*;
use std::sync::{Arc, Mutex};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ME: UserId = UserId(1);

fn dialog(id: i64, name: &str, state: DialogState, at: i64) -> DialogSummary {
    DialogSummary {
        id: DialogId(id),
        name: name.into(),
        client_id: ClientId(id),
        client_name: name.into(),
        channel_id: ChannelId(1),
        channel_kind: ChannelKind::Widget,
        channel_name: "Website".into(),
        state,
        members: if state == DialogState::Unassigned { vec![] } else { vec![ME] },
        participants: if state == DialogState::Unassigned { vec![] } else { vec![ME] },
        spam: false,
        handover: None,
        created_at: 0,
        last_message: Some(MessagePreview {
            author: Author::Client { name: name.into() },
            text: format!("from {name}"),
            at,
        }),
        last_activity_at: at,
    }
}

fn container() -> web_sys::HtmlElement {
    let doc = document();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el.unchecked_into()
}

fn texts(root: &web_sys::HtmlElement, css: &str) -> Vec<String> {
    let nodes = root.query_selector_all(css).unwrap();
    (0..nodes.length()).map(|i| nodes.item(i).unwrap().text_content().unwrap_or_default().trim().to_string()).collect()
}

fn click(root: &web_sys::HtmlElement, css: &str) {
    root.query_selector(css).unwrap().unwrap().unchecked_into::<web_sys::HtmlElement>().click();
}

/// Mounts the tabs and list over a store, with actions that record what they get.
fn mount_inbox(inbox: Inbox, tab: RwSignal<Tab>) -> (web_sys::HtmlElement, InboxStore, Arc<Mutex<Vec<String>>>) {
    let root = container();
    let store = InboxStore::new(ME);
    store.inbox.set(inbox);
    let log = Arc::new(Mutex::new(Vec::new()));
    let (l1, l2) = (log.clone(), log.clone());
    let mount_root = root.clone();
    let handle = leptos::mount::mount_to(mount_root, move || {
        provide_context(store);
        provide_context(InboxActions {
            open: Callback::new(move |id: DialogId| l1.lock().unwrap().push(format!("open {id}"))),
            reply: Callback::new(move |id: DialogId| l2.lock().unwrap().push(format!("reply {id}"))),
        });
        let counts = Signal::derive(move || store.inbox.with(|i| i.counts()));
        view! {
            <InboxTabs active=tab counts=counts on_select=Callback::new(move |t| tab.set(t))/>
            <DialogList tab=tab selected=Signal::derive(|| None)/>
        }
    });
    std::mem::forget(handle);
    (root, store, log)
}

fn snapshot() -> Inbox {
    Inbox::from_snapshot(
        ME,
        InboxSnapshot {
            as_of: 10,
            dialogs: vec![
                dialog(1, "Olena", DialogState::Unassigned, 1_000),
                dialog(2, "Taras", DialogState::Unassigned, 3_000),
                dialog(3, "Iryna", DialogState::Unassigned, 2_000),
                dialog(4, "Mykola", DialogState::Active, 500),
            ],
        },
    )
}

#[wasm_bindgen_test]
async fn list_is_ordered_by_last_message_and_follows_store_changes() {
    let tab = RwSignal::new(Tab::Unassigned);
    let (root, store, _) = mount_inbox(snapshot(), tab);
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-row__name"), ["Taras", "Iryna", "Olena"]);
    assert_eq!(texts(&root, "[role=tab] .tab__count"), ["3", "1", "0"]);
    let labels: Vec<String> =
        texts(&root, "[role=tab]").iter().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(labels, ["Unassigned 3", "Active 1", "Inactive 0"]);

    // A new client message moves Olena to the top.
    let mut olena = dialog(1, "Olena", DialogState::Unassigned, 9_000);
    olena.last_message.as_mut().unwrap().text = "Are you there?".into();
    let message = Message {
        id: MessageId(77),
        dialog_id: DialogId(1),
        author: Author::Client { name: "Olena".into() },
        text: "Are you there?".into(),
        created_at: 9_000,
        client_msg_id: None,
    };
    store.apply(11, &Event::MessageCreated { dialog: olena, message });
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-row__name"), ["Olena", "Taras", "Iryna"]);
    assert!(texts(&root, ".dialog-row__preview")[0].contains("Are you there?"));

    // Taking Taras moves him to Active, and the counts follow.
    store.apply(12, &Event::DialogUpdated { dialog: dialog(2, "Taras", DialogState::Active, 3_000) });
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-row__name"), ["Olena", "Iryna"]);
    assert_eq!(texts(&root, "[role=tab] .tab__count"), ["2", "2", "0"]);

    click(&root, "#tab-active");
    leptos::task::tick().await;
    assert_eq!(tab.get_untracked(), Tab::Active);
    assert_eq!(texts(&root, ".dialog-row__name"), ["Taras", "Mykola"]);
    let selected = root.query_selector("#tab-active").unwrap().unwrap().get_attribute("aria-selected");
    assert_eq!(selected.as_deref(), Some("true"));
    root.remove();
}

#[wasm_bindgen_test]
async fn reply_and_open_dispatch_the_dialog_id() {
    let tab = RwSignal::new(Tab::Unassigned);
    let (root, _, log) = mount_inbox(snapshot(), tab);
    leptos::task::tick().await;
    let replies = root.query_selector_all(".dialog-row__reply").unwrap();
    assert_eq!(replies.length(), 3, "every unassigned row offers Reply");
    let label = replies.item(0).unwrap().unchecked_into::<web_sys::Element>().get_attribute("aria-label");
    assert_eq!(label.as_deref(), Some("Reply to Taras"));
    click(&root, ".dialog-row__reply");
    click(&root, ".dialog-row__open");
    assert_eq!(*log.lock().unwrap(), ["reply 2", "open 2"]);

    tab.set(Tab::Active);
    leptos::task::tick().await;
    assert_eq!(root.query_selector_all(".dialog-row__reply").unwrap().length(), 0, "no Reply on active dialogs");
    root.remove();
}

#[wasm_bindgen_test]
async fn empty_tabs_explain_themselves() {
    let tab = RwSignal::new(Tab::Inactive);
    let (root, _, _) = mount_inbox(snapshot(), tab);
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-list__empty"), ["No ended dialogs yet."]);
    root.remove();
}

fn key(root: &web_sys::HtmlElement, key: &str, shift: bool) -> bool {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    root.query_selector("textarea").unwrap().unwrap().dispatch_event(&event).unwrap()
}

#[wasm_bindgen_test]
async fn composer_sends_on_enter_and_keeps_shift_enter_for_new_lines() {
    let root = container();
    let draft = RwSignal::new(String::new());
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let s = sent.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Composer
                draft=draft
                on_send=Callback::new(move |t: String| s.lock().unwrap().push(t))
                sending=Signal::derive(|| false)
                error=Signal::derive(|| None::<String>)
            />
        }
    });
    leptos::task::tick().await;

    key(&root, "Enter", false);
    assert!(sent.lock().unwrap().is_empty(), "Enter on an empty input sends nothing");

    draft.set("first line".into());
    leptos::task::tick().await;
    let not_prevented = key(&root, "Enter", true);
    assert!(not_prevented, "Shift+Enter is left to the textarea (a new line)");
    assert!(sent.lock().unwrap().is_empty());

    let not_prevented = key(&root, "Enter", false);
    assert!(!not_prevented, "Enter is taken over to send");
    assert_eq!(*sent.lock().unwrap(), ["first line"]);

    let button = root.query_selector("button[type=submit]").unwrap().unwrap();
    assert_eq!(button.text_content().as_deref(), Some("Send"));
    let input = root.query_selector("textarea").unwrap().unwrap();
    assert_eq!(input.get_attribute("aria-label").as_deref(), Some("Message"));
    drop(handle);
    root.remove();
}
