//! WhatsApp (the Cloud API) as a channel, against the fake Graph API: connecting a
//! number (and Meta's handshake), signed notifications (forged ones refused, retries
//! stored once), each kind of message and media, the 24-hour window, and the outbox
//! (WhatsApp's formatting, files fetched from signed addresses, rate limits, statuses).

mod common;

use common::{delivery_of, ok, refused, Operator, TestServer};
use el_fake_meta::FakeMeta;
use el_protocol::api::{Attachment, ChannelKind, ChatSnapshot, Delivery, Message};
use el_protocol::integrations::{IntegrationsOverview, MessengerBot};
use serde_json::{json, Value};

const NUMBER_ID: &str = "106540352242922";
const WABA_ID: &str = "102290129340398";
const TOKEN: &str = "EAAJB3lZBZA0ZBsBAKzZCZAsystemUserToken1234567890";
const SECRET: &str = "0123456789abcdef0123456789abcdef";
const PUBLIC_URL: &str = "https://inbox.example.com";
/// The client's WhatsApp id (their number).
const KERRY: &str = "16315551181";

async fn server_with(fake: &FakeMeta) -> TestServer {
    let api = fake.url.clone();
    let server = TestServer::start_with(move |c| {
        c.graph_api = api;
        c.public_url = Some(PUBLIC_URL.into());
        c.outbox_retry_ms = 50;
    })
    .await;
    fake.reach(PUBLIC_URL, server.url("").trim_end_matches('/'));
    server
}

fn connection(token: &str) -> Value {
    json!({ "phone_number_id": NUMBER_ID, "waba_id": WABA_ID, "access_token": token, "app_secret": SECRET })
}

async fn connect(server: &TestServer) -> MessengerBot {
    let admin = server.operator("admin").await;
    ok(admin.post("/api/integrations/whatsapp", connection(TOKEN)).await).await
}

/// A notification for the number with `value`'s messages or statuses.
fn notification(value: Value) -> Value {
    let mut v = json!({ "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": "15550783881", "phone_number_id": NUMBER_ID } });
    v.as_object_mut().unwrap().extend(value.as_object().unwrap().clone());
    json!({ "object": "whatsapp_business_account",
            "entry": [{ "id": WABA_ID, "changes": [{ "value": v, "field": "messages" }] }] })
}

fn from_kerry(wamid: &str, message: Value) -> Value {
    let mut m = json!({ "from": KERRY, "id": wamid, "timestamp": "1603059201" });
    m.as_object_mut().unwrap().extend(message.as_object().unwrap().clone());
    notification(json!({ "contacts": [{ "profile": { "name": "Kerry Fisher" }, "wa_id": KERRY }], "messages": [m] }))
}

fn text(wamid: &str, body: &str) -> Value {
    from_kerry(wamid, json!({ "type": "text", "text": { "body": body } }))
}

fn status(wamid: &str, status: &str, errors: Value) -> Value {
    notification(json!({ "statuses": [{ "id": wamid, "status": status, "timestamp": "1", "recipient_id": KERRY,
        "errors": errors }] }))
}

#[tokio::test]
async fn administrators_connect_a_number_and_meta_s_handshake_is_answered() {
    let fake = FakeMeta::start().await;
    fake.add_number(NUMBER_ID, TOKEN, "+1 555-078-3881", "Shop support");
    let server = server_with(&fake).await;
    let (admin, anna) = (server.operator("admin").await, server.operator("anna").await);

    refused(anna.post("/api/integrations/whatsapp", connection(TOKEN)).await, 403).await;
    let mut wrong = connection(TOKEN);
    wrong["phone_number_id"] = json!("+1 555 078 3881");
    let why = refused(admin.post("/api/integrations/whatsapp", wrong).await, 400).await;
    assert!(why.contains("phone number ID"), "{why}");
    let why =
        refused(admin.post("/api/integrations/whatsapp", connection("EAAJwrongwrongwrongwrongwrong")).await, 400).await;
    assert!(why.contains("does not accept this access token"), "{why}");

    let number = connect(&server).await;
    assert_eq!(
        (number.kind, number.name.as_str(), number.username.as_str()),
        (ChannelKind::Whatsapp, "Shop support", "+1 555-078-3881")
    );
    assert_eq!(number.link(), "https://wa.me/15550783881");
    let setup = number.setup.clone().expect("what to enter in Meta's dashboard");
    assert!(setup.url.starts_with(&format!("{PUBLIC_URL}/api/whatsapp/")), "{}", setup.url);
    assert!(setup.verify_token.len() >= 32);
    let why = refused(admin.post("/api/integrations/whatsapp", connection(TOKEN)).await, 409).await;
    assert_eq!(why, "The WhatsApp number +1 555-078-3881 is already connected.");
    let overview: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert_eq!(overview.whatsapp, std::slice::from_ref(&number));

    // Meta's handshake: the challenge comes back only with our verify token.
    let path = &setup.url[PUBLIC_URL.len()..];
    let handshake = |token: &str| {
        server.url(&format!("{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"))
    };
    let answer = reqwest::get(handshake(&setup.verify_token)).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.unwrap(), "1158201444");
    assert_eq!(reqwest::get(handshake("guess")).await.unwrap().status(), 403);

    // Disconnected: notifications are refused; reconnected: a new address.
    let id = number.channel_id;
    let off: MessengerBot =
        ok(admin.post(&format!("/api/integrations/whatsapp/{id}/disconnect"), json!({})).await).await;
    assert!(!off.is_connected() && off.setup.is_none());
    assert_eq!(fake.deliver(&setup.url, SECRET, &text("wamid.1", "hi")).await, 401);
    let again: MessengerBot =
        ok(admin.post(&format!("/api/integrations/whatsapp/{id}/reconnect"), json!({})).await).await;
    assert!(again.is_connected() && again.channel_id != id);
    assert_ne!(again.setup.unwrap().url, setup.url);
}

#[tokio::test]
async fn forged_notifications_are_refused_and_retries_are_stored_once() {
    let fake = FakeMeta::start().await;
    fake.add_number(NUMBER_ID, TOKEN, "+1 555-078-3881", "Shop support");
    let server = server_with(&fake).await;
    let hook = connect(&server).await.setup.unwrap().url;
    assert_eq!(fake.deliver(&hook, "ffffffffffffffffffffffffffffffff", &text("wamid.1", "forged")).await, 401);
    let unsigned = reqwest::Client::new().post(server.url(&hook[PUBLIC_URL.len()..])).json(&text("wamid.1", "x"));
    assert_eq!(unsigned.send().await.unwrap().status(), 401);
    assert_eq!(server.count_sql("SELECT COUNT(*) FROM messages"), 0, "nothing stored");

    for _ in 0..3 {
        assert_eq!(fake.deliver(&hook, SECRET, &text("wamid.2", "Where is my *order*?")).await, 200);
    }
    let mut elsewhere = text("wamid.3", "for another number");
    elsewhere["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = json!("999999999999");
    assert_eq!(fake.deliver(&hook, SECRET, &elsewhere).await, 200);
    // A second number of the same app: its notifications reach the app's one callback
    // address, and go to its own channel.
    fake.add_number("106540352242923", "EAAJsecondNumberToken1234567890", "+1 555-078-3882", "Shop sales");
    let admin = server.operator("admin").await;
    let second = json!({ "phone_number_id": "106540352242923", "waba_id": WABA_ID,
        "access_token": "EAAJsecondNumberToken1234567890", "app_secret": SECRET });
    let _: MessengerBot = ok(admin.post("/api/integrations/whatsapp", second).await).await;
    let mut sales = text("wamid.4", "for the sales number");
    let value = &mut sales["entry"][0]["changes"][0]["value"];
    value["metadata"]["phone_number_id"] = json!("106540352242923");
    value["contacts"] = json!([{ "profile": { "name": "Taras" }, "wa_id": "380501234567" }]);
    value["messages"][0]["from"] = json!("380501234567");
    assert_eq!(fake.deliver(&hook, SECRET, &sales).await, 200);
    let stored: i64 = server.count_sql(
        "SELECT COUNT(*) FROM messages m JOIN dialogs d ON d.id = m.dialog_id JOIN client_accounts a ON a.id = d.account_id
         JOIN channels ch ON ch.id = a.channel_id WHERE ch.name = 'Shop sales' AND m.author_kind = 'client'",
    );
    assert_eq!(stored, 1, "the sales number's message is in its own channel");
    let anna = server.operator("anna").await;
    let chat: ChatSnapshot = anna.chat(anna.dialog_of("Kerry Fisher").await).await;
    let said: Vec<&str> = chat.messages.iter().filter(|m| m.author.is_client()).map(|m| m.text.as_str()).collect();
    assert_eq!(said, ["Where is my \\*order\\*?"], "once, exactly as written, and only this number's");
    assert_eq!(chat.dialog.channel_kind, ChannelKind::Whatsapp);
    assert!(
        chat.dialog.reply_until.is_some_and(|t| t > el_server::db::now_ms() + 23 * 3600 * 1000),
        "24 hours to answer"
    );
}

#[tokio::test]
async fn clients_media_are_fetched_and_what_cannot_be_becomes_a_note() {
    let fake = FakeMeta::start().await;
    fake.add_number(NUMBER_ID, TOKEN, "+1 555-078-3881", "Shop support");
    let server = server_with(&fake).await;
    let hook = connect(&server).await.setup.unwrap().url;
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64]].concat();
    fake.add_media("2754859441498128", &png);
    let image = from_kerry(
        "wamid.1",
        json!({ "type": "image", "image": { "caption": "The box", "mime_type": "image/png",
        "sha256": "x", "id": "2754859441498128" } }),
    );
    assert_eq!(fake.deliver(&hook, SECRET, &image).await, 200);
    let gone = from_kerry(
        "wamid.2",
        json!({ "type": "document", "document": { "filename": "scan.pdf",
        "mime_type": "application/pdf", "sha256": "x", "id": "404404" } }),
    );
    assert_eq!(fake.deliver(&hook, SECRET, &gone).await, 200);

    let anna = server.operator("anna").await;
    let chat: ChatSnapshot = anna.chat(anna.dialog_of("Kerry Fisher").await).await;
    let said: Vec<&Message> = chat.messages.iter().filter(|m| m.author.is_client()).collect();
    assert_eq!(said[0].text, "The box");
    assert_eq!(
        (said[0].attachments[0].content_type.as_str(), said[0].attachments[0].size),
        ("image/png", png.len() as u64)
    );
    assert!(said[1].attachments.is_empty());
    assert!(
        said[1].text.starts_with("(“scan.pdf” was not received: WhatsApp did not hand it over"),
        "{}",
        said[1].text
    );
}

async fn answered_dialog(fake: &FakeMeta) -> (TestServer, String, Operator, i64) {
    fake.add_number(NUMBER_ID, TOKEN, "+1 555-078-3881", "Shop support");
    let server = server_with(fake).await;
    let hook = connect(&server).await.setup.unwrap().url;
    assert_eq!(fake.deliver(&hook, SECRET, &text("wamid.in1", "Hello")).await, 200);
    let anna = server.operator("anna").await;
    let id = anna.dialog_of("Kerry Fisher").await;
    assert_eq!(anna.reply(id).await.status(), 200);
    (server, hook, anna, id)
}

#[tokio::test]
async fn answers_go_out_in_whatsapp_formatting_with_files_and_statuses() {
    let fake = FakeMeta::start().await;
    let (_server, hook, anna, id) = answered_dialog(&fake).await;
    fake.fail_next(2, 400, 130429, "Rate limit hit");
    let sent: Message = ok(anna.send(id, "**Good news**: [track it](https://example.com/t?a=1)", "k-1").await).await;
    let calls = fake.wait_for_sent(1).await;
    assert_eq!(calls[0].from, NUMBER_ID);
    assert_eq!(calls[0].token, TOKEN);
    assert_eq!(calls[0].body["to"], KERRY);
    assert_eq!(calls[0].body["text"]["body"], "*Good news*: track it (https://example.com/t?a=1)");
    assert_eq!(fake.calls().len(), 3, "two rate-limited attempts, then the message");
    anna.chat_becomes(id, |c| delivery_of(c, &sent) == Some(Delivery::Sent)).await;

    let wamid = calls[0].id.clone().unwrap();
    assert_eq!(fake.deliver(&hook, SECRET, &status(&wamid, "delivered", json!([]))).await, 200);
    anna.chat_becomes(id, |c| c.dialog.client_delivered == Some(sent.id)).await;
    assert_eq!(fake.deliver(&hook, SECRET, &status(&wamid, "read", json!([]))).await, 200);
    anna.chat_becomes(id, |c| c.dialog.client_read == Some(sent.id)).await;

    // The client replies to the answer: the reply quotes it.
    let reply = from_kerry(
        "wamid.in2",
        json!({ "type": "text", "text": { "body": "Thanks!" }, "context": { "from": "15550783881", "id": wamid } }),
    );
    assert_eq!(fake.deliver(&hook, SECRET, &reply).await, 200);
    let chat =
        anna.chat_becomes(id, |c| c.messages.last().is_some_and(|m| m.author.is_client() && m.id.0 > sent.id.0)).await;
    assert_eq!(
        chat.messages.last().unwrap().text,
        "> Good news: track it\n\nThanks\\!",
        "a quote, then their words as written"
    );

    // Files: a small image as an image, a PDF as a document, each fetched from a signed address.
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64]].concat();
    let photo: Attachment = ok(anna.upload(id, "plan.png", png.clone()).await).await;
    let pdf: Attachment = ok(anna.upload(id, "invoice.pdf", b"%PDF-1.7 total".to_vec()).await).await;
    let with_files: Message = ok(anna.send_files(id, "", "k-2", &[&photo.id, &pdf.id]).await).await;
    let calls = fake.wait_for_sent(3).await;
    assert_eq!(calls[1].body["type"], "image");
    assert_eq!(calls[1].fetched, Some((200, png.len())));
    assert_eq!(
        (calls[2].body["type"].as_str(), calls[2].body["document"]["filename"].as_str()),
        (Some("document"), Some("invoice.pdf"))
    );
    assert_eq!(calls[2].fetched, Some((200, 14)));
    anna.chat_becomes(id, |c| delivery_of(c, &with_files) == Some(Delivery::Sent)).await;

    // WhatsApp took a message, then could not deliver it.
    let later: Message = ok(anna.send(id, "One more thing", "k-3").await).await;
    let wamid = fake.wait_for_sent(4).await[3].id.clone().unwrap();
    anna.chat_becomes(id, |c| delivery_of(c, &later) == Some(Delivery::Sent)).await;
    let failed = status(
        &wamid,
        "failed",
        json!([{ "code": 131026, "title": "Message undeliverable",
        "error_data": { "details": "Receiver is incapable of receiving this message" } }]),
    );
    assert_eq!(fake.deliver(&hook, SECRET, &failed).await, 200);
    let chat = anna.chat_becomes(id, |c| matches!(delivery_of(c, &later), Some(Delivery::Failed { .. }))).await;
    assert_eq!(
        delivery_of(&chat, &later),
        Some(Delivery::Failed {
            reason: "Not delivered: WhatsApp answered “Receiver is incapable of receiving this message” (code 131026)."
                .into()
        })
    );
}

#[tokio::test]
async fn after_24_hours_answers_are_refused_until_the_client_writes_again() {
    let fake = FakeMeta::start().await;
    let (server, hook, anna, id) = answered_dialog(&fake).await;
    let day_ago = el_server::db::now_ms() - 25 * 3600 * 1000;
    server
        .execute_sql(&format!("UPDATE client_accounts SET last_inbound_at = {day_ago} WHERE external_id = '{KERRY}'"));
    let chat: ChatSnapshot = anna.chat(id).await;
    assert!(chat.dialog.reply_until.is_some_and(|t| t < el_server::db::now_ms()), "the window is shown closed");
    let why = refused(anna.send(id, "Still there?", "k-1").await, 409).await;
    assert!(why.contains("More than 24 hours have passed"), "{why}");
    assert!(fake.calls().is_empty(), "nothing went to WhatsApp");

    // Meta refuses for the same reason (a clock apart): the reason says so.
    assert_eq!(fake.deliver(&hook, SECRET, &text("wamid.in2", "Yes!")).await, 200);
    fake.fail_next(1, 400, 131047, "Re-engagement message");
    let sent: Message = ok(anna.send(id, "Great", "k-2").await).await;
    let chat = anna.chat_becomes(id, |c| matches!(delivery_of(c, &sent), Some(Delivery::Failed { .. }))).await;
    assert!(matches!(delivery_of(&chat, &sent), Some(Delivery::Failed { reason }) if reason.contains("24 hours")));
    let again: Message = ok(anna.send(id, "Great, once more", "k-3").await).await;
    fake.wait_for_sent(1).await;
    anna.chat_becomes(id, |c| delivery_of(c, &again) == Some(Delivery::Sent)).await;
}

#[tokio::test]
async fn after_24_hours_an_approved_template_reaches_the_client() {
    let fake = FakeMeta::start().await;
    fake.add_template(json!({ "name": "order_update", "language": "en_US", "status": "APPROVED",
        "category": "UTILITY", "id": "1", "components": [
            { "type": "HEADER", "format": "TEXT", "text": "Order news" },
            { "type": "BODY", "text": "Hi {{1}}, your order {{2}} is ready." },
            { "type": "FOOTER", "text": "Shop support" } ] }));
    fake.add_template(json!({ "name": "draft", "language": "en_US", "status": "REJECTED", "category": "UTILITY",
        "components": [{ "type": "BODY", "text": "No" }] }));
    let (server, _hook, anna, id) = answered_dialog(&fake).await;
    let day_ago = el_server::db::now_ms() - 25 * 3600 * 1000;
    server
        .execute_sql(&format!("UPDATE client_accounts SET last_inbound_at = {day_ago} WHERE external_id = '{KERRY}'"));
    let path = format!("/api/dialogs/{id}/whatsapp-templates");

    let listed: Vec<el_protocol::templates::WhatsAppTemplate> = ok(anna.get(&path).await).await;
    assert_eq!(listed.len(), 1, "only approved ones");
    assert_eq!((listed[0].name.as_str(), listed[0].params), ("order_update", 2));
    let bob = server.operator("bob").await;
    refused(bob.get(&path).await, 403).await;

    let send = |params: Value, key: &str| {
        json!({ "name": "order_update", "language": "en_US", "params": params,
        "client_msg_id": key })
    };
    let why = refused(anna.post(&path, send(json!(["Kerry"]), "t-1")).await, 400).await;
    assert!(why.contains("takes 2 values, not 1"), "{why}");
    let why = refused(anna.post(&path, send(json!(["Kerry", "#1\n2"]), "t-2")).await, 400).await;
    assert!(why.contains("line breaks"), "{why}");
    let why = refused(
        anna.post(&path, json!({ "name": "draft", "language": "en_US", "params": [], "client_msg_id": "t-3" })).await,
        400,
    )
    .await;
    assert!(why.contains("no approved template"), "{why}");
    assert!(fake.calls().is_empty());

    let sent: Message = ok(anna.post(&path, send(json!(["Kerry", "#1042"]), "t-4")).await).await;
    assert_eq!(sent.text, "Order news\n\nHi Kerry, your order #1042 is ready.\n\nShop support");
    let calls = fake.wait_for_sent(1).await;
    assert_eq!(calls[0].body["type"], "template");
    assert_eq!(
        calls[0].body["template"],
        json!({ "name": "order_update", "language": { "code": "en_US" }, "components": [{ "type": "body",
            "parameters": [{ "type": "text", "text": "Kerry" }, { "type": "text", "text": "#1042" }] }] })
    );
    anna.chat_becomes(id, |c| delivery_of(c, &sent) == Some(Delivery::Sent)).await;
    let again: Message = ok(anna.post(&path, send(json!(["Kerry", "#1042"]), "t-4")).await).await;
    assert_eq!(again.id, sent.id, "the same key is the same message");
    let why = refused(anna.send(id, "Still there?", "k-9").await, 409).await;
    assert!(why.contains("only approved"), "free text still waits for the client: {why}");
}
