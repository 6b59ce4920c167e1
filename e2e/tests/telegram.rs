//! Telegram end to end: an administrator connects a bot on the Integrations page, a
//! client's update posted to the webhook shows up live in Unassigned, and the
//! operator's formatted answer reaches the (fake) Bot API as the right `sendMessage`;
//! a refusal and an edit show on the messages; the bot is disconnected again.

use el_e2e::{Browser, Harness, ENTER, SHIFT};
use el_fake_telegram::{FakeTelegram, Reply};
use serde_json::{json, Value};

const TOKEN: &str = "424242:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const PUBLIC_URL: &str = "https://inbox.example.com";
const CLIENT: i64 = 5550001;
const NULL_KEY: &str = "\u{E000}";

/// What Telegram would POST to our webhook for the client's message.
fn update(update_id: i64, kind: &str, message: Value) -> Value {
    let mut m = json!({ "message_id": 1, "date": 1_700_000_000,
        "from": { "id": CLIENT, "is_bot": false, "first_name": "Olena", "last_name": "Koval", "username": "olena_k" },
        "chat": { "id": CLIENT, "type": "private" } });
    m.as_object_mut().unwrap().extend(message.as_object().unwrap().clone());
    json!({ "update_id": update_id, kind: m })
}

async fn status_is(b: &Browser, state: &str, text: &str) {
    b.wait_until(
        &format!("the last message to be {state}"),
        "const s = [...document.querySelectorAll('.message--mine .message__status')].pop();
         return s && s.dataset.state === arguments[0] && s.innerText.includes(arguments[1])",
        vec![json!(state), json!(text)],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_telegram_client_arrives_live_and_the_answer_reaches_telegram_formatted() {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN, 424242, "Shop helper", "shop_helper_bot");
    let api = fake.url.clone();
    let h = Harness::start_with(move |c| {
        c.telegram_api = api;
        c.public_url = Some(PUBLIC_URL.into());
        c.outbox_retry_ms = 100;
    })
    .await;

    // The administrator connects the bot by its token.
    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.goto("/settings").await;
    admin.click_text(".settings a", "Integrations").await;
    admin.wait_text(".integrations", "No Telegram bots are connected yet.").await;
    admin.type_into("#bot-token", "not a token").await;
    admin.click_text("button", "Connect bot").await;
    admin.wait_text(".form-error", "Paste the whole token").await;
    admin.find("#bot-token").await.clear().await.unwrap();
    admin.type_into("#bot-token", TOKEN).await;
    admin.type_into("#bot-token", ENTER).await;
    admin.wait_text(".bots .bot__name", "Shop helper").await;
    admin.wait_text(".bots", "@shop_helper_bot").await;
    admin.wait_text(".bot__state", "Connected").await;
    admin.wait_text("[role=status]", "is connected").await;
    // Telegram cannot reach the server: the page says so.
    fake.fail_deliveries(Some("Connection timed out"));
    admin.goto("/settings/integrations").await;
    admin.wait_text(".bot__problem", "Connection timed out").await;
    admin.screenshot("/tmp/el-integrations.png").await;
    fake.fail_deliveries(None);
    let hook = fake.calls("setWebhook").pop().expect("the webhook was registered");
    let path = hook.params["url"].as_str().unwrap().strip_prefix(PUBLIC_URL).unwrap().to_string();
    let secret = hook.params["secret_token"].as_str().unwrap().to_string();
    let webhook = format!("{}{path}", h.base);
    let post = |body: Value| {
        let (url, secret) = (webhook.clone(), secret.clone());
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .header("X-Telegram-Bot-Api-Secret-Token", secret)
                .json(&body)
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }
    };

    // The client writes to the bot: the dialog appears live in Anna's Unassigned.
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-list", "No new dialogs").await;
    let first = update(
        1,
        "message",
        json!({ "text": "Hi! Is the blue one in stock?", "entities": [{ "type": "bold", "offset": 11, "length": 4 }] }),
    );
    assert_eq!(post(first).await, 200);
    anna.wait_text(".dialog-row__name", "Olena Koval").await;
    anna.wait_text(".dialog-row__preview", "Hi! Is the blue one in stock?").await;
    anna.click(".dialog-row__reply").await;
    anna.wait_text(".chat__messages", "Anna Kovalenko took the dialog").await;
    let bold = anna.texts(".message--client .message__text strong").await;
    assert_eq!(bold, ["blue"], "the client's bold text stays bold");

    // Anna answers with formatting; Telegram receives it as its HTML.
    let input = ".composer__input";
    anna.type_into(input, "Yes, **two left** in _blue_.").await;
    anna.type_into(input, &format!("{SHIFT}{ENTER}{NULL_KEY}")).await;
    anna.type_into(input, "Order here: [our shop](https://shop.example.com/blue) <3").await;
    anna.type_into(input, ENTER).await;
    let sent = fake.wait_for_sent("sendMessage", 1).await;
    assert_eq!(sent[0].params["chat_id"], json!(CLIENT.to_string()));
    assert_eq!(sent[0].params["parse_mode"], "HTML");
    assert_eq!(
        sent[0].params["text"],
        "Yes, <b>two left</b> in <i>blue</i>.\nOrder here: <a href=\"https://shop.example.com/blue\">our shop</a> &lt;3"
    );
    status_is(&anna, "sent", "Sent").await;

    // The client edits their question: the edit shows, the original is kept.
    let edit =
        update(2, "edited_message", json!({ "text": "Hi! Is the navy one in stock?", "edit_date": 1_700_000_060 }));
    assert_eq!(post(edit).await, 200);
    anna.wait_text(".message--client .message__text", "navy").await;
    anna.click(".message__edit summary").await;
    anna.wait_text(".message__original", "Is the blue one in stock?").await;

    // The client blocks the bot: the next answer says so.
    fake.fail_next("sendMessage", 1, Reply::blocked());
    anna.type_into(input, "Shall I reserve one?").await;
    anna.type_into(input, ENTER).await;
    status_is(&anna, "failed", "the client has blocked the bot").await;
    anna.screenshot("/tmp/el-telegram-chat.png").await;

    // The administrator disconnects the bot, confirming in a dialog.
    admin.click("button[aria-label='Disconnect @shop_helper_bot']").await;
    admin.find("[role=dialog]").await;
    admin.click_text("[role=dialog] button", "Disconnect").await;
    admin.wait_text(".bot__state", "Disconnected").await;
    anna.wait_text(".chat__closed", "Shop helper was disconnected").await;
    anna.screenshot("/tmp/el-telegram-disconnected.png").await;
    admin.wait_text(".bots", "1 dialog").await;
    assert_eq!(fake.calls("deleteWebhook").len(), 1);
    assert_eq!(post(update(3, "message", json!({ "text": "hello?" }))).await, 401);
    admin.find("button[aria-label='Reconnect @shop_helper_bot']").await;
}
