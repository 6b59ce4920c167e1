//! Typing both ways between the website widget and the operator's chat, and how far
//! the client got with each answer (Delivered, Seen) shown to the operator.

use el_e2e::{Harness, ENTER};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_side_sees_the_other_typing_and_the_operator_sees_the_answer_read() {
    let h = Harness::start().await;
    let client = h.browser().await;
    client.write_in_widget("/widget/demo", Some("Olena Typing"), "Hello!").await;

    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.click_text(".dialog-row__name", "Olena Typing").await;
    anna.click_text(".chat__bar button", "Reply").await;
    anna.find("textarea.composer__input").await;

    // The client types: Anna's chat says so, and stops saying it when the message comes.
    client.type_into("textarea[aria-label=Message]", "Do you deliver").await;
    anna.wait_text(".chat__typing", "Olena Typing is typing…").await;
    client.type_into("textarea[aria-label=Message]", &format!(" to Lviv?{ENTER}")).await;
    anna.wait_text(".chat__messages", "Do you deliver to Lviv?").await;
    anna.wait_until(
        "the typing line to clear",
        "return document.querySelector('.chat__typing').textContent === ''",
        vec![],
    )
    .await;

    // Anna types an answer: the widget shows her name until it arrives.
    anna.type_into("textarea.composer__input", "Yes, we").await;
    client.wait_text(".widget__typing", "Anna Kovalenko is typing…").await;
    anna.type_into("textarea.composer__input", &format!(" do!{ENTER}")).await;
    client.wait_text(".bubble", "Yes, we do!").await;
    client
        .wait_until(
            "the typing line to clear",
            "return document.querySelector('.widget__typing').textContent === ''",
            vec![],
        )
        .await;
    // The client has the chat in front: Anna sees her answer seen.
    anna.wait_text(".message--mine .message__status[data-state=seen]", "✓✓ Seen").await;

    // The client's page goes to the background: the next answer reaches the widget
    // (Delivered) but is not seen until the page is in front again.
    client
        .js("Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'})", vec![])
        .await;
    anna.type_into("textarea.composer__input", &format!("Anything else?{ENTER}")).await;
    client.wait_text(".bubble", "Anything else?").await;
    // Which answers carry a receipt, and which: [is it "Anything else?", receipt].
    let receipts = "return JSON.stringify([...document.querySelectorAll('.message--mine')]
        .map(m => [m.innerText.includes('Anything else?'),
                   [...m.querySelectorAll('.message__status[data-state=seen], .message__status[data-state=delivered]')]
                       .map(s => s.dataset.state + ' ' + s.innerText).join()])
        .filter(m => m[1])) === arguments[0]";
    anna.wait_until(
        "Delivered under the new answer, Seen still under the one before",
        receipts,
        vec![json!(r#"[[false,"seen ✓✓ Seen"],[true,"delivered ✓✓ Delivered"]]"#)],
    )
    .await;
    client
        .js(
            "Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
             document.dispatchEvent(new Event('visibilitychange', {bubbles: true}))",
            vec![],
        )
        .await;
    anna.wait_until("Seen under the newest answer only", receipts, vec![json!(r#"[[true,"seen ✓✓ Seen"]]"#)]).await;
    for b in [client, anna] {
        b.close().await;
    }
}
