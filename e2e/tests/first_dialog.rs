//! The first live dialog, end to end: a client writes from the website widget, two
//! operators see it arrive live, one presses Reply and answers, and the client sees
//! the answer and continues the same conversation after coming back.

use el_e2e::{Browser, Harness, ENTER, SHIFT};
use serde_json::json;

const NULL_KEY: &str = "\u{E000}";

async fn tab_text(b: &Browser, tab: &str) -> String {
    b.js(
        "return document.querySelector('#tab-' + arguments[0]).innerText.replace(/\\s+/g, ' ').trim()",
        vec![json!(tab)],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_message_arrives_live_and_the_operator_answers_it() {
    let h = Harness::start().await;
    let anna = h.browser().await;
    let bob = h.browser().await;
    let client = h.browser().await;

    anna.sign_in("anna").await;
    anna.wait_until("the inbox", "return location.pathname === '/lines'", vec![]).await;
    anna.wait_text(".dialog-list", "No new dialogs").await;
    let roles = anna
        .js("return [...document.querySelectorAll('[role=tab]')].map(t => t.getAttribute('aria-selected'))", vec![])
        .await;
    assert_eq!(roles, json!(["true", "false", "false"]), "three tabs, Unassigned selected");
    assert_eq!(tab_text(&anna, "unassigned").await, "Unassigned 0");
    bob.sign_in("bob").await;
    bob.wait_text(".dialog-list", "No new dialogs").await;

    // The client writes from the widget on the demo page.
    client.write_in_widget("/widget/demo", Some("Olena Test"), "Hello! Do you deliver to Lviv?").await;

    // Both operators see it at once, without reloading.
    for op in [&anna, &bob] {
        op.wait_text(".dialog-row__name", "Olena Test").await;
        op.wait_text(".dialog-row__preview", "Hello! Do you deliver to Lviv?").await;
        op.wait_until(
            "the Unassigned count",
            "return document.querySelector('#tab-unassigned').innerText.includes('1')",
            vec![],
        )
        .await;
    }
    for (badge, says) in [(".dialog-row .badge", "1 unread"), ("#tab-unassigned .badge", "1 new")] {
        bob.wait_until(
            &format!("{badge} to say {says}"),
            "const b = document.querySelector(arguments[0]); return b && b.textContent.replace(/\\s+/g, ' ').trim() === arguments[1]",
            vec![json!(badge), json!(says)],
        )
        .await;
    }
    let time = anna.texts(".dialog-row__time").await;
    assert!(time[0].contains(':'), "the last message's time: {time:?}");

    // Anna presses Reply on the list item: the dialog moves to her Active tab...
    anna.click(".dialog-row__reply").await;
    anna.wait_until(
        "the Active tab",
        "return document.querySelector('#tab-active').getAttribute('aria-selected') === 'true'",
        vec![],
    )
    .await;
    anna.wait_text(".dialog-row__name", "Olena Test").await;
    anna.wait_text("#tab-active .tab__count", "1").await;
    anna.wait_text(".chat__messages", "Anna Kovalenko took the dialog").await;
    // ...and leaves Unassigned for everyone, live.
    bob.wait_no_text(".dialog-row__name", "Olena Test").await;
    bob.wait_until(
        "Bob's Unassigned count",
        "return document.querySelector('#tab-unassigned').innerText.includes('0')",
        vec![],
    )
    .await;

    // Anna answers: Enter sends, Shift+Enter is a new line.
    let input = ".composer__input";
    anna.type_into(input, "**Good afternoon!**").await;
    anna.type_into(input, &format!("{SHIFT}{ENTER}{NULL_KEY}")).await;
    anna.type_into(input, "Yes, we deliver all over Ukraine.").await;
    anna.type_into(input, ENTER).await;
    anna.wait_text(".message--mine", "Yes, we deliver").await;
    let mine = anna.texts(".message--mine .message__text").await;
    assert_eq!(mine.last().unwrap(), "Good afternoon!\nYes, we deliver all over Ukraine.");
    let draft = anna.js("return document.querySelector(arguments[0]).value", vec![json!(input)]).await;
    assert_eq!(draft, json!(""), "the input is cleared after sending");

    // The client sees the answer at once.
    client.wait_text(".bubble", "Yes, we deliver all over Ukraine.").await;
    client.wait_text(".bubble__author", "Anna Kovalenko").await;
    client.wait_text(".bubble strong", "Good afternoon!").await;

    // Coming back to the page continues the same conversation.
    client.client.enter_parent_frame().await.unwrap();
    client.client.refresh().await.unwrap();
    client.open_widget().await;
    client.wait_text(".bubble", "Yes, we deliver all over Ukraine.").await;
    client.wait_text(".bubble--mine", "Do you deliver to Lviv?").await;
    let shown_name_fields = "return [...document.querySelectorAll(\"input[aria-label='Your name']\")]
                               .filter(e => e.getClientRects().length > 0).length";
    let name_fields = client.js(shown_name_fields, vec![]).await;
    assert_eq!(name_fields, json!(0), "a returning client is not asked their name again");
    client.type_into("textarea[aria-label=Message]", "Great, thank you!").await;
    client.type_into("textarea[aria-label=Message]", ENTER).await;

    anna.wait_text(".message--client", "Great, thank you!").await;
    anna.wait_text(".dialog-row__preview", "Great, thank you!").await;
    assert_eq!(anna.texts("#tab-active .tab__count").await, ["1"], "the same dialog, not a new one");
    // The open chat is read as messages arrive: no unread badge stays on it.
    anna.wait_until("the unread badge to clear", "return !document.querySelector('.dialog-row .badge')", vec![]).await;

    anna.screenshot("/tmp/e2e-anna.png").await;
    client.screenshot("/tmp/e2e-client.png").await;
    for b in [anna, bob, client] {
        b.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_errors_and_roles_without_access() {
    let h = Harness::start().await;
    let b = h.browser().await;
    b.goto("/lines").await;
    b.wait_until("the sign-in page", "return location.pathname === '/login'", vec![]).await;
    b.type_into("#login", "anna").await;
    b.type_into("#password", "wrong").await;
    b.click("button[type=submit]").await;
    b.wait_text("[role=alert]", "Wrong login or password.").await;
    // The form is ready again: the right password signs in from the same page.
    b.find("#password").await.clear().await.unwrap();
    b.type_into("#password", "demo").await;
    b.click("button[type=submit]").await;
    b.wait_text("[role=tab]", "Unassigned").await;

    let carol = h.browser().await;
    carol.sign_in("carol").await;
    carol.wait_text("h1", "No access to External Lines").await;
    let nav = carol.texts(".topbar__nav a").await;
    assert_eq!(nav, ["Settings"], "the External lines section is hidden");
    carol.goto("/lines").await;
    carol.wait_text("h1", "No access to External Lines").await;

    // Signing out returns to the sign-in page, and the inbox is closed again.
    carol.click(".topbar .button--ghost").await;
    carol.wait_until("the sign-in page", "return location.pathname === '/login'", vec![]).await;
    for x in [b, carol] {
        x.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialog_that_cannot_be_opened_says_so_and_the_next_one_opens() {
    let h = Harness::start().await;
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    assert_eq!(anna.write_as_visitor("Olena", "Where is my parcel?").await, json!(200));

    // An address of a dialog that is not there (an old link, say).
    anna.goto("/lines/424242").await;
    anna.wait_text(".inbox__main [role=alert] h2", "This dialog cannot be opened").await;
    anna.screenshot("/tmp/e2e-dialog-cannot-be-opened.png").await;

    // Choosing another dialog opens it, and the failure goes.
    anna.click_text(".dialog-row__name", "Olena").await;
    anna.wait_text(".chat__messages", "Where is my parcel?").await;
    anna.wait_no_text(".inbox__main", "cannot be opened").await;
    anna.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialogs_address_opens_its_chat_asked_for_beside_the_chats_code() {
    let h = Harness::start().await;
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    assert_eq!(anna.write_as_visitor("Olena", "Where is my parcel?").await, json!(200));
    anna.click_text(".dialog-row__name", "Olena").await;
    anna.wait_text(".chat__messages", "Where is my parcel?").await;
    let path = anna.js("return location.pathname", vec![]).await;
    let path = path.as_str().unwrap().to_string();

    // Opened from its address (a link, a reload), before the chat's code is here: the
    // page asks for the chat at once, and the chat window takes that answer.
    anna.goto(&path).await;
    anna.wait_text(".chat__messages", "Where is my parcel?").await;
    let asked = anna
        .js(
            "return performance.getEntriesByType('resource').map(e => [new URL(e.name).pathname, e.initiatorType])
                .filter(([path]) => /^\\/api\\/dialogs\\/\\d+$/.test(path))",
            vec![],
        )
        .await;
    let id = path.strip_prefix("/lines/").expect("the chat's address");
    assert_eq!(asked, json!([[format!("/api/dialogs/{id}"), "link"]]));
    anna.close().await;
}
