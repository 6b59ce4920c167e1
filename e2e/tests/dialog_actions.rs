//! Every dialog action of the seed with two operators in two browsers, each checked on
//! both screens live: Join, Add to dialog and Leave, Redirect with a note, Rename, End
//! dialog with and without the confirmation, Start, Mark as spam and restore.

use el_e2e::{Browser, Harness};
use serde_json::json;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

async fn count(b: &Browser, tab: &str, n: u32) {
    b.wait_until(
        &format!("the {tab} count to be {n}"),
        "return document.querySelector('#tab-' + arguments[0] + ' .tab__count').innerText.trim() === String(arguments[1])",
        vec![json!(tab), json!(n)],
    )
    .await;
}

async fn menu(b: &Browser, item: &str) {
    b.click("button[aria-label='Dialog actions']").await;
    b.click_text("[role=menu] [role=menuitem]", item).await;
}

async fn in_modal(b: &Browser) {
    b.find("[role=dialog][aria-modal=true]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_operators_hand_a_dialog_around_and_close_it() {
    let h = Harness::start().await;
    let anna = h.browser().await;
    let bob = h.browser().await;
    anna.sign_in("anna").await;
    bob.sign_in("bob").await;
    assert_eq!(anna.write_as_visitor("Olena", "Hello, I need help with an order").await, json!(200));
    anna.wait_text(".dialog-row__name", "Olena").await;
    let id = anna.js("return document.querySelector('.dialog-row').dataset.dialogId", vec![]).await;
    let id = id.as_str().unwrap().to_string();
    anna.click(".dialog-row__reply").await;
    count(&anna, "active", 1).await;

    // Join: Bob opens the dialog by its URL, reads it, and joins from the banner.
    bob.goto(&format!("/lines/{id}")).await;
    bob.wait_text(".join-banner", "Anna Kovalenko works on this dialog").await;
    bob.wait_text(".chat__messages", "Hello, I need help with an order").await;
    assert_eq!(bob.js("return document.querySelectorAll('.composer').length", vec![]).await, json!(0), "read-only");
    bob.click_text(".join-banner button", "Join").await;
    bob.find(".composer__input").await;
    count(&bob, "active", 1).await;
    anna.wait_text(".chat__messages", "Bob Marchenko joined the dialog").await;

    // Leave (offered now that there are two members): gone from Anna's Active tab.
    menu(&anna, "Leave").await;
    count(&anna, "active", 0).await;
    bob.wait_text(".chat__messages", "Anna Kovalenko left the dialog").await;
    bob.click("button[aria-label='Dialog actions']").await;
    let items = bob.texts("[role=menuitem]").await;
    assert_eq!(
        items,
        ["Add to dialog", "Redirect", "Rename", "End dialog", "Mark as spam"],
        "no Leave for the only member"
    );
    bob.js("document.querySelector('button[aria-label=\"Dialog actions\"]').click()", vec![]).await;

    // Add to dialog: a real modal; Esc closes it; search, check, Add.
    menu(&bob, "Add to dialog").await;
    in_modal(&bob).await;
    bob.type_into("[role=dialog] input[type=search]", "\u{E00C}").await; // Escape
    bob.wait_until("the modal to close", "return !document.querySelector('[role=dialog]')", vec![]).await;
    menu(&bob, "Add to dialog").await;
    bob.type_into("[role=dialog] input[type=search]", "ann").await;
    bob.wait_until(
        "the search to leave only Anna",
        "return document.querySelectorAll('.picker__item').length === 1",
        vec![],
    )
    .await;
    bob.click_text(".picker__item", "Anna Kovalenko").await;
    bob.click_text("[role=dialog] button", "Add").await;
    count(&anna, "active", 1).await;
    bob.wait_text(".chat__messages", "Bob Marchenko added Anna Kovalenko to the dialog").await;

    // Redirect with a note: Anna becomes the only responsible and sees the note pinned.
    menu(&bob, "Redirect").await;
    bob.click_text(".picker__item", "Anna Kovalenko").await;
    bob.type_into("#handover-note", "Wants 20 pots by Friday").await;
    bob.click_text("[role=dialog] button", "Add").await;
    count(&bob, "active", 0).await;
    anna.click(".dialog-row__open").await;
    anna.wait_text(".chat__pinned", "Bob Marchenko handed this dialog over to you:").await;
    anna.wait_text(".chat__pinned", "Wants 20 pots by Friday").await;
    bob.wait_text(".join-banner", "Anna Kovalenko works on this dialog").await;

    // Rename from the chat name: the view form, the pencil, the name and an image, then
    // Save (choosing the image keeps the form open with the typed name).
    let png = std::env::temp_dir().join(format!("el-e2e-avatar-{}.png", std::process::id()));
    std::fs::write(&png, PNG).unwrap();
    anna.click(".chat__name").await;
    in_modal(&anna).await;
    anna.click("[aria-label='Edit name']").await;
    anna.js("document.querySelector('#dialog-name').value = ''", vec![]).await;
    anna.type_into("#dialog-name", "Olena — 20 pots").await;
    anna.type_into("#dialog-image", png.to_str().unwrap()).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let typed = anna.js("return document.querySelector('#dialog-name')?.value", vec![]).await;
    assert_eq!(typed, "Olena — 20 pots", "the form waits for Save with the typed name");
    let saved = anna.js("return !!document.querySelector('.chat__header .avatar__image')", vec![]).await;
    assert_eq!(saved, false, "nothing is saved before Save");
    anna.click_text("[role=dialog] button", "Save").await;
    anna.wait_text(".chat__header h2", "Olena — 20 pots").await;
    anna.wait_text(".dialog-row__name", "Olena — 20 pots").await;
    bob.wait_text(".chat__header h2", "Olena — 20 pots").await;
    let shown = "return !!document.querySelector('.chat__header .avatar__image') && !!document.querySelector('.dialog-row .avatar__image')";
    anna.wait_until("the dialog image in the header and the list", shown, vec![]).await;
    bob.wait_until(
        "the dialog image on Bob's screen",
        "return !!document.querySelector('.chat__header .avatar__image')",
        vec![],
    )
    .await;
    anna.wait_image("the image to load from the file store", ".chat__header .avatar__image").await;
    let _ = std::fs::remove_file(&png);

    // End dialog with the confirmation, asking not to show it again.
    anna.click_text(".chat__actions button", "End dialog").await;
    in_modal(&anna).await;
    anna.click_text("[role=dialog] .checkbox", "Do not show this window again").await;
    anna.click_text("[role=dialog] .modal__footer button", "End dialog").await;
    count(&anna, "active", 0).await;
    count(&anna, "inactive", 1).await;
    anna.wait_text(".chat__messages", "Dialog ended by Anna Kovalenko").await;
    bob.wait_text(".chat__bar", "This dialog has ended.").await;

    // Start, then End again: no confirmation this time.
    anna.click_text(".chat__bar button", "Start").await;
    count(&anna, "active", 1).await;
    anna.click_text(".chat__actions button", "End dialog").await;
    count(&anna, "inactive", 1).await;
    assert_eq!(anna.js("return document.querySelectorAll('[role=dialog]').length", vec![]).await, json!(0));

    // Mark as spam (confirmed), visible in Inactive; Start restores it.
    anna.click_text(".chat__bar button", "Start").await;
    count(&anna, "active", 1).await;
    menu(&anna, "Mark as spam").await;
    anna.click_text("[role=dialog] .modal__footer button", "Mark as spam").await;
    count(&anna, "inactive", 1).await;
    anna.click("#tab-inactive").await;
    anna.wait_text(".mark--spam", "Spam").await;
    anna.wait_text(".chat__header", "Spam").await;
    anna.click_text(".chat__bar button", "Start").await;
    count(&anna, "active", 1).await;
    anna.wait_no_text(".chat__header", "Spam").await;
    anna.screenshot("/tmp/e2e-actions.png").await;

    // The confirmation can be turned back on in Settings.
    anna.goto("/settings").await;
    anna.find(".settings input[type=checkbox]").await;
    let checked = anna.js("return document.querySelector('.settings input[type=checkbox]').checked", vec![]).await;
    assert_eq!(checked, json!(false));
    anna.click(".settings input[type=checkbox]").await;
    anna.wait_text("[role=status]", "Saved.").await;
    for b in [anna, bob] {
        b.close().await;
    }
}
