//! Notifications: the inbox offers to turn them on, a client who writes while the app
//! is in the background is announced by a browser notification, the page title and the
//! favicon, and the notification's click opens the chat. The browser's Notification API
//! and focus are replaced by stand-ins that record what the app does.

use el_e2e::Harness;
use serde_json::json;

const STAND_INS: &str = "
    window.__notes = [];
    window.__hidden = false;
    window.Notification = class {
        constructor(title, options) { this.title = title; this.body = options.body; window.__notes.push(this); }
        close() {}
        static requestPermission() { window.Notification.permission = 'granted'; return Promise.resolve('granted'); }
    };
    window.Notification.permission = 'default';
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
    document.hasFocus = () => !window.__hidden;
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_writing_while_the_app_is_in_the_background_is_announced() {
    let h = Harness::start().await;
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-list", "No new dialogs").await;
    anna.js(STAND_INS, vec![]).await;
    // Move within the app so the inbox asks the (stand-in) browser again.
    anna.click_text(".topbar a", "Settings").await;
    anna.wait_text("h2", "Notifications").await;
    anna.click_text(".topbar a", "External lines").await;
    anna.click_text("[aria-label=Notifications] button", "Turn on notifications").await;
    anna.wait_until(
        "the offer to go once the browser allows notifications",
        "return !document.querySelector('.notify-banner')",
        vec![],
    )
    .await;
    assert_eq!(anna.js("return document.title", vec![]).await, json!("External Lines"));

    // In the background, a client writes.
    anna.js("window.__hidden = true", vec![]).await;
    assert_eq!(anna.write_as_visitor("Olena Notify", "Is the navy one\nin stock?").await, json!(200));
    let note = anna
        .wait_until(
            "a browser notification",
            "return window.__notes.length ? [window.__notes[0].title, window.__notes[0].body] : null",
            vec![],
        )
        .await;
    assert_eq!(note, json!(["New dialog: Olena Notify", "Is the navy one in stock?"]));
    anna.wait_until("the unread count in the title", "return document.title === '(1) External Lines'", vec![]).await;
    let icon = anna.js("return document.querySelector(\"link[rel='icon']\").getAttribute('href')", vec![]).await;
    assert!(icon.as_str().unwrap().starts_with("data:image/svg+xml,"), "{icon}");

    // Its click opens the chat, which reads it.
    anna.js("window.__hidden = false; window.__notes[0].onclick()", vec![]).await;
    anna.wait_text(".chat__header h2", "Olena Notify").await;
    anna.wait_until("the title without unread messages", "return document.title === 'External Lines'", vec![]).await;
    let icon = anna.js("return document.querySelector(\"link[rel='icon']\").getAttribute('href')", vec![]).await;
    assert!(!icon.as_str().unwrap().contains("circle"), "the favicon without its badge: {icon}");

    // While the app is in front, a new dialog gets no browser notification (the title
    // and the list show it).
    assert_eq!(anna.write_as_visitor("Taras Notify", "Hello").await, json!(200));
    anna.wait_until("the new dialog's count in the title", "return document.title === '(1) External Lines'", vec![])
        .await;
    assert_eq!(anna.js("return window.__notes.length", vec![]).await, json!(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_that_mentions_a_colleague_notifies_them_and_opens_the_chat() {
    let h = Harness::start().await;
    let (anna, bob) = (h.browser().await, h.browser().await);
    anna.sign_in("anna").await;
    bob.sign_in("bob").await;
    bob.wait_text(".dialog-list", "No new dialogs").await;
    bob.js(STAND_INS, vec![]).await;
    bob.js("window.Notification.permission = 'granted'; window.__hidden = true", vec![]).await;

    assert_eq!(anna.write_as_visitor("Olena Refund", "I want my money back").await, json!(200));
    anna.wait_text(".dialog-row__name", "Olena Refund").await;
    anna.click(".dialog-row__reply").await;
    anna.wait_text(".chat__messages", "Anna Kovalenko took the dialog").await;
    anna.click_text("[aria-label='Send as'] button", "Note").await;
    anna.type_into(".composer__input", "@bob can you approve the refund?").await;
    anna.click_text(".composer button[type=submit]", "Add note").await;
    anna.wait_text(".message--note", "Your note · only colleagues see this").await;

    let note = bob
        .wait_until(
            "Bob's notification of the mention",
            "const n = window.__notes.find(n => n.title.includes('mentioned you')); return n ? [n.title, n.body] : null",
            vec![],
        )
        .await;
    assert_eq!(note, json!(["Anna Kovalenko mentioned you in Olena Refund", "@bob can you approve the refund?"]));
    // Its click opens the chat for Bob, read-only (he may Join).
    bob.js("window.__hidden = false; window.__notes.find(n => n.title.includes('mentioned you')).onclick()", vec![])
        .await;
    bob.wait_text(".chat__header h2", "Olena Refund").await;
    bob.wait_text(".message--note", "@bob can you approve the refund?").await;
    bob.wait_text(".join-banner", "Anna Kovalenko works on this dialog").await;
}
