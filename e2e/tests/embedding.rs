//! Embedding in the Space: the demo host, a "Space CRM" page on another origin built only
//! on `/embed/lines.js`, shows a lead card with our External lines field and dialog
//! block, and our chat when a dialog is opened from them. The block follows the client
//! live; the chat needs Join for a dialog a colleague works on; the host's styles do not
//! reach the components; a revoked key ends them with words and "unauthorized".

use el_e2e::{Browser, Harness, ENTER};
use serde_json::{json, Value};

/// Signs `login` in over HTTP and answers a client with their session cookie.
async fn signed_in(base: &str, login: &str) -> reqwest::Client {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"login": login, "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

async fn json_of(r: reqwest::RequestBuilder) -> Value {
    let r = r.send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

/// A website client writes `text` (under the idempotency key `key`) with the token
/// `visitor` holds.
async fn client_writes(base: &str, visitor: &str, key: &str, text: &str) {
    let body = json!({"text": text, "client_msg_id": key});
    json_of(reqwest::Client::new().post(format!("{base}/api/widget/messages")).bearer_auth(visitor).json(&body)).await;
}

/// The computed `property` of the first `css` element in the current frame.
async fn style(b: &Browser, css: &str, property: &str) -> String {
    b.js(
        "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]",
        vec![json!(css), json!(property)],
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_on_another_origin_shows_the_block_field_and_chat_live() {
    let h = Harness::start_with(|c| c.embed_demo_port = Some(0)).await;
    let host = h.embed_demo.clone().expect("the embedding demo runs");
    let base = h.base.clone();
    assert_ne!(host, base);

    // Olena writes from the website; Bob answers and makes her a lead.
    let visitor = json_of(
        reqwest::Client::new()
            .post(format!("{base}/api/widget/session"))
            .json(&json!({"channel": "website-demo", "name": "Olena Petrenko"})),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_string();
    client_writes(&base, &visitor, "m-1", "Hello! Do you have sunflower seeds?").await;
    let bob = signed_in(&base, "bob").await;
    let inbox = json_of(bob.get(format!("{base}/api/dialogs"))).await;
    let dialog = inbox["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["dialogs"].as_array().unwrap())
        .find(|d| d["client_name"] == "Olena Petrenko")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    json_of(bob.post(format!("{base}/api/dialogs/{dialog}/reply")).json(&json!({}))).await;
    json_of(bob.post(format!("{base}/api/dialogs/{dialog}/crm/lead")).json(&json!({}))).await;

    // Anna opens the Space's lead card, on a page whose styles would break anything shared.
    let anna = h.browser().await;
    anna.goto_url(&format!("{host}/?login=anna&hostile=1")).await;
    anna.wait_until("the host page", "return document.querySelector('#lead-id')?.textContent", vec![]).await;
    assert_eq!(style(&anna, "dd", "fontSize").await, "40px", "the host's own styles apply to the host");

    anna.enter_embedded("#block").await;
    anna.wait_text(".dialog-block__item", "Olena Petrenko").await;
    anna.wait_text(".dialog-block__text", "Hello! Do you have sunflower seeds?").await;
    assert_ne!(style(&anna, ".dialog-block__text", "fontSize").await, "40px", "host CSS stays out");
    assert_ne!(style(&anna, ".dialog-block__text", "color").await, "rgb(255, 0, 0)", "host CSS stays out");
    // The client writes again: the block shows it without a reload.
    client_writes(&base, &visitor, "m-2", "Are they frost-resistant?").await;
    anna.wait_text(".dialog-block__text", "Are they frost-resistant?").await;
    anna.assert_accessible("embedded dialog block").await;
    anna.click(".dialog-block__message").await;
    anna.leave_frame().await;
    anna.wait_text("#events", &format!("open-dialog {dialog}")).await;
    // The block's frame is as tall as the block (it started at 320 px).
    anna.wait_until(
        "the block's frame to fit its content",
        "const h = document.querySelector('#block > div').shadowRoot.querySelector('iframe').offsetHeight;
         return h > 80 && h < 300;",
        vec![],
    )
    .await;

    // The chat: Bob works on it, so Anna must Join before writing.
    anna.enter_embedded("#chat").await;
    anna.wait_text(".chat__messages", "Are they frost-resistant?").await;
    anna.wait_text(".chat__bar", "Bob Marchenko works on this dialog").await;
    anna.click_text(".chat__bar button", "Join").await;
    anna.type_into("textarea[aria-label=Message]", "Yes, down to minus five.").await;
    anna.type_into("textarea[aria-label=Message]", ENTER).await;
    anna.wait_text(".chat__messages", "Yes, down to minus five.").await;
    // The lead named in the chat is the host's to open, not a page inside the frame.
    anna.click("a[href^='/crm/leads/']").await;
    anna.wait_text(".chat__messages", "Yes, down to minus five.").await;
    anna.leave_frame().await;
    anna.wait_text("#events", "open-record lead").await;

    // The field opens the chat too.
    anna.enter_embedded("#field").await;
    anna.click_text(".lines-field__link", "Olena Petrenko").await;
    anna.leave_frame().await;
    anna.wait_until(
        "a second open-dialog",
        "return [...document.querySelectorAll('#events li')].filter(li => li.textContent.startsWith('open-dialog')).length === 2",
        vec![],
    )
    .await;
    anna.screenshot("/tmp/e2e-embedding.png").await;

    // The same components as a Module Federation remote, as the Space loads apps.
    let federated = anna
        .client
        .execute_async(
            "const [base, done] = arguments;
             import(base + '/embed/remoteEntry.js')
               .then(async (container) => {
                 await container.init({});
                 const modules = await Promise.all(['./DialogBlock', './LinesField', './Chat'].map((m) => container.get(m)));
                 const missing = await container.get('./Inbox').then(() => 'found', (e) => e.message);
                 done({ starts: modules.map((factory) => typeof factory().start), missing });
               }, (e) => done({ error: String(e) }));",
            vec![json!(base)],
        )
        .await
        .unwrap();
    assert_eq!(federated["starts"], json!(["function", "function", "function"]), "{federated}");
    assert!(federated["missing"].as_str().unwrap().contains("./DialogBlock"), "{federated}");

    // The administrator revokes the demo's key: the components say so and tell the host,
    // whose backend can get no new session with it.
    let admin = signed_in(&base, "admin").await;
    let keys = json_of(admin.get(format!("{base}/api/api-keys"))).await;
    let key = keys.as_array().unwrap().iter().find(|k| k["revoked_at"].is_null()).unwrap()["id"].as_i64().unwrap();
    json_of(admin.post(format!("{base}/api/api-keys/{key}/revoke")).json(&json!({}))).await;
    anna.wait_text("#events", "unauthorized").await;
    anna.wait_text("#events", "no new session").await;
    anna.enter_embedded("#block").await;
    anna.wait_text(".embedded-view", "session has ended").await;
    anna.leave_frame().await;
    anna.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_creates_and_revokes_an_api_key_in_settings() {
    let h = Harness::start().await;
    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.goto("/settings").await;
    admin.click_text("a", "API keys").await;
    admin.wait_until("the API keys page", "return location.pathname === '/settings/api-keys'", vec![]).await;
    admin.wait_text(".api-keys", "No API keys yet.").await;

    admin.type_into("#key-name", "Partner portal").await;
    admin.type_into("#key-origins", "http://portal.example.com").await;
    admin.click_text("button", "Create key").await;
    admin.wait_text("[role=alert]", "must use https").await;
    admin.find("#key-origins").await.clear().await.unwrap();
    admin.type_into("#key-origins", "https://portal.example.com").await;
    admin.click_text("button", "Create key").await;
    admin.wait_text("[role=status]", "Copy it now").await;
    let secret = admin.texts(".api-keys__value").await;
    assert!(secret[0].starts_with("elk_"), "{secret:?}");
    admin.click_text(".api-keys__secret button", "Copy key").await;
    admin.wait_text(".api-keys__secret", "Copied.").await;
    admin.wait_text(".api-key", "https://portal.example.com").await;
    admin.assert_accessible("API keys").await;
    admin.screenshot("/tmp/e2e-api-keys.png").await;

    // The key works from a server, until it is revoked here.
    let ask = || async {
        reqwest::Client::new()
            .post(format!("{}/api/embed/sessions", h.base))
            .bearer_auth(&secret[0])
            .json(&json!({"login": "anna"}))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(ask().await, 200);
    admin.click_text(".api-key button", "Revoke").await;
    admin.wait_text("[role=dialog]", "Revoke “Partner portal”?").await;
    admin.click_text("[role=dialog] button", "Revoke").await;
    admin.wait_text(".api-key", "revoked").await;
    assert_eq!(ask().await, 401);
    admin.close().await;
}
