//! Viber end to end: an administrator connects a bot on the Integrations page (Viber
//! checks the webhook at once), a client's signed callback shows up live in Unassigned,
//! the operator's answer reaches the (fake) REST bot API in Viber's formatting, Viber's
//! receipts show on it, and an unsubscribed client cannot be written to.

use el_e2e::{Browser, Harness, ENTER};
use el_fake_viber::FakeViber;
use serde_json::{json, Value};

const TOKEN: &str = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f";
const PUBLIC_URL: &str = "https://inbox.example.com";
const CLIENT: &str = "01234567890A=";

fn callback(event: &str, token: u64, extra: Value) -> Value {
    let mut body = json!({ "event": event, "timestamp": 1457764197627u64, "chat_hostname": "SN-376_",
        "message_token": token });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

fn text(token: u64, words: &str) -> Value {
    callback(
        "message",
        token,
        json!({ "sender": { "id": CLIENT, "name": "John McClane", "language": "en", "api_version": 1 },
                "message": { "type": "text", "text": words } }),
    )
}

async fn last_status_is(b: &Browser, state: &str, text: &str) {
    b.wait_until(
        &format!("the last status to be {state}"),
        "const s = [...document.querySelectorAll('.message--mine .message__status')].pop();
         return s && s.dataset.state === arguments[0] && s.innerText.includes(arguments[1])",
        vec![json!(state), json!(text)],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viber_client_is_answered_in_viber_formatting_and_receipts_show() {
    let fake = FakeViber::start().await;
    fake.add_bot(TOKEN, "pa:75346594275468546724", "Shop helper", "shophelper");
    let api = fake.url.clone();
    let h = Harness::start_with(move |c| {
        c.viber_api = api;
        c.public_url = Some(PUBLIC_URL.into());
        c.outbox_retry_ms = 100;
    })
    .await;
    fake.reach(PUBLIC_URL, &h.base);

    // The administrator connects the bot by its app key.
    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.goto("/settings/integrations").await;
    admin.wait_text(".integrations", "No Viber bots are connected yet.").await;
    admin.type_into("#viber-token", "not a key").await;
    admin.type_into("#viber-token", ENTER).await;
    admin.wait_text(".form-error", "Paste the bot's whole app key").await;
    admin.find("#viber-token").await.clear().await.unwrap();
    admin.type_into("#viber-token", TOKEN).await;
    admin.type_into("#viber-token", ENTER).await;
    admin.wait_text(".bots .bot__name", "Shop helper").await;
    admin.wait_text("[role=status]", "shophelper is connected").await;
    admin.screenshot("/tmp/el-viber-integrations.png").await;

    // The client writes: the dialog appears live; Anna answers with formatting.
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-list", "No new dialogs").await;
    assert_eq!(fake.deliver(TOKEN, TOKEN, &text(1, "Is the *blue* one in stock?")).await, 200);
    anna.wait_text(".dialog-row__name", "John McClane").await;
    anna.click(".dialog-row__reply").await;
    anna.wait_text(".message--client .message__text", "Is the *blue* one in stock?").await;
    anna.wait_text(".chat__channel-hint", "Viber shows bold, italic").await;
    let input = ".composer__input";
    anna.type_into(input, "Yes, **two left** in _blue_: [order here](https://shop.example.com/blue)").await;
    anna.type_into(input, ENTER).await;
    let sent = fake.wait_for_sent(1).await;
    assert_eq!(sent[0].params["receiver"], CLIENT);
    assert_eq!(sent[0].params["text"], "Yes, *two left* in _blue_: order here (https://shop.example.com/blue)");
    last_status_is(&anna, "sent", "Sent").await;

    // Viber's receipts show on the answer.
    let token = sent[0].message_token.expect("Viber's token of the answer");
    let receipt = |event: &str| callback(event, token, json!({ "user_id": CLIENT }));
    assert_eq!(fake.deliver(TOKEN, TOKEN, &receipt("delivered")).await, 200);
    last_status_is(&anna, "delivered", "Delivered").await;
    assert_eq!(fake.deliver(TOKEN, TOKEN, &receipt("seen")).await, 200);
    last_status_is(&anna, "seen", "Seen").await;
    anna.screenshot("/tmp/el-viber-chat.png").await;

    // The client unsubscribes: the chat says so and an answer is refused with the reason.
    assert_eq!(fake.deliver(TOKEN, TOKEN, &callback("unsubscribed", 7, json!({ "user_id": CLIENT }))).await, 200);
    anna.wait_text(".chat__messages", "The client unsubscribed from the bot").await;
    anna.type_into(input, "Are you still there?").await;
    anna.type_into(input, ENTER).await;
    anna.wait_text(".chat", "unsubscribed from this bot").await;
    assert_eq!(fake.calls("send_message").len(), 1, "nothing more went to Viber");
}
