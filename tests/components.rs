//! Component tests in headless Chromium: the components render store state and
//! dispatch actions.
#![cfg(target_arch = "wasm32")]

use el_protocol::api::UploadLimits;
use el_protocol::api::{
    Author, ChannelKind, Cursor, DialogPage, DialogState, DialogSummary, Message, MessagePreview, TabTotals,
};
use el_protocol::events::{Event, UserEvent};
use el_protocol::inbox::{whole_snapshot, Inbox, Tab, TabCounts};
use el_protocol::outbox::Outgoing;
use el_protocol::{ChannelId, ClientId, DialogId, MessageId, UserId};
use external_lines::components::composer::Composer;
use external_lines::components::dialog_list::DialogList;
use external_lines::components::inbox_tabs::InboxTabs;
use external_lines::components::upload_tray::UploadTray;
use external_lines::store::uploads::Uploads;
use external_lines::store::{InboxActions, InboxStore};
use leptos::prelude::*;
use std::sync::{Arc, Mutex};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ME: UserId = UserId(1);

fn dialog(id: i64, name: &str, state: DialogState, at: i64) -> DialogSummary {
    DialogSummary {
        channel_connected: true,
        owners: Default::default(),
        client_read: None,
        client_delivered: None,
        reply_until: None,
        offer: None,
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
        avatar: None,
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
    store.loaded.set(true);
    let log = Arc::new(Mutex::new(Vec::new()));
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let mount_root = root.clone();
    let handle = leptos::mount::mount_to(mount_root, move || {
        provide_context(store);
        provide_context(signed_in());
        provide_context(InboxActions {
            open: Callback::new(move |id: DialogId| l1.lock().unwrap().push(format!("open {id}"))),
            reply: Callback::new(move |id: DialogId| l2.lock().unwrap().push(format!("reply {id}"))),
            follow: Callback::new(|_| {}),
            more: Callback::new(move |tab: Tab| l3.lock().unwrap().push(format!("more {}", tab.as_str()))),
            older: Callback::new(|_| {}),
            chat_failed: Callback::new(|_| {}),
            back: Callback::new(|_| {}),
        });
        let counts = Signal::derive(move || store.inbox.with(|i| i.counts()));
        view! {
            <InboxTabs
                active=tab
                counts=counts
                unread=Signal::derive(move || store.inbox.with(|i| i.unread_counts()))
                on_select=Callback::new(move |t| tab.set(t))
                loading=Signal::derive(move || !store.loaded.get())
            />
            <DialogList tab=tab selected=Signal::derive(|| None)/>
        }
    });
    std::mem::forget(handle);
    (root, store, log)
}

fn snapshot() -> Inbox {
    Inbox::from_snapshot(
        ME,
        whole_snapshot(
            ME,
            10,
            vec![
                dialog(1, "Olena", DialogState::Unassigned, 1_000),
                dialog(2, "Taras", DialogState::Unassigned, 3_000),
                dialog(3, "Iryna", DialogState::Unassigned, 2_000),
                dialog(4, "Mykola", DialogState::Active, 500),
            ],
            vec![(DialogId(4), 2)],
        ),
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
    assert_eq!(labels, ["Unassigned 3", "Active 1 2 new", "Inactive 0"], "counts and unread in the tab names");

    // A new client message moves Olena to the top.
    let mut olena = dialog(1, "Olena", DialogState::Unassigned, 9_000);
    olena.last_message.as_mut().unwrap().text = "Are you there?".into();
    let message = Message {
        delivery: Default::default(),
        edit: Default::default(),
        notice: None,
        record: Default::default(),
        id: MessageId(77),
        dialog_id: DialogId(1),
        author: Author::Client { name: "Olena".into() },
        text: "Are you there?".into(),
        created_at: 9_000,
        client_msg_id: None,
        attachments: vec![],
    };
    let totals = |unassigned, active, unread_unassigned| TabTotals {
        dialogs: TabCounts { unassigned, active, inactive: 0 },
        unread: TabCounts { unassigned: unread_unassigned, active: 2, inactive: 0 },
    };
    store.apply(
        11,
        &UserEvent {
            event: Event::MessageCreated { dialog: olena, message },
            unread: Some(3),
            totals: Some(totals(3, 1, 3)),
        },
    );
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-row__name"), ["Olena", "Taras", "Iryna"]);
    assert!(texts(&root, ".dialog-row__preview")[0].contains("Are you there?"));
    assert_eq!(texts(&root, ".dialog-row .badge"), ["3 unread"], "the row shows the server's unread count");
    assert_eq!(texts(&root, "#tab-unassigned .badge"), ["3 new"]);

    // Read elsewhere: Olena's row loses its badge where it stands.
    store.apply(
        12,
        &UserEvent { event: Event::DialogRead { dialog_id: DialogId(1), user: ME }, unread: None, totals: None },
    );
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-row__name"), ["Olena", "Taras", "Iryna"]);
    assert!(texts(&root, ".dialog-row .badge").is_empty(), "the row follows its own dialog's change");

    // Taking Taras moves him to Active, and the counts follow.
    store.apply(
        13,
        &UserEvent {
            event: Event::DialogUpdated { dialog: dialog(2, "Taras", DialogState::Active, 3_000) },
            unread: None,
            totals: Some(totals(2, 2, 3)),
        },
    );
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
async fn a_dialog_offered_to_me_in_turn_counts_down_and_leaves_when_it_passes_on() {
    use el_protocol::api::Offer;
    let until = js_sys::Date::now() as i64 + 45_000;
    let offered =
        DialogSummary { offer: Some(Offer { to: ME, until }), ..dialog(1, "Olena", DialogState::Unassigned, 2_000) };
    let inbox = Inbox::from_snapshot(
        ME,
        whole_snapshot(ME, 10, vec![offered.clone(), dialog(2, "Taras", DialogState::Unassigned, 1_000)], vec![]),
    );
    let (root, store, _) = mount_inbox(inbox, RwSignal::new(Tab::Unassigned));
    next_frame().await;
    let marks = texts(&root, ".dialog-row .mark--offer");
    assert_eq!(marks.len(), 1, "only Olena is offered: {marks:?}");
    assert!(marks[0].starts_with("Offered to you · 0:4"), "{marks:?}");
    assert!(texts(&root, ".dialog-row")[0].contains("Olena"));
    // It passes to a colleague: it leaves my list.
    let passed = DialogSummary { offer: Some(Offer { to: UserId(2), until }), ..offered };
    store.apply(store.as_of() + 1, &UserEvent::bare(Event::DialogUpdated { dialog: passed }));
    next_frame().await;
    assert_eq!(texts(&root, ".dialog-row__name"), vec!["Taras"]);
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

#[wasm_bindgen_test]
async fn in_ukrainian_the_inbox_and_its_counts_speak_ukrainian() {
    use external_lines::i18n::{td_string, Locale};
    use external_lines::language;
    language::switch(Locale::uk);
    let tab = RwSignal::new(Tab::Inactive);
    let (root, _, _) = mount_inbox(snapshot(), tab);
    leptos::task::tick().await;
    let labels = texts(&root, ".tab__label");
    let empty = texts(&root, ".dialog-list__empty");
    // Ukrainian has three plural forms besides the fraction one: 1, 2-4 and 5-20 differ.
    let plurals: Vec<String> =
        [1, 3, 5, 21].into_iter().map(|n| td_string!(Locale::uk, n_dialogs, count = n).to_string()).collect();
    // The shared web client's own failures speak the app's language too.
    use el_web_client::words::{say, Problem};
    language::speak_for_web_client();
    let failures = [say(Problem::ServerError(502)), say(Problem::Unreachable)];
    language::switch(Locale::en);
    let english = say(Problem::ServerError(502));
    root.remove();
    assert_eq!(failures[0], "Сервер відповів помилкою (502).");
    assert!(failures[1].starts_with("Не вдається з'єднатися з сервером"), "{}", failures[1]);
    assert_eq!(english, "The server answered with an error (502).");
    assert_eq!(labels, ["Нерозподілені", "Активні", "Неактивні"]);
    assert_eq!(empty, ["Завершених діалогів поки немає."]);
    assert_eq!(plurals, ["1 діалог", "3 діалоги", "5 діалогів", "21 діалог"]);
}

#[wasm_bindgen_test]
async fn while_the_inbox_loads_it_shows_loading_rows_not_an_empty_inbox() {
    let tab = RwSignal::new(Tab::Unassigned);
    let (root, store, _) = mount_inbox(Inbox::new(ME), tab);
    store.loaded.set(false);
    leptos::task::tick().await;
    assert!(texts(&root, ".dialog-list__empty").is_empty(), "no false empty state");
    assert!(texts(&root, ".tab__count").is_empty(), "no counts of 0 yet");
    let loading = root.query_selector("[role=status][aria-busy=true]").unwrap().expect("a loading state");
    assert_eq!(loading.text_content().unwrap_or_default().trim(), "Loading dialogs…");
    assert_eq!(root.query_selector_all(".skeleton-row").unwrap().length(), 6);

    store.load(ME, whole_snapshot(ME, 1, vec![], vec![]));
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-list__empty").len(), 1, "now it is empty");
    assert_eq!(texts(&root, ".tab__count"), ["0", "0", "0"]);
    assert!(root.query_selector(".skeleton-row").unwrap().is_none());
    root.remove();
}

/// Presses `key` (with Shift if `shift`) on `target`; false when a handler took it over.
fn press(target: &web_sys::Element, key: &str, shift: bool) -> bool {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap()
}

fn key(root: &web_sys::HtmlElement, key: &str, shift: bool) -> bool {
    press(&root.query_selector("textarea").unwrap().unwrap(), key, shift)
}

/// Mounts a composer offering `replies` with `variables`: its root, mount handle, draft,
/// and the messages it sent.
#[allow(clippy::type_complexity)]
fn mount_composer(
    replies: Vec<el_protocol::replies::QuickReply>,
    variables: el_protocol::replies::Variables,
) -> (
    web_sys::HtmlElement,
    leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>,
    RwSignal<String>,
    Arc<Mutex<Vec<Outgoing>>>,
) {
    let root = container();
    let draft = RwSignal::new(String::new());
    let sent = Arc::new(Mutex::new(Vec::<Outgoing>::new()));
    let s = sent.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! {
            <Composer
                draft=draft
                uploads=Uploads::new(DialogId(1), UploadLimits::default())
                on_send=Callback::new(move |m: Outgoing| s.lock().unwrap().push(m))
                replies=Signal::stored(replies.clone())
                variables=Signal::stored(variables.clone())
            />
        }
    });
    (root, handle, draft, sent)
}

#[wasm_bindgen_test]
async fn slash_offers_quick_replies_that_arrows_and_enter_put_in_with_variables_filled() {
    use el_protocol::replies::{QuickReply, Variables};
    let replies = vec![
        QuickReply {
            id: 1,
            title: "Delivery".into(),
            text: "We deliver in 2 days, {client_name}.".into(),
            shared: true,
        },
        QuickReply {
            id: 2,
            title: "Greeting".into(),
            text: "Hello {client_name}! This is {operator_name}.".into(),
            shared: false,
        },
        QuickReply { id: 3, title: "Returns".into(), text: "Free returns after delivery.".into(), shared: true },
    ];
    let variables =
        Variables { client_name: "Olena".into(), operator_name: "Anna".into(), channel_name: "Website".into() };
    let (root, handle, draft, sent) = mount_composer(replies, variables);
    let textarea = type_text(&root, "/");
    leptos::task::tick().await;
    let options = || texts(&root, "[role=listbox][aria-label='Quick replies'] [role=option] strong");
    assert_eq!(options(), ["Delivery", "Greeting", "Returns"]);
    assert_eq!(textarea.get_attribute("aria-controls").as_deref(), Some("quick-replies"));

    type_text(&root, "/deliver");
    leptos::task::tick().await;
    assert_eq!(options(), ["Delivery", "Returns"], "by title first, then by text");
    assert!(!key(&root, "ArrowDown", false), "the arrows move in the list");
    leptos::task::tick().await;
    assert_eq!(texts(&root, "[role=option][aria-selected=true] strong"), ["Returns"]);
    assert_eq!(textarea.get_attribute("aria-activedescendant").as_deref(), Some("quick-reply-1"));
    key(&root, "ArrowUp", false);
    leptos::task::tick().await;
    assert!(!key(&root, "Enter", false));
    leptos::task::tick().await;
    assert_eq!(draft.get_untracked(), "We deliver in 2 days, Olena.");
    assert_eq!(textarea.value(), "We deliver in 2 days, Olena.");
    assert!(sent.lock().unwrap().is_empty(), "Enter picked the reply; it did not send");
    assert!(texts(&root, "[role=listbox]").is_empty(), "the list closes");
    key(&root, "Enter", false);
    assert_eq!(sent.lock().unwrap()[0].text, "We deliver in 2 days, Olena.");

    // Escape hides the list; a slash later in the text is just a slash.
    type_text(&root, "/gr");
    leptos::task::tick().await;
    assert_eq!(options(), ["Greeting"]);
    key(&root, "Escape", false);
    leptos::task::tick().await;
    assert!(texts(&root, "[role=listbox]").is_empty());
    type_text(&root, "either/or");
    leptos::task::tick().await;
    assert!(texts(&root, "[role=listbox]").is_empty());
    type_text(&root, "/nothing like it");
    leptos::task::tick().await;
    assert_eq!(texts(&root, "#quick-replies[role=status]"), ["No quick reply matches."]);
    assert!(root.query_selector("[role=listbox]").unwrap().is_none(), "no empty listbox");
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn the_note_switch_sends_private_notes_that_show_apart_from_answers() {
    use external_lines::components::message_item::MessageItem;
    let (root, handle, _, sent) = mount_composer(vec![], Default::default());
    leptos::task::tick().await;
    let pressed = || texts(&root, "[role=group][aria-label='Send as'] button[aria-pressed=true]");
    assert_eq!(pressed(), ["Reply"], "answers by default");
    click(&root, "[aria-label='Send as'] button:nth-child(2)");
    leptos::task::tick().await;
    assert_eq!(pressed(), ["Note"]);
    assert_eq!(texts(&root, "button[type=submit]"), ["Add note"]);
    assert!(root.query_selector(".composer__attach[disabled]").unwrap().is_some(), "a note is text only");
    type_text(&root, "VIP: be gentle");
    key(&root, "Enter", false);
    assert_eq!(*sent.lock().unwrap(), [Outgoing { text: "VIP: be gentle".into(), attachments: vec![], note: true }]);
    click(&root, "[aria-label='Send as'] button:nth-child(1)");
    leptos::task::tick().await;
    type_text(&root, "Hello!");
    key(&root, "Enter", false);
    assert!(!sent.lock().unwrap()[1].note, "Reply answers the client again");
    drop(handle);
    root.remove();

    let root = container();
    let note = Message {
        delivery: None,
        edit: None,
        notice: None,
        record: None,
        id: MessageId(9),
        dialog_id: DialogId(1),
        author: Author::Note { user_id: UserId(2), name: "Bob".into() },
        text: "Refund **approved**".into(),
        created_at: 1,
        client_msg_id: None,
        attachments: vec![],
    };
    let handle =
        leptos::mount::mount_to(root.clone(), move || view! { <MessageItem message=note.clone() me=Some(ME)/> });
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".message--note .message__author"), ["Bob · only colleagues see this"]);
    assert_eq!(texts(&root, ".message--note .message__text strong"), ["approved"]);
    assert!(texts(&root, ".message__status").is_empty(), "a note is not delivered anywhere");
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn system_notes_read_in_the_users_language() {
    use el_protocol::notices::Notice;
    use external_lines::components::message_item::MessageItem;
    use external_lines::i18n::Locale;
    use external_lines::language;
    let note = |id: i64, text: &str, notice: Option<Notice>| Message {
        delivery: None,
        edit: None,
        notice,
        record: None,
        id: MessageId(id),
        dialog_id: DialogId(1),
        author: Author::System,
        text: text.into(),
        created_at: 1,
        client_msg_id: None,
        attachments: vec![],
    };
    let took = note(1, "Anna Kovalenko took the dialog", Some(Notice::Took { who: "Anna Kovalenko".into() }));
    // A note stored before notices were data shows its text.
    let older = note(2, "Bob Marchenko joined the dialog", None);
    language::switch(Locale::uk);
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        view! { <MessageItem message=took.clone() me=Some(ME)/><MessageItem message=older.clone() me=Some(ME)/> }
    });
    leptos::task::tick().await;
    let shown = texts(&root, ".message--system .message__text");
    language::switch(Locale::en);
    drop(handle);
    root.remove();
    assert_eq!(shown, ["Anna Kovalenko взяв(ла) діалог", "Bob Marchenko joined the dialog"]);
}

#[wasm_bindgen_test]
async fn composer_sends_on_enter_and_keeps_shift_enter_for_new_lines() {
    let (root, handle, draft, sent) = mount_composer(vec![], Default::default());
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
    assert_eq!(sent.lock().unwrap()[0].text, "first line");

    let button = root.query_selector("button[type=submit]").unwrap().unwrap();
    assert_eq!(button.text_content().as_deref(), Some("Send"));
    let input = root.query_selector("textarea").unwrap().unwrap();
    assert_eq!(input.get_attribute("aria-label").as_deref(), Some("Message"));

    // The toolbar formats the selection.
    draft.set("make this bold".into());
    leptos::task::tick().await;
    let textarea: web_sys::HtmlTextAreaElement = input.clone().unchecked_into();
    textarea.set_selection_range(10, 14).unwrap();
    click(&root, "[role=toolbar] button[aria-label='Bold (Ctrl+B)']");
    assert_eq!(draft.get_untracked(), "make this **bold**");
    assert_eq!((textarea.selection_start().unwrap(), textarea.selection_end().unwrap()), (Some(12), Some(16)));

    // Ctrl+I on the same selection.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("i");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ctrl_i = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    assert!(!input.dispatch_event(&ctrl_i).unwrap(), "the shortcut is taken over");
    assert_eq!(draft.get_untracked(), "make this **_bold_**");

    let labels: Vec<String> = {
        let buttons = root.query_selector_all("[role=toolbar] button").unwrap();
        (0..buttons.length())
            .map(|i| {
                buttons
                    .item(i)
                    .unwrap()
                    .unchecked_into::<web_sys::Element>()
                    .get_attribute("aria-label")
                    .unwrap_or_default()
            })
            .collect()
    };
    assert_eq!(
        labels,
        [
            "Bold (Ctrl+B)",
            "Italic (Ctrl+I)",
            "Strikethrough",
            "Inline code",
            "Code block",
            "Bulleted list",
            "1. Numbered list",
            "Quote",
            "Link (Ctrl+K)",
            "Attach files",
            ""
        ],
        "every tool has an accessible name holding its visible word (Preview is named by its text)"
    );

    // Preview shows what the client will see, safely.
    draft.set("**hi** <img src=x onerror=alert(1)>".into());
    click(&root, ".composer__preview-toggle");
    leptos::task::tick().await;
    let preview = root.query_selector(".composer__preview").unwrap().expect("a preview");
    assert!(
        preview.inner_html().starts_with("<p><strong>hi</strong> &lt;img src=x onerror=alert(1)&gt;</p>"),
        "{}",
        preview.inner_html()
    );
    assert!(preview.query_selector("img").unwrap().is_none());
    assert_eq!(
        root.query_selector(".composer__preview-toggle").unwrap().unwrap().get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    click(&root, ".composer__preview-toggle");
    leptos::task::tick().await;
    assert!(root.query_selector("textarea").unwrap().is_some(), "back to writing");
    drop(handle);
    root.remove();
}

mod dialog_actions {
    use super::*;
    use external_lines::components::confirm_modal::ConfirmModal;
    use external_lines::components::dialog_menu::{DialogMenu, MenuChoice};
    use external_lines::components::join_banner::JoinBanner;

    fn active(members: &[i64]) -> DialogSummary {
        let mut d = dialog(1, "Olena", DialogState::Active, 1);
        d.members = members.iter().map(|&u| UserId(u)).collect();
        d.participants = d.members.clone();
        d
    }

    #[wasm_bindgen_test]
    fn menu_items_apply_only_where_they_make_sense() {
        use MenuChoice::*;
        assert_eq!(
            MenuChoice::for_dialog(&active(&[1]), Some(ME)),
            [AddToDialog, Redirect, Rename, EndDialog, MarkAsSpam]
        );
        assert_eq!(
            MenuChoice::for_dialog(&active(&[1, 2]), Some(ME)),
            [AddToDialog, Leave, Redirect, Rename, EndDialog, MarkAsSpam]
        );
        assert!(MenuChoice::for_dialog(&active(&[2]), Some(ME)).is_empty(), "not a member");
        assert!(MenuChoice::for_dialog(&dialog(1, "O", DialogState::Unassigned, 1), Some(ME)).is_empty());
        let mut ended = active(&[1]);
        ended.state = DialogState::Ended;
        assert!(MenuChoice::for_dialog(&ended, Some(ME)).is_empty());
    }

    fn keydown(target: &web_sys::Element, key: &str) {
        press(target, key, false);
    }

    #[wasm_bindgen_test]
    async fn the_interaction_menu_is_a_keyboard_menu() {
        let root = container();
        let picked = Arc::new(Mutex::new(Vec::<MenuChoice>::new()));
        let p = picked.clone();
        let items = RwSignal::new(MenuChoice::for_dialog(&active(&[1, 2]), Some(ME)));
        let handle = leptos::mount::mount_to(root.clone(), move || {
            view! { <DialogMenu items=items on_pick=Callback::new(move |c| p.lock().unwrap().push(c))/> }
        });
        leptos::task::tick().await;
        let button = root.query_selector("button[aria-haspopup=menu]").unwrap().unwrap();
        assert_eq!(button.get_attribute("aria-label").as_deref(), Some("Dialog actions"));
        assert_eq!(button.get_attribute("aria-expanded").as_deref(), Some("false"));
        assert!(root.query_selector("[role=menu]").unwrap().is_none());

        keydown(&button, "ArrowDown");
        leptos::task::tick().await;
        assert_eq!(button.get_attribute("aria-expanded").as_deref(), Some("true"));
        assert_eq!(
            texts(&root, "[role=menuitem]"),
            ["Add to dialog", "Leave", "Redirect", "Rename", "End dialog", "Mark as spam"]
        );
        let focused = || document().active_element().and_then(|e| e.text_content()).unwrap_or_default();
        assert_eq!(focused(), "Add to dialog", "focus moves into the menu");
        let menu = root.query_selector("[role=menu]").unwrap().unwrap();
        keydown(&menu, "ArrowDown");
        keydown(&menu, "ArrowDown");
        assert_eq!(focused(), "Redirect");
        keydown(&menu, "ArrowUp");
        keydown(&menu, "ArrowUp");
        keydown(&menu, "ArrowUp");
        assert_eq!(focused(), "Mark as spam", "arrows wrap around");

        click(&root, "[role=menuitem]:nth-child(2)");
        leptos::task::tick().await;
        assert_eq!(*picked.lock().unwrap(), [MenuChoice::Leave]);
        assert!(root.query_selector("[role=menu]").unwrap().is_none(), "picking closes the menu");

        click(&root, "button[aria-haspopup=menu]");
        leptos::task::tick().await;
        keydown(&root.query_selector("[role=menu]").unwrap().unwrap(), "Escape");
        leptos::task::tick().await;
        assert!(root.query_selector("[role=menu]").unwrap().is_none(), "Esc closes the menu");

        items.set(Vec::new());
        leptos::task::tick().await;
        assert!(root.query_selector("button[aria-haspopup=menu]").unwrap().is_none(), "no menu without items");
        drop(handle);
        root.remove();
    }

    #[wasm_bindgen_test]
    async fn the_join_banner_names_who_works_and_joins() {
        let root = container();
        let joined = Arc::new(Mutex::new(0));
        let j = joined.clone();
        let handle = leptos::mount::mount_to(root.clone(), move || {
            view! {
                <JoinBanner
                    members=vec!["Anna Kovalenko".to_string(), "Bob Marchenko".to_string()]
                    on_join=Callback::new(move |_| *j.lock().unwrap() += 1)
                />
            }
        });
        leptos::task::tick().await;
        let text = texts(&root, ".join-banner span");
        assert_eq!(text, ["Anna Kovalenko, Bob Marchenko work on this dialog. Join it to write to the client."]);
        click(&root, ".join-banner button");
        assert_eq!(*joined.lock().unwrap(), 1);
        drop(handle);
        root.remove();
    }

    #[wasm_bindgen_test]
    async fn end_dialog_confirmation_reports_do_not_show_again_and_closes_on_escape() {
        let root = container();
        let confirmed = Arc::new(Mutex::new(Vec::<bool>::new()));
        let closed = Arc::new(Mutex::new(0));
        let (c, x) = (confirmed.clone(), closed.clone());
        let handle = leptos::mount::mount_to(root.clone(), move || {
            view! {
                <ConfirmModal
                    title="End dialog"
                    text="The dialog will move to Inactive."
                    confirm_label="End dialog"
                    offer_dont_ask=true
                    on_confirm=Callback::new(move |dont_ask| c.lock().unwrap().push(dont_ask))
                    on_close=Callback::new(move |_| *x.lock().unwrap() += 1)
                />
            }
        });
        leptos::task::tick().await;
        let dialog_el = root.query_selector("[role=dialog]").unwrap().expect("a real dialog element");
        assert_eq!(dialog_el.get_attribute("aria-modal").as_deref(), Some("true"));
        let title_id = dialog_el.get_attribute("aria-labelledby").unwrap();
        assert_eq!(document().get_element_by_id(&title_id).unwrap().text_content().as_deref(), Some("End dialog"));

        click(&root, ".modal__footer .button--primary");
        click(&root, ".checkbox input");
        click(&root, ".modal__footer .button--primary");
        assert_eq!(*confirmed.lock().unwrap(), [false, true]);

        keydown(&dialog_el, "Escape");
        assert_eq!(*closed.lock().unwrap(), 1, "Esc closes the modal");
        click(&root, ".modal__close");
        assert_eq!(*closed.lock().unwrap(), 2);
        drop(handle);
        root.remove();
    }

    fn focused_text() -> String {
        document().active_element().and_then(|e| e.text_content()).unwrap_or_default()
    }

    #[wasm_bindgen_test]
    async fn a_modal_keeps_focus_inside_and_gives_it_back_when_it_closes() {
        let root = container();
        let opener = document().create_element("button").unwrap().dyn_into::<web_sys::HtmlElement>().unwrap();
        opener.set_text_content(Some("Open"));
        root.append_child(&opener).unwrap();
        opener.focus().unwrap();
        let open = RwSignal::new(true);
        let modal_root = container();
        let handle = leptos::mount::mount_to(modal_root.clone(), move || {
            view! {
                <Show when=move || open.get()>
                    <ConfirmModal
                        title="End dialog"
                        text="The dialog will move to Inactive."
                        confirm_label="End dialog"
                        offer_dont_ask=false
                        on_confirm=Callback::new(|_| {})
                        on_close=Callback::new(move |_| open.set(false))
                    />
                </Show>
            }
        });
        leptos::task::tick().await;
        let dialog_el = modal_root.query_selector("[role=dialog]").unwrap().unwrap();
        let buttons = dialog_el.query_selector_all("button").unwrap();
        let first = buttons.item(0).unwrap().dyn_into::<web_sys::HtmlElement>().unwrap();
        let last = buttons.item(buttons.length() - 1).unwrap().dyn_into::<web_sys::HtmlElement>().unwrap();
        assert_ne!(focused_text(), "Open", "focus moved into the modal");

        last.focus().unwrap();
        assert!(!press(&last, "Tab", false), "Tab on the last control is kept in the modal");
        assert_eq!(document().active_element(), Some(first.clone().into()));
        assert!(!press(&first, "Tab", true), "Shift+Tab on the first control is kept too");
        assert_eq!(document().active_element(), Some(last.clone().into()));

        keydown(&dialog_el, "Escape");
        leptos::task::tick().await;
        assert!(modal_root.query_selector("[role=dialog]").unwrap().is_none());
        assert_eq!(focused_text(), "Open", "focus is back on the button that opened it");
        drop(handle);
        modal_root.remove();
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn ten_thousand_dialogs_keep_only_the_visible_rows_in_the_dom() {
    use external_lines::components::dialog_list::{OVERSCAN, ROW_HEIGHT};
    let dialogs = (1..=10_000).map(|i| dialog(i, &format!("Client {i}"), DialogState::Unassigned, i * 1_000)).collect();
    let inbox = Inbox::from_snapshot(ME, whole_snapshot(ME, 1, dialogs, vec![]));
    let tab = RwSignal::new(Tab::Unassigned);
    // The rows' height is the stylesheet's.
    let sheet = document().create_element("style").unwrap();
    sheet.set_text_content(Some(include_str!("../style/main.css")));
    document().head().unwrap().append_child(&sheet).unwrap();
    let (root, store, _) = mount_inbox(inbox, tab);
    // The first rows show alone: as many as the window's height holds while the list is
    // not measured yet, then as many as the list's own; those beyond the view follow once
    // they are painted.
    let window_rows = (window().inner_height().unwrap().as_f64().unwrap() / ROW_HEIGHT).ceil() as usize;
    let unmeasured_rows = root.query_selector_all(".dialog-row").unwrap().length() as usize;
    assert_eq!(unmeasured_rows, window_rows, "the window's rows at first, of 10,000 dialogs");
    let list: web_sys::HtmlElement = root.query_selector("#dialog-list").unwrap().unwrap().unchecked_into();
    list.style().set_property("height", "600px").unwrap();
    list.style().set_property("overflow-y", "auto").unwrap();
    list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    leptos::task::tick().await;
    let first_rows = root.query_selector_all(".dialog-row").unwrap().length() as usize;
    assert_eq!(first_rows, 8, "once measured, the 8 rows in view alone");
    idle().await;
    leptos::task::tick().await;
    let rows = root.query_selector_all(".dialog-row").unwrap().length() as usize;
    assert_eq!(rows, 8 + OVERSCAN, "at the top: the 8 rows in view and the overscan below them");
    assert_eq!(texts(&root, ".dialog-row__name")[0], "Client 10000", "newest first");
    let row: web_sys::HtmlElement = root.query_selector(".dialog-row").unwrap().unwrap().unchecked_into();
    assert_eq!(row.offset_height() as f64, ROW_HEIGHT, "style/main.css gives rows the height the list counts with");
    let full_height = list.scroll_height() as f64;
    assert!(full_height >= 10_000.0 * ROW_HEIGHT - 1.0, "the scrollbar spans every dialog: {full_height}");

    // Scrolled to the bottom, the oldest dialogs are rendered.
    list.set_scroll_top(list.scroll_height());
    list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    leptos::task::tick().await;
    let names = texts(&root, ".dialog-row__name");
    assert_eq!(names.last().map(String::as_str), Some("Client 1"));
    assert!(root.query_selector_all(".dialog-row").unwrap().length() < 40);

    // A new message moves an old dialog to the top, at once.
    let mut d = dialog(5, "Client 5", DialogState::Unassigned, 99_999_999);
    d.last_message.as_mut().unwrap().text = "again".into();
    store.apply(2, &UserEvent::bare(Event::DialogUpdated { dialog: d }));
    list.set_scroll_top(0);
    list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-row__name")[0], "Client 5");
    root.remove();
    sheet.remove();
}

#[wasm_bindgen_test]
fn the_list_renders_the_rows_in_view_and_the_overscan_on_each_side_that_has_any() {
    use external_lines::components::dialog_list::{visible_range, OVERSCAN};
    // 600 px show 7.5 rows of 80 px: 8 are in view.
    assert_eq!(visible_range(10_000, 0.0, 600.0, OVERSCAN), (0, 8 + OVERSCAN), "at the top, none above");
    assert_eq!(visible_range(10_000, 0.0, 600.0, 0), (0, 8), "the first rows alone");
    assert_eq!(visible_range(10_000, 8_000.0, 600.0, OVERSCAN), (100 - OVERSCAN, 108 + OVERSCAN));
    let bottom = 10_000.0 * 80.0 - 600.0;
    assert_eq!(visible_range(10_000, bottom, 600.0, OVERSCAN), (9_992 - OVERSCAN, 10_000), "at the end, none below");
    assert_eq!(visible_range(5, 0.0, 600.0, OVERSCAN), (0, 5));
    assert_eq!(visible_range(0, 0.0, 600.0, OVERSCAN), (0, 0));
    assert_eq!(visible_range(10_000, -40.0, 0.0, OVERSCAN), (0, 1 + OVERSCAN), "no height yet: a row");
}

#[wasm_bindgen_test]
async fn the_list_asks_for_the_next_page_at_its_end_and_shows_it() {
    let all: Vec<_> =
        (1..=6).rev().map(|i| dialog(i, &format!("Client {i}"), DialogState::Unassigned, i * 1_000)).collect();
    let totals = TabTotals { dialogs: TabCounts { unassigned: 6, active: 0, inactive: 0 }, ..Default::default() };
    let page = |dialogs: &[DialogSummary], more| DialogPage {
        tab: Tab::Unassigned,
        as_of: 1,
        dialogs: dialogs.to_vec(),
        unread: vec![],
        more,
        totals,
    };
    let mut inbox = Inbox::new(ME);
    inbox.apply_page(page(&all[..3], true));
    let tab = RwSignal::new(Tab::Unassigned);
    let (root, store, log) = mount_inbox(inbox, tab);
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-row__name"), ["Client 6", "Client 5", "Client 4"]);
    assert_eq!(texts(&root, "#tab-unassigned .tab__count"), ["6"], "the tab counts what is not loaded yet");
    assert_eq!(texts(&root, ".dialog-list__more"), ["Loading more dialogs…"]);
    assert!(log.lock().unwrap().contains(&"more unassigned".to_string()), "{:?}", log.lock().unwrap());

    let cursor = Cursor { at: 4_000, id: DialogId(4) };
    assert_eq!(store.begin_page(Tab::Unassigned), Some(cursor));
    assert_eq!(store.begin_page(Tab::Unassigned), None, "one request at a time");
    store.end_page(Tab::Unassigned, cursor, Some(page(&all[3..], false)));
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".dialog-row__name").len(), 6);
    assert!(root.query_selector(".dialog-list__more").unwrap().is_none(), "the whole tab is loaded");
    root.remove();
}

/// A file of `bytes` bytes named `name`, as a file picker would give it.
fn file(name: &str, bytes: usize) -> web_sys::File {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&"x".repeat(bytes)));
    web_sys::File::new_with_str_sequence(&parts, name).unwrap()
}

#[wasm_bindgen_test]
async fn files_over_the_limits_are_refused_before_uploading_and_failures_say_why() {
    let root = container();
    let uploads = Uploads::new(DialogId(1), UploadLimits { max_file_bytes: 100, max_files: 2 });
    let handle = leptos::mount::mount_to(root.clone(), move || view! { <UploadTray uploads=uploads/> });
    uploads.add(vec![file("huge.pdf", 500)]);
    leptos::task::tick().await;
    assert_eq!(texts(&root, "[role=alert]"), ["“huge.pdf” is too large: files up to 100 B can be sent."]);
    assert!(root.query_selector(".upload").unwrap().is_none(), "nothing is uploaded");

    // This test page has no API: the upload starts, shows its progress, then fails with the reason.
    uploads.add(vec![file("notes.txt", 10)]);
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".upload__name"), ["notes.txt"]);
    let failed = async {
        for _ in 0..50 {
            if root.query_selector(".upload[data-state=failed]").unwrap().is_some() {
                return true;
            }
            gloo_timers::future::sleep(std::time::Duration::from_millis(50)).await;
        }
        false
    };
    assert!(failed.await, "the failed upload is marked");
    assert!(texts(&root, ".upload__error")[0].starts_with("The server answered with an error"));
    assert!(!uploads.busy() && !uploads.ready());
    click(&root, ".upload__remove[aria-label='Remove notes.txt']");
    leptos::task::tick().await;
    assert!(root.query_selector(".upload").unwrap().is_none());
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn hostile_messages_run_no_script() {
    use external_lines::components::message_item::MessageItem;
    let flag = || js_sys::Reflect::get(&window(), &"__xss".into()).unwrap().as_f64().unwrap_or(0.0);
    js_sys::Reflect::set(&window(), &"__xss".into(), &0.into()).unwrap();

    // Control: markup that does run sets the flag, so the check below can fail.
    let control = container();
    control.set_inner_html("<img src=x onerror=\"window.__xss = 1\">");
    gloo_timers::future::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(flag(), 1.0, "the detector sees script that runs");
    control.remove();
    js_sys::Reflect::set(&window(), &"__xss".into(), &0.into()).unwrap();

    let payloads = [
        "<img src=x onerror=\"window.__xss = 1\">",
        "<svg onload=\"window.__xss = 1\"></svg>",
        "<script>window.__xss = 1</script>",
        "<iframe srcdoc=\"<script>parent.__xss = 1</script>\"></iframe>",
        "![x\" onerror=\"window.__xss = 1](/api/files/missing)",
        "![x](/api/files/missing\" onerror=\"window.__xss = 1)",
        "[![x\" onerror=\"window.__xss = 1](/api/files/a)](http://ok.example)",
        "<details open ontoggle=\"window.__xss = 1\">x</details>",
        "**<img src=x onerror=\"window.__xss = 1\">**",
        "<video><source onerror=\"window.__xss = 1\"></video>",
    ];
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        payloads
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let message = Message {
                    delivery: Default::default(),
                    edit: Default::default(),
                    notice: None,
                    record: Default::default(),
                    id: MessageId(i as i64),
                    dialog_id: DialogId(1),
                    author: Author::Client { name: "<img src=x onerror=\"window.__xss = 1\">".into() },
                    text: text.to_string(),
                    created_at: 0,
                    client_msg_id: None,
                    attachments: vec![],
                };
                view! { <MessageItem message=message me=None/> }
            })
            .collect_view()
    });
    gloo_timers::future::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(flag(), 0.0, "a payload ran");
    assert_eq!(root.query_selector_all("script, iframe, svg, details, video").unwrap().length(), 0);
    assert_eq!(root.query_selector_all("[onerror], [onload]").unwrap().length(), 0);
    assert!(root.text_content().unwrap().contains("<script>window.__xss = 1</script>"), "shown as text");
    drop(handle);
    root.remove();
}

/// A signed-in full-access session for `ME`.
fn signed_in() -> external_lines::store::Session {
    use el_protocol::api::{Me, UserSettings, UserSummary};
    use el_protocol::permissions::{Access, EntityRights, Role, ViewScope};
    let all = EntityRights::new(true, ViewScope::All);
    let session = external_lines::store::Session::new();
    session.signed_in(Me {
        user: UserSummary { id: ME, login: "anna".into(), name: "Anna".into(), works_in_lines: true },
        role: Role { id: el_protocol::RoleId(1), name: "Full".into(), leads: all, contacts: all },
        access: Access::derive(all, all, false),
        settings: UserSettings::default(),
        limits: Default::default(),
        presence: Default::default(),
    });
    session
}

/// Opens dialog `id` (Active, ME a member) in the store and mounts its chat window.
fn mount_chat(
    store: InboxStore,
    session: external_lines::store::Session,
    id: i64,
) -> (web_sys::HtmlElement, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
    mount_chat_with(store, session, id, vec![], false, Callback::new(|_| {}))
}

/// Opens dialog `id` with `messages` (the newest page, `has_older` if more exist) and
/// mounts its chat window; `older` is what scrolling to the top asks for.
fn mount_chat_with(
    store: InboxStore,
    session: external_lines::store::Session,
    id: i64,
    messages: Vec<Message>,
    has_older: bool,
    older: Callback<()>,
) -> (web_sys::HtmlElement, leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable>) {
    use el_protocol::api::ChatSnapshot;
    use external_lines::components::chat_window::ChatWindow;
    let dialog = dialog(id, "Olena", DialogState::Active, 1);
    store.open_chat(ChatSnapshot { as_of: 1, dialog, messages, has_older });
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        provide_context(session);
        provide_context(store);
        provide_context(InboxActions {
            open: Callback::new(|_| {}),
            reply: Callback::new(|_| {}),
            follow: Callback::new(|_| {}),
            more: Callback::new(|_| {}),
            older,
            chat_failed: Callback::new(|_| {}),
            back: Callback::new(|_| {}),
        });
        view! { <ChatWindow id=DialogId(id)/> }
    });
    (root, handle)
}

/// Waits for the browser's next frame (scrolling is set then).
async fn next_frame() {
    painted().await;
    leptos::task::tick().await;
}

/// Waits for the browser's next idle moment.
async fn idle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window().request_idle_callback(&resolve).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits for the browser's next animation frame.
async fn painted() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window().request_animation_frame(&resolve).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// A client's message `id` in dialog `dialog`.
fn client_message(dialog: i64, id: i64) -> Message {
    Message {
        delivery: None,
        edit: None,
        notice: None,
        record: None,
        id: MessageId(id),
        dialog_id: DialogId(dialog),
        author: Author::Client { name: "Olena".into() },
        text: format!("message {id}"),
        created_at: id,
        client_msg_id: None,
        attachments: vec![],
    }
}

#[wasm_bindgen_test]
async fn a_long_chat_opens_at_its_newest_message_and_loads_older_ones_above_in_place() {
    use el_protocol::api::MessagePage;
    let asked = Arc::new(Mutex::new(0));
    let counter = asked.clone();
    let store = InboxStore::new(ME);
    let newest: Vec<Message> = (61..=100).map(|i| client_message(5, i)).collect();
    let (root, handle) =
        mount_chat_with(store, signed_in(), 5, newest, true, Callback::new(move |_| *counter.lock().unwrap() += 1));
    let list: web_sys::HtmlElement = root.query_selector(".chat__messages").unwrap().unwrap().unchecked_into();
    list.style().set_css_text("display: block; height: 300px; overflow-y: auto; overflow-anchor: none");
    leptos::task::tick().await;
    next_frame().await;
    next_frame().await;
    assert!(list.scroll_height() > 1000, "the page overflows the view");
    assert!(list.scroll_top() + list.client_height() >= list.scroll_height() - 2, "opens at the newest message");
    assert_eq!(texts(&root, ".chat__older button"), ["Show earlier messages"]);
    assert_eq!(*asked.lock().unwrap(), 0);

    // Scrolling up to the top asks for older messages once while they load.
    let top_of = |id: i64| {
        let el: web_sys::HtmlElement =
            root.query_selector(&format!("[data-message-id='{id}']")).unwrap().unwrap().unchecked_into();
        el.get_bounding_client_rect().top() - list.get_bounding_client_rect().top()
    };
    list.set_scroll_top(0);
    list.dispatch_event(&web_sys::Event::new("scroll").unwrap()).unwrap();
    let before_top = top_of(61);
    leptos::task::tick().await;
    assert_eq!(*asked.lock().unwrap(), 1);
    let (id, before) = store.begin_older().expect("the page the action fetches");
    assert_eq!((id, before), (DialogId(5), MessageId(61)));
    assert_eq!(store.begin_older(), None, "the same page is not asked for twice");
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".chat__older"), ["Loading earlier messages…"]);
    assert_eq!(texts(&root, ".chat__to-newest"), ["↓ Newest messages"], "the user left the newest message");

    // The older page goes in above; the message that was on top stays where it was.
    let older: Vec<Message> = (21..=60).map(|i| client_message(5, i)).collect();
    store.end_older(id, before, Some(MessagePage { messages: older, has_older: false }));
    leptos::task::tick().await;
    next_frame().await;
    next_frame().await;
    assert_eq!(root.query_selector_all(".message").unwrap().length(), 80);
    assert!((top_of(61) - before_top).abs() < 2.0, "{} moved to {}", before_top, top_of(61));
    assert!(list.scroll_top() > 1000);
    assert!(texts(&root, ".chat__older").is_empty(), "the chat is whole");

    // A new client message does not pull the reader down; "Newest messages" does.
    store.add_message(client_message(5, 101));
    leptos::task::tick().await;
    next_frame().await;
    assert!(list.scroll_top() + list.client_height() < list.scroll_height() - 200);
    click(&root, ".chat__to-newest");
    leptos::task::tick().await;
    next_frame().await;
    assert!(list.scroll_top() + list.client_height() >= list.scroll_height() - 2);
    drop(handle);
    root.remove();
}

fn type_text(root: &web_sys::HtmlElement, text: &str) -> web_sys::HtmlTextAreaElement {
    let textarea: web_sys::HtmlTextAreaElement = root.query_selector("textarea").unwrap().unwrap().unchecked_into();
    textarea.set_value(text);
    textarea.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    textarea
}

#[wasm_bindgen_test]
async fn messages_sent_while_offline_wait_in_a_visible_queue() {
    use el_protocol::outbox::SendState;
    use external_lines::store::Connection;

    let session = signed_in();
    let store = InboxStore::new(ME);
    store.connection.set(Connection::Reconnecting);
    let (root, handle) = mount_chat(store, session, 1);
    leptos::task::tick().await;

    let textarea = type_text(&root, "Are you still there?");
    key(&root, "Enter", false);
    leptos::task::tick().await;

    assert_eq!(texts(&root, ".message--pending[data-state=waiting] .message__status"), ["Waiting for the connection…"]);
    assert_eq!(texts(&root, ".message--pending .message__text"), ["Are you still there?"]);
    assert_eq!(textarea.value(), "", "the input is free for the next message");
    assert_eq!(store.outbox.with_untracked(|o| o.waiting()), 1);

    // A message the server refused shows why, with Retry.
    store.outbox.update(|o| {
        o.push(DialogId(1), "k2".into(), Outgoing::text("Too late"), 2, true);
        o.failed("k2", false, "This dialog is closed. Start it again to write.");
    });
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, ".message--pending[data-state=failed] .message__status"),
        ["Not sent: This dialog is closed. Start it again to write. Retry"]
    );
    let states: Vec<SendState> =
        store.outbox.with_untracked(|o| o.for_dialog(DialogId(1)).map(|p| p.state.clone()).collect());
    assert_eq!(states.len(), 2);
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn messages_that_waited_go_out_when_the_connection_is_live_again() {
    use el_protocol::outbox::SendState;
    use external_lines::on_demand::send_when_live;
    use external_lines::store::Connection;

    let store = InboxStore::new(ME);
    store.connection.set(Connection::Reconnecting);
    store.outbox.update(|o| o.push(DialogId(1), "k1".into(), Outgoing::text("Are you still there?"), 1, false));
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), move || send_when_live(store, signed_in()));
    let state = move || store.outbox.with_untracked(|o| o.for_dialog(DialogId(1)).map(|p| p.state.clone()).next());
    for _ in 0..5 {
        leptos::task::tick().await;
    }
    assert_eq!(state(), Some(SendState::Waiting), "it waits while the connection is down");

    store.connection.set(Connection::Live);
    let mut ticks = 0;
    while state() == Some(SendState::Waiting) && ticks < 20 {
        leptos::task::tick().await;
        ticks += 1;
    }
    assert_eq!(state(), Some(SendState::Sending), "it went out once the connection was live");
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn each_dialog_keeps_its_own_draft() {
    let session = signed_in();
    let store = InboxStore::new(ME);
    let (root, handle) = mount_chat(store, session, 1);
    leptos::task::tick().await;
    type_text(&root, "draft for Olena");
    leptos::task::tick().await;
    drop(handle);
    root.remove();

    let (root, handle) = mount_chat(store, session, 2);
    leptos::task::tick().await;
    let textarea: web_sys::HtmlTextAreaElement = root.query_selector("textarea").unwrap().unwrap().unchecked_into();
    assert_eq!(textarea.value(), "", "another dialog starts empty");
    type_text(&root, "draft for Taras");
    leptos::task::tick().await;
    drop(handle);
    root.remove();

    let (root, handle) = mount_chat(store, session, 1);
    leptos::task::tick().await;
    let textarea: web_sys::HtmlTextAreaElement = root.query_selector("textarea").unwrap().unwrap().unchecked_into();
    assert_eq!(textarea.value(), "draft for Olena", "coming back restores the dialog's draft");
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn files_dropped_on_the_chat_or_pasted_into_the_input_are_attached() {
    let (root, handle) = mount_chat(InboxStore::new(ME), signed_in(), 3);
    leptos::task::tick().await;
    let transfer = |name: &str| {
        let t = web_sys::DataTransfer::new().unwrap();
        t.items().add_with_file(&file(name, 5)).unwrap();
        t
    };
    let drop_init = web_sys::DragEventInit::new();
    drop_init.set_bubbles(true);
    drop_init.set_cancelable(true);
    drop_init.set_data_transfer(Some(&transfer("dropped.txt")));
    let dropped = web_sys::DragEvent::new_with_event_init_dict("drop", &drop_init).unwrap();
    let messages = root.query_selector(".chat__messages").unwrap().unwrap();
    assert!(!messages.dispatch_event(&dropped).unwrap(), "the browser does not open the dropped file");

    let paste_init = web_sys::ClipboardEventInit::new();
    paste_init.set_bubbles(true);
    paste_init.set_cancelable(true);
    paste_init.set_clipboard_data(Some(&transfer("pasted.png")));
    let pasted = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &paste_init).unwrap();
    root.query_selector("textarea").unwrap().unwrap().dispatch_event(&pasted).unwrap();
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".upload__name"), ["dropped.txt", "pasted.png"]);
    drop(handle);
    root.remove();
}

/// Own messages in a website chat are sent once stored; a message to a messenger shows
/// its delivery as it moves on (socket events replace the message in place), and a
/// client's edit shows with the original kept.
#[wasm_bindgen_test]
async fn delivery_states_and_edits_show_on_messages() {
    use el_protocol::api::{Delivery, Edit};
    use el_protocol::events::{Event, UserEvent};
    let store = InboxStore::new(ME);
    let (root, handle) = mount_chat(store, signed_in(), 4);
    let widget = Message {
        delivery: None,
        edit: None,
        notice: None,
        record: None,
        id: MessageId(4),
        dialog_id: DialogId(4),
        author: Author::Operator { user_id: ME, name: "Anna".into() },
        text: "Hello".into(),
        created_at: 1,
        client_msg_id: Some("k".into()),
        attachments: vec![],
    };
    store.add_message(widget.clone());
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".message--mine .message__status"), ["✓ Sent"]);
    let mut mine = Message { id: MessageId(5), delivery: Some(Delivery::Sending), ..widget };
    store.add_message(mine.clone());
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".message--mine .message__status"), ["✓ Sent", "Sending…"]);
    let update = |message: Message, seq| {
        let event = Event::MessageUpdated { dialog: dialog(4, "Olena", DialogState::Active, 1), message };
        store.apply(seq, &UserEvent::bare(event));
    };
    mine.delivery = Some(Delivery::Failed { reason: "Not delivered: the client has blocked the bot.".into() });
    update(mine.clone(), 2);
    leptos::task::tick().await;
    assert_eq!(
        texts(&root, ".message--mine .message__status"),
        ["✓ Sent", "⚠ Not delivered: the client has blocked the bot."]
    );
    let status = root.query_selector("[data-message-id='5'] .message__status").unwrap().unwrap();
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("failed"));

    let said = Message {
        id: MessageId(6),
        created_at: 2,
        author: Author::Client { name: "Olena".into() },
        text: "Is the **navy** one in stock?".into(),
        edit: Some(Edit { original: "Is the blue one in stock?".into(), at: 2 }),
        delivery: None,
        client_msg_id: None,
        ..mine
    };
    update(said, 3);
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".message--client .message__text strong"), ["navy"]);
    let details = root.query_selector(".message--client details.message__edit").unwrap().expect("the edit is marked");
    assert!(details.text_content().unwrap().contains("show original"));
    assert_eq!(texts(&root, ".message--client .message__original"), ["Is the blue one in stock?"]);
    assert!(texts(&root, ".message--client .message__status").is_empty(), "clients' messages carry no delivery");
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn the_waiting_time_follows_the_clock() {
    let tab = RwSignal::new(Tab::Unassigned);
    let (root, store, _) = mount_inbox(snapshot(), tab);
    // Taras's last message (from the client) is at 3,000 ms.
    store.clock.set(3_000 + 4 * 60_000);
    leptos::task::tick().await;
    assert_eq!(texts(&root, "[data-dialog-id='2'] .mark--waiting"), ["waiting 4 min"]);
    store.clock.set(3_000 + 3 * 3_600_000);
    leptos::task::tick().await;
    assert_eq!(texts(&root, "[data-dialog-id='2'] .mark--waiting"), ["waiting 3 h"]);
    root.remove();
}

/// A system note that announces a CRM record links the record's name to its card, and
/// the External lines field opens the client's chat, with an accessible name.
#[wasm_bindgen_test]
async fn crm_notes_and_the_external_lines_field_link_where_they_should() {
    use el_protocol::api::ChannelKind;
    use el_protocol::crm::{Entity, LinesAccount, RecordRef};
    use el_protocol::RecordId;
    use external_lines::components::external_lines_field::ExternalLinesField;
    use external_lines::components::message_item::MessageItem;
    use leptos_router::components::Router;
    let root = container();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let note = Message {
            delivery: Default::default(),
            edit: Default::default(),
            notice: None,
            record: Some(RecordRef::to(Entity::Lead, RecordId(7))),
            id: MessageId(1),
            dialog_id: DialogId(1),
            author: Author::System,
            text: "Lead created: Olena <b>Moroz</b>".into(),
            created_at: 0,
            client_msg_id: None,
            attachments: vec![],
        };
        let lines = vec![LinesAccount {
            channel_kind: ChannelKind::Telegram,
            channel_name: "Shop bot".into(),
            account: "@olena".into(),
            dialog_id: DialogId(42),
            last_activity_at: 0,
        }];
        view! { <Router><MessageItem message=note me=None/><ExternalLinesField lines=lines/></Router> }
    });
    gloo_timers::future::sleep(std::time::Duration::from_millis(50)).await;
    let link = root.query_selector(".message--system a").unwrap().expect("the note links the record");
    assert_eq!(link.get_attribute("href").as_deref(), Some("/crm/leads/7"));
    assert_eq!(link.text_content().as_deref(), Some("Olena <b>Moroz</b>"), "the name stays text");
    assert!(root.query_selector(".message--system b").unwrap().is_none());
    let field = root.query_selector(".lines-field__link").unwrap().expect("the field links the chat");
    assert_eq!(field.get_attribute("href").as_deref(), Some("/lines/42"));
    assert_eq!(field.get_attribute("title").as_deref(), Some("Open the Telegram chat with @olena"));
    assert!(field.get_attribute("aria-label").is_none(), "named by the account it shows");
    assert!(field.text_content().unwrap().contains("@olena"));
    assert!(field.text_content().unwrap().contains("Telegram · Shop bot"));
    drop(handle);
    root.remove();
}

/// A CRM card's dialogs need not be in the user's tabs (a colleague works on them):
/// the socket keeps them current while a block shows them, and forgets them after.
#[wasm_bindgen_test]
fn dialogs_a_card_shows_follow_the_socket_outside_the_tabs() {
    let store = InboxStore::new(ME);
    let mut theirs = dialog(5, "Olena", DialogState::Active, 10);
    theirs.members = vec![UserId(2)];
    let other = dialog(6, "Taras", DialogState::Unassigned, 11);
    store.watch(std::slice::from_ref(&theirs));
    let message = client_message(5, 30);
    let mut newer = theirs.clone();
    newer.last_message = Some(message.preview());
    newer.last_activity_at = 30;
    store.apply(1, &UserEvent::bare(Event::MessageCreated { dialog: newer.clone(), message }));
    store.apply(2, &UserEvent::bare(Event::DialogUpdated { dialog: other }));
    assert!(store.inbox.with_untracked(|i| i.get(DialogId(5)).is_none()), "not in the user's tabs");
    let watched = store.watched.get_untracked();
    assert_eq!(watched.get(&DialogId(5)), Some(&newer));
    assert!(!watched.contains_key(&DialogId(6)), "only what is shown is kept");
    store.unwatch(&[DialogId(5)]);
    assert!(store.watched.with_untracked(|w| w.is_empty()));
}

/// Embedded in a host page, the field tells the host which chat to open instead of
/// following a link of ours.
#[wasm_bindgen_test]
async fn the_field_can_hand_the_chat_to_whoever_embeds_it() {
    use el_protocol::crm::LinesAccount;
    use external_lines::components::external_lines_field::ExternalLinesField;
    let root = container();
    let opened = RwSignal::new(None::<DialogId>);
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let lines = vec![LinesAccount {
            account: "@olena".into(),
            channel_kind: ChannelKind::Telegram,
            channel_name: "Shop bot".into(),
            dialog_id: DialogId(42),
            last_activity_at: 0,
        }];
        view! { <ExternalLinesField lines=lines on_open=Callback::new(move |id| opened.set(Some(id)))/> }
    });
    next_frame().await;
    let link = root.query_selector("button.lines-field__link").unwrap().expect("a button, not a link");
    assert!(link.text_content().unwrap().contains("@olena"));
    click(&root, "button.lines-field__link");
    assert_eq!(opened.get_untracked(), Some(DialogId(42)));
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
async fn days_get_a_heading_and_an_authors_run_of_messages_shows_the_name_once() {
    // Noon two days ago, then the next day: local times, whatever the time zone.
    let noon = {
        let d = js_sys::Date::new_0();
        d.set_hours(12);
        d.set_minutes(0);
        d.get_time() as i64 - 2 * 86_400_000
    };
    let at = |id: i64, created_at: i64, author: Author| Message { created_at, author, ..client_message(5, id) };
    let olena = || Author::Client { name: "Olena".into() };
    let anna = Author::Operator { user_id: ME, name: "Anna".into() };
    let messages = vec![
        at(1, noon, olena()),
        at(2, noon + 60_000, olena()),
        at(3, noon + 120_000, anna.clone()),
        at(4, noon + 180_000, olena()),
        at(5, noon + 86_400_000, olena()),
        at(6, noon + 86_400_000 + 30 * 60_000, olena()),
    ];
    let (root, handle) = mount_chat_with(InboxStore::new(ME), signed_in(), 5, messages, false, Callback::new(|_| {}));
    leptos::task::tick().await;
    assert_eq!(texts(&root, ".chat__day").len(), 2, "one heading per day");
    assert_eq!(texts(&root, ".chat__day")[1], "Yesterday");
    let named: Vec<bool> = (1..=6)
        .map(|id| root.query_selector(&format!("[data-message-id='{id}'] .message__author")).unwrap().is_some())
        .collect();
    assert_eq!(named, [true, false, true, true, true, true], "the name once per run, per day, and after a pause");
    drop(handle);
    root.remove();
}

#[wasm_bindgen_test]
fn names_change_case_by_the_browsers_unicode_rules_as_rusts_do() {
    use el_protocol::alerts::mentions;
    use el_protocol::api::UserSummary;
    use external_lines::format::{initial, lowercase};
    for name in ["  ілля", "ßtraße", "émile", "Øystein", "ǆemal", "42"] {
        assert_eq!(initial(name), name.trim().chars().next().unwrap().to_uppercase().to_string(), "{name}");
    }
    assert_eq!(initial("   "), "?");
    for text in ["ΟΔΟΣ ΣΟΦΟΣ", "Анна КОВАЛЕНКО", "İstanbul", "ÀÉÎ straße"] {
        assert_eq!(lowercase(text), text.to_lowercase(), "{text}");
    }
    let anna =
        UserSummary { id: ME, login: "anna".into(), name: "Анна Коваленко".into(), works_in_lines: true };
    assert!(mentions("Питання до @АННА КОВАЛЕНКО, терміново", &anna, lowercase));
    assert!(mentions("@Anna?", &anna, lowercase));
    assert!(!mentions("Дякую @Анна Коваленкові", &anna, lowercase), "the start of a longer word");
}

#[wasm_bindgen_test]
fn shortcuts_walk_the_list_and_stop_at_its_ends() {
    use external_lines::shortcuts::neighbour;
    let ids = [DialogId(7), DialogId(3), DialogId(9)];
    assert_eq!(neighbour(&ids, None, 1), Some(DialogId(7)), "the first when none is open");
    assert_eq!(neighbour(&ids, Some(DialogId(7)), 1), Some(DialogId(3)));
    assert_eq!(neighbour(&ids, Some(DialogId(3)), -1), Some(DialogId(7)));
    assert_eq!(neighbour(&ids, Some(DialogId(9)), 1), None);
    assert_eq!(neighbour(&ids, Some(DialogId(7)), -1), None);
    assert_eq!(neighbour(&ids, Some(DialogId(4)), 1), Some(DialogId(7)), "an open dialog of another tab");
    assert_eq!(neighbour(&[], None, 1), None);
}

#[wasm_bindgen_test]
fn a_new_user_in_the_same_tab_finds_nothing_of_the_last_one() {
    let store = InboxStore::new(ME);
    store.search.set("refund".into());
    store.drafts.update_value(|d| {
        d.insert(DialogId(7), "half an answer".into());
    });
    store.replies.set(Some(Vec::new()));
    store.heard_typing(DialogId(7), "Olena".into());
    // The same user signing in again keeps what they were writing.
    store.begin(ME);
    assert_eq!(store.drafts.with_value(|d| d.get(&DialogId(7)).cloned()), Some("half an answer".into()));
    assert_eq!(store.search.get_untracked(), "refund");
    // Someone else does not see it, nor the last user's search or quick replies.
    store.begin(UserId(2));
    assert!(store.drafts.with_value(|d| d.is_empty()));
    assert_eq!(store.search.get_untracked(), "");
    assert!(store.found.get_untracked().is_none() && store.replies.get_untracked().is_none());
    assert!(store.typing.with_untracked(|t| t.is_empty()));
    assert_eq!(store.inbox.with_untracked(|i| i.me()), UserId(2));
}

#[wasm_bindgen_test]
async fn socket_frames_wait_for_the_next_paint_and_apply_together_in_order() {
    use el_protocol::events::Frame;
    use external_lines::store::batch::Batch;
    use std::cell::RefCell;
    use std::rc::Rc;
    let applied: Rc<RefCell<Vec<Vec<i64>>>> = Rc::default();
    let seen = applied.clone();
    let batch = Batch::new(move |frames: Vec<Frame<UserEvent>>| {
        let seqs = frames.iter().map(|f| if let Frame::Live { seq } = f { *seq } else { -1 }).collect();
        seen.borrow_mut().push(seqs);
    });
    assert!(!document().hidden(), "the test page is shown");
    for seq in 1..=3 {
        batch.push(Frame::Live { seq });
    }
    assert!(applied.borrow().is_empty(), "nothing applies before the paint");
    painted().await;
    assert_eq!(*applied.borrow(), vec![vec![1, 2, 3]], "one burst, applied once, in order");
    // A flush (the socket dropped, or a resync) applies what waits at once.
    batch.push(Frame::Live { seq: 4 });
    batch.flush();
    assert_eq!(applied.borrow().len(), 2);
    assert_eq!(applied.borrow()[1], vec![4]);
    // The timers left behind find nothing more to apply.
    gloo_timers::future::sleep(std::time::Duration::from_millis(80)).await;
    assert_eq!(applied.borrow().len(), 2);
}

/// A deep link's chat may load before the tab learns who is signed in: it stays open;
/// another user's session in the same tab forgets it.
#[wasm_bindgen_test]
async fn a_chat_loaded_before_the_session_began_stays_open() {
    use el_protocol::api::ChatSnapshot;
    let store = InboxStore::new(external_lines::store::inbox::NOBODY);
    let dialog = dialog(7, "Olena", DialogState::Active, 1);
    store.open_chat(ChatSnapshot { as_of: 1, dialog, messages: Vec::new(), has_older: false });
    store.begin(ME);
    assert!(store.chat.with_untracked(Option::is_some), "the deep link's chat is the user's");
    store.begin(UserId(ME.0 + 1));
    assert!(store.chat.with_untracked(Option::is_none), "another user's session forgets it");
}

#[wasm_bindgen_test]
async fn when_draws_its_children_while_true_and_keeps_them_while_it_stays_true() {
    use external_lines::components::when::When;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let root = container();
    let (open, other) = (RwSignal::new(false), RwSignal::new(0));
    let drawn = Arc::new(AtomicUsize::new(0));
    let counter = drawn.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let counter = counter.clone();
        view! {
            <When when=move || { other.track(); open.get() } fallback=|| view! { <p class="off">"Closed"</p> }>
                {
                    counter.fetch_add(1, Ordering::SeqCst);
                    view! { <input class="field"/> }
                }
            </When>
        }
    });
    let check = |fallback: &'static [&'static str], fields: u32, draws: usize| {
        let (root, drawn) = (root.clone(), drawn.clone());
        async move {
            leptos::task::tick().await;
            assert_eq!(texts(&root, ".off"), fallback);
            assert_eq!(root.query_selector_all(".field").unwrap().length(), fields);
            assert_eq!(drawn.load(Ordering::SeqCst), draws, "times the children were drawn");
        }
    };
    check(&["Closed"], 0, 0).await;
    open.set(true);
    check(&[], 1, 1).await;
    // A change the condition reads that leaves it true draws nothing anew.
    other.set(1);
    check(&[], 1, 1).await;
    open.set(false);
    check(&["Closed"], 0, 1).await;
    open.set(true);
    check(&[], 1, 2).await;
    drop(handle);
}
