//! Facebook Messenger and Instagram end to end: an administrator connects a page's
//! Messenger and its Instagram account with the page's token and the app secret, and
//! reads the callback URL and verify token to enter in Meta's dashboard; a client's
//! signed message shows up live with their name; the operator's answer reaches the
//! (fake) Send API in Messenger's formatting, and Instagram's in plain text; a read
//! shows on the answer. The page passes the accessibility check.

use el_e2e::{Harness, ENTER};
use el_fake_meta::FakeMeta;
use serde_json::{json, Value};

const PAGE: &str = "104758121993741";
const IG: &str = "17841405822304914";
const TOKEN: &str = "EAAJB3lZBZA0ZBsBAKpageAccessToken1234567890";
const SECRET: &str = "0123456789abcdef0123456789abcdef";
const PUBLIC_URL: &str = "https://inbox.example.com";

fn message(object: &str, to: &str, from: &str, mid: &str, text: &str) -> Value {
    json!({ "object": object, "entry": [{ "id": to, "time": 1, "messaging": [{
        "sender": { "id": from }, "recipient": { "id": to }, "timestamp": 1, "message": { "mid": mid, "text": text } }] }] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_and_its_instagram_account_are_connected_and_their_clients_answered() {
    let fake = FakeMeta::start().await;
    fake.add_page(PAGE, TOKEN, "Shop Kyiv", "shopkyiv", Some((IG, "shop.kyiv")));
    fake.add_profile("2478", json!({ "first_name": "Olena", "last_name": "Koval" }));
    fake.add_profile("5311", json!({ "name": "Marta Ivanenko", "username": "marta.i" }));
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
    admin.wait_text(".integrations", "No Facebook pages are connected yet.").await;
    admin.type_into("#fb-page-token", "EAAG a sentence").await;
    admin.click_text("button", "Connect page").await;
    admin.wait_text(".form-error", "Paste the whole access token").await;
    admin.find("#fb-page-token").await.clear().await.unwrap();
    admin.type_into("#fb-page-token", TOKEN).await;
    admin.type_into("#fb-app-secret", SECRET).await;
    admin.type_into("#fb-app-secret", ENTER).await;
    admin.wait_text(".bots .bot__name", "Shop Kyiv").await;
    admin.type_into("#ig-page-token", TOKEN).await;
    admin.type_into("#ig-app-secret", SECRET).await;
    admin.click_text("button", "Connect Instagram account").await;
    admin.wait_text(".bots", "@shop.kyiv").await;
    admin.wait_text(".bot__setup", "Webhooks → Page").await;
    admin.assert_accessible("integrations with a page and an Instagram account").await;
    admin.screenshot("/tmp/el-meta-integrations.png").await;
    let hooks = admin.texts(".bot__setup dd code").await;
    let hook = hooks.iter().find(|h| h.starts_with(&format!("{PUBLIC_URL}/api/meta/"))).unwrap().clone();

    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-list", "No new dialogs").await;
    assert_eq!(fake.deliver(&hook, SECRET, &message("page", PAGE, "2478", "m_1", "Do you ship to Lviv?")).await, 200);
    anna.wait_text(".dialog-row__name", "Olena Koval").await;
    anna.click(".dialog-row__reply").await;
    anna.wait_text(".chat__channel-hint", "parts of 2,000 characters").await;
    anna.type_into(".composer__input", "Yes, **in two days**.").await;
    anna.type_into(".composer__input", ENTER).await;
    let sent = fake.wait_for_sent(1).await;
    assert_eq!(sent[0].body["message"]["text"], "Yes, *in two days*.");
    assert_eq!(sent[0].body["recipient"]["id"], "2478");
    let read = json!({ "object": "page", "entry": [{ "id": PAGE, "time": 2, "messaging": [{
        "sender": { "id": "2478" }, "recipient": { "id": PAGE }, "timestamp": 2,
        "read": { "watermark": el_server::db::now_ms() } }] }] });
    assert_eq!(fake.deliver(&hook, SECRET, &read).await, 200);
    anna.wait_until(
        "the answer to show Seen",
        "const s = [...document.querySelectorAll('.message--mine .message__status')].pop();
         return s && s.dataset.state === 'seen'",
        vec![],
    )
    .await;

    // An Instagram client through the same app's webhook.
    assert_eq!(fake.deliver(&hook, SECRET, &message("instagram", IG, "5311", "ig_1", "Is it in stock?")).await, 200);
    anna.click("#tab-unassigned").await;
    anna.wait_text(".dialog-row__name", "Marta Ivanenko").await;
    anna.click(".dialog-row__reply").await;
    anna.wait_text(".chat__channel-hint", "Instagram shows text without formatting").await;
    anna.type_into(".composer__input", "Yes, **two left**.").await;
    anna.type_into(".composer__input", ENTER).await;
    let sent = fake.wait_for_sent(2).await;
    assert_eq!(
        (sent[1].body["message"]["text"].as_str(), sent[1].body["recipient"]["id"].as_str()),
        (Some("Yes, two left."), Some("5311"))
    );
}
