//! Typing both ways between the website widget and the operator's chat, and the
//! client's reading shown to the operator.

use el_e2e::{Harness, ENTER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_side_sees_the_other_typing_and_the_operator_sees_the_answer_read() {
    let h = Harness::start().await;
    let client = h.browser().await;
    client.open_widget().await;
    client.type_into("input[aria-label='Your name']", "Olena Typing").await;
    client.type_into("textarea[aria-label=Message]", "Hello!").await;
    client.type_into("textarea[aria-label=Message]", ENTER).await;
    client.wait_text(".bubble--mine", "Hello!").await;

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
    for b in [client, anna] {
        b.close().await;
    }
}
