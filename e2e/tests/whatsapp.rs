//! WhatsApp end to end: an administrator connects a business number with the four
//! things Meta's App Dashboard shows and reads the callback URL and verify token to
//! enter there; a client's signed notification shows up live; the operator's answer
//! reaches the (fake) Cloud API in WhatsApp's formatting; after 24 hours the chat says
//! that only templates reach the client, and the operator sends an approved one with its
//! values filled in. The page passes the accessibility check.

use el_e2e::{Harness, ENTER};
use el_fake_meta::FakeMeta;
use serde_json::json;

const NUMBER_ID: &str = "106540352242922";
const TOKEN: &str = "EAAJB3lZBZA0ZBsBAKzZCZAsystemUserToken1234567890";
const SECRET: &str = "0123456789abcdef0123456789abcdef";
const PUBLIC_URL: &str = "https://inbox.example.com";
const CLIENT: &str = "16315551181";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whatsapp_number_is_connected_from_the_page_and_its_client_is_answered() {
    let fake = FakeMeta::start().await;
    fake.add_number(NUMBER_ID, TOKEN, "+1 555-078-3881", "Shop support");
    fake.add_template(json!({ "name": "order_update", "language": "en_US", "status": "APPROVED",
        "category": "UTILITY", "components": [
            { "type": "BODY", "text": "Hi {{1}}, your order {{2}} is ready." },
            { "type": "FOOTER", "text": "Shop support" } ] }));
    let api = fake.url.clone();
    let h = Harness::start_with(move |c| {
        c.graph_api = api;
        c.public_url = Some(PUBLIC_URL.into());
        c.outbox_retry_ms = 100;
    })
    .await;
    fake.reach(PUBLIC_URL, &h.base);

    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.goto("/settings/integrations").await;
    admin.wait_text(".integrations", "No WhatsApp numbers are connected yet.").await;
    admin.type_into("#wa-phone-number-id", "+1 555 078 3881").await;
    admin.click_text("button", "Connect number").await;
    admin.wait_text(".form-error", "The phone number ID is the number Meta shows").await;
    admin.find("#wa-phone-number-id").await.clear().await.unwrap();
    for (field, value) in [
        ("#wa-phone-number-id", NUMBER_ID),
        ("#wa-waba-id", "102290129340398"),
        ("#wa-access-token", TOKEN),
        ("#wa-app-secret", SECRET),
    ] {
        admin.type_into(field, value).await;
    }
    admin.type_into("#wa-app-secret", ENTER).await;
    admin.wait_text(".bots .bot__name", "Shop support").await;
    admin.wait_text(".bot__setup", "Callback URL").await;
    admin.assert_accessible("integrations with a WhatsApp number").await;
    admin.screenshot("/tmp/el-whatsapp-integrations.png").await;
    let hook = admin.texts(".bot__setup dd code").await[0].clone();
    assert!(hook.starts_with(&format!("{PUBLIC_URL}/api/whatsapp/")), "{hook}");

    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-list", "No new dialogs").await;
    let notification = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "102290129340398", "changes": [{
        "field": "messages", "value": { "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "15550783881", "phone_number_id": NUMBER_ID },
            "contacts": [{ "profile": { "name": "Kerry Fisher" }, "wa_id": CLIENT }],
            "messages": [{ "from": CLIENT, "id": "wamid.1", "timestamp": "1603059201", "type": "text",
                           "text": { "body": "Do you ship to Lviv?" } }] } }] }] });
    assert_eq!(fake.deliver(&hook, SECRET, &notification).await, 200);
    anna.wait_text(".dialog-row__name", "Kerry Fisher").await;
    anna.click(".dialog-row__reply").await;
    anna.wait_text(".chat__channel-hint", "you can answer for 24 hours").await;
    anna.type_into(".composer__input", "Yes, **in two days**.").await;
    anna.type_into(".composer__input", ENTER).await;
    let sent = fake.wait_for_sent(1).await;
    assert_eq!(sent[0].body["text"]["body"], "Yes, *in two days*.");
    assert_eq!(sent[0].body["to"], CLIENT);

    // A day later only templates reach the client.
    let day_ago = el_server::db::now_ms() - 25 * 3600 * 1000;
    h.execute_sql(&format!("UPDATE client_accounts SET last_inbound_at = {day_ago}"));
    anna.goto("/").await;
    anna.click("#tab-active").await;
    anna.click(".dialog-row").await;
    anna.wait_text(".chat__closed", "only approved templates").await;
    anna.click_text(".chat__closed button", "Send a template").await;
    anna.wait_text("[role=dialog]", "order_update").await;
    anna.type_into("#template-value-1", "Kerry").await;
    anna.type_into("#template-value-2", "#1042").await;
    anna.wait_text(".templates__preview", "Hi Kerry, your order #1042 is ready.").await;
    anna.assert_accessible("the template picker").await;
    anna.screenshot("/tmp/el-template-picker.png").await;
    anna.click_text("[role=dialog] button", "Send template").await;
    let sent = fake.wait_for_sent(2).await;
    assert_eq!(sent[1].body["template"]["name"], "order_update");
    assert_eq!(sent[1].body["template"]["components"][0]["parameters"][1]["text"], "#1042");
    anna.wait_text(".message--mine", "Hi Kerry, your order #1042 is ready.").await;
}
