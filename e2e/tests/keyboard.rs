//! An operator works a dialog from the keyboard alone: the list, Reply, the answer and
//! End dialog, with focus always where the next key is expected.

use el_e2e::{Browser, Harness, ENTER};
use serde_json::json;

/// Presses `keys` on whatever has focus, as a keyboard would.
async fn press(b: &Browser, keys: &str) {
    b.client.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

/// What has focus: its tag, and its text or label.
async fn focused(b: &Browser) -> String {
    let what = b.js(
        "const e = document.activeElement;
         return e.tagName.toLowerCase() + ' ' + (e.getAttribute('aria-label') || e.textContent || '').trim()",
        vec![],
    );
    what.await.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_the_list_to_end_dialog_without_a_mouse() {
    let h = Harness::start().await;
    let visitor = h.browser().await;
    visitor.goto("/widget/demo").await;
    assert_eq!(visitor.write_as_visitor("Olena", "Is my parcel on its way?").await, json!(200));

    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Olena").await;

    // ? lists the shortcuts in a real dialog; Esc closes it.
    press(&anna, "?").await;
    anna.wait_text("[role=dialog]", "Keyboard shortcuts").await;
    assert!(anna.texts("[role=dialog] dt").await.iter().any(|k| k.contains("Alt+↓")));
    press(&anna, "\u{E00C}").await;
    anna.wait_until("the sheet to close", "return !document.querySelector('[role=dialog]')", vec![]).await;

    // J opens the first dialog of the tab; R takes it and the cursor is in the message box.
    press(&anna, "j").await;
    anna.wait_text(".chat__messages", "Is my parcel on its way?").await;
    press(&anna, "r").await;
    anna.wait_until(
        "the message box to have focus",
        "return document.activeElement?.matches('textarea.composer__input') === true",
        vec![],
    )
    .await;
    press(&anna, &format!("It left the warehouse today.{ENTER}")).await;
    anna.wait_text(".chat__messages", "It left the warehouse today.").await;

    // Out of the message box, E asks to end the dialog; the keyboard confirms.
    press(&anna, "\u{E004}").await; // Tab
    assert!(!focused(&anna).await.starts_with("textarea"), "{}", focused(&anna).await);
    press(&anna, "e").await;
    anna.wait_text("[role=dialog]", "End dialog").await;
    assert!(
        anna.js("return document.querySelector('[role=dialog]').contains(document.activeElement)", vec![]).await
            == json!(true),
        "focus moved into the confirmation"
    );
    // Tab walks the confirmation's controls only, to its End dialog button.
    let mut steps = 0;
    while focused(&anna).await != "button End dialog" {
        press(&anna, "\u{E004}").await;
        steps += 1;
        assert!(steps < 6, "End dialog is reached within the modal: {}", focused(&anna).await);
        let inside = anna.js("return !!document.activeElement.closest('[role=dialog]')", vec![]).await;
        assert_eq!(inside, json!(true), "Tab stays in the modal");
    }
    press(&anna, ENTER).await;
    anna.wait_text(".chat__bar", "Start").await;
    anna.wait_text(".chat__messages", "Dialog ended by Anna Kovalenko").await;
}
