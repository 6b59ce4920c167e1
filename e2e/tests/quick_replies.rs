//! Quick replies: an operator saves one in Settings, then `/` in a chat finds it and
//! Enter puts it in with the client's and the operator's names filled in.

use el_e2e::{Harness, ENTER};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_reply_is_found_with_slash_and_sent_with_its_variables_filled() {
    let h = Harness::start().await;
    let anna = h.browser().await;
    anna.sign_in("anna").await;

    anna.click_text(".topbar a", "Settings").await;
    anna.click_text(".settings a", "Quick replies").await;
    anna.wait_text(".settings", "No quick replies yet.").await;
    anna.type_into("#reply-title", "Greeting").await;
    anna.type_into("#reply-text", "Hello {client_name}! This is {operator_name}, how can I help?").await;
    anna.click_text(".quick-reply-form button", "Save").await;
    anna.wait_text(".quick-reply-list", "Greeting").await;

    assert_eq!(anna.write_as_visitor("Olena Quick", "Hi there").await, json!(200));
    anna.click_text(".topbar a", "External lines").await;
    anna.wait_text(".dialog-row__name", "Olena Quick").await;
    anna.click(".dialog-row__reply").await;
    anna.wait_text(".chat__messages", "Anna Kovalenko took the dialog").await;

    anna.type_into(".composer__input", "/gree").await;
    anna.wait_text("[role=listbox][aria-label='Quick replies'] [role=option]", "Greeting").await;
    anna.type_into(".composer__input", ENTER).await;
    let filled = anna.js("return document.querySelector('.composer__input').value", vec![]).await;
    assert_eq!(filled, json!("Hello Olena Quick! This is Anna Kovalenko, how can I help?"));
    anna.type_into(".composer__input", ENTER).await;
    anna.wait_text(".message--mine .message__text", "Hello Olena Quick! This is Anna Kovalenko, how can I help?").await;
}
