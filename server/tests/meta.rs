//! Facebook Messenger and Instagram (the Messenger Platform) as channels, against the fake
//! Graph API: connecting a page or its Instagram account (and Meta's handshake), signed
//! notifications (forged ones refused, retries stored once, another page of the same app
//! routed to its own channel), attachments, echoes, the outbox (Messenger's formatting,
//! Instagram's plain text, files fetched from signed addresses, rate limits, the 24
//! hours) and deliveries and reads.

mod common;

use common::{delivery_of, ok, refused, Operator, TestServer};
use el_fake_meta::{FakeMeta, APP_ID};
use el_protocol::api::{Attachment, ChannelKind, ChatSnapshot, Delivery, Message};
use el_protocol::integrations::{IntegrationsOverview, MessengerBot};
use serde_json::{json, Value};

const PAGE: &str = "104758121993741";
const IG: &str = "17841405822304914";
const TOKEN: &str = "EAAJB3lZBZA0ZBsBAKpageAccessToken1234567890";
const SECRET: &str = "0123456789abcdef0123456789abcdef";
const PUBLIC_URL: &str = "https://inbox.example.com";
/// The client's page-scoped id, and their Instagram-scoped id.
const OLENA: &str = "24787382310867415";
const OLENA_IG: &str = "531182906231871";

async fn server_with(fake: &FakeMeta) -> TestServer {
    fake.add_page(PAGE, TOKEN, "Shop Kyiv", "shopkyiv", Some((IG, "shop.kyiv")));
    fake.add_profile(OLENA, json!({ "first_name": "Olena", "last_name": "Koval", "id": OLENA }));
    fake.add_profile(OLENA_IG, json!({ "name": "Olena K", "username": "olena.k", "id": OLENA_IG }));
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
    json!({ "page_access_token": token, "app_secret": SECRET })
}

async fn connect(server: &TestServer, kind: &str) -> MessengerBot {
    let admin = server.operator("admin").await;
    ok(admin.post(&format!("/api/integrations/{kind}"), connection(TOKEN)).await).await
}

fn notification(object: &str, id: &str, events: Value) -> Value {
    json!({ "object": object, "entry": [{ "id": id, "time": 1458692752478_i64, "messaging": events }] })
}

/// Olena's message to the page in Messenger.
fn from_olena(message: Value) -> Value {
    let now = el_server::db::now_ms();
    notification(
        "page",
        PAGE,
        json!([{ "sender": { "id": OLENA }, "recipient": { "id": PAGE }, "timestamp": now, "message": message }]),
    )
}

fn text(mid: &str, text: &str) -> Value {
    from_olena(json!({ "mid": mid, "text": text }))
}

fn client_texts(chat: &ChatSnapshot) -> Vec<&str> {
    chat.messages.iter().filter(|m| m.author.is_client()).map(|m| m.text.as_str()).collect()
}

#[tokio::test]
async fn administrators_connect_a_page_and_its_instagram_account() {
    let fake = FakeMeta::start().await;
    let server = server_with(&fake).await;
    let (admin, anna) = (server.operator("admin").await, server.operator("anna").await);

    refused(anna.post("/api/integrations/facebook", connection(TOKEN)).await, 403).await;
    let why = refused(admin.post("/api/integrations/facebook", connection("EAAG token")).await, 400).await;
    assert!(why.contains("whole access token"), "{why}");
    let why =
        refused(admin.post("/api/integrations/facebook", connection("EAAJwrongwrongwrongwrongwrong")).await, 400).await;
    assert!(why.contains("does not accept this access token"), "{why}");

    let page = connect(&server, "facebook").await;
    assert_eq!(
        (page.kind, page.name.as_str(), page.handle(), page.link()),
        (ChannelKind::Facebook, "Shop Kyiv", "m.me/shopkyiv".to_string(), "https://m.me/shopkyiv".to_string())
    );
    let setup = page.setup.clone().expect("what to enter in Meta's dashboard");
    assert!(setup.url.starts_with(&format!("{PUBLIC_URL}/api/meta/")), "{}", setup.url);
    assert_eq!(fake.subscriptions()[0].0, PAGE, "the page is subscribed to the app's webhooks");
    assert!(fake.subscriptions()[0].1.contains("message_echoes"));
    let why = refused(admin.post("/api/integrations/facebook", connection(TOKEN)).await, 409).await;
    assert_eq!(why, "Shop Kyiv is already connected to Facebook Messenger.");

    let ig = connect(&server, "instagram").await;
    assert_eq!(
        (ig.kind, ig.name.as_str(), ig.handle(), ig.link()),
        (ChannelKind::Instagram, "@shop.kyiv", "@shop.kyiv".into(), "https://ig.me/m/shop.kyiv".into())
    );
    let overview: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert_eq!((overview.facebook, overview.instagram), (vec![page.clone()], vec![ig.clone()]));

    // A page without an Instagram account cannot connect one.
    fake.add_page("200000000000001", "EAAJsecondPageToken1234567890", "Shop Lviv", "", None);
    let why =
        refused(admin.post("/api/integrations/instagram", connection("EAAJsecondPageToken1234567890")).await, 400)
            .await;
    assert!(why.contains("has no Instagram professional account linked"), "{why}");

    // Meta's handshake: the challenge comes back only with our verify token.
    let path = &setup.url[PUBLIC_URL.len()..];
    let handshake = |token: &str| {
        server.url(&format!("{path}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"))
    };
    let answer = reqwest::get(handshake(&setup.verify_token)).await.unwrap();
    assert_eq!((answer.status().as_u16(), answer.text().await.unwrap().as_str()), (200, "1158201444"));
    assert_eq!(reqwest::get(handshake("guess")).await.unwrap().status(), 403);

    // Disconnected: notifications are refused; reconnected: a new address.
    let id = page.channel_id;
    let off: MessengerBot =
        ok(admin.post(&format!("/api/integrations/facebook/{id}/disconnect"), json!({})).await).await;
    assert!(!off.is_connected() && off.setup.is_none());
    assert_eq!(fake.deliver(&setup.url, SECRET, &text("m_1", "hi")).await, 401);
    refused(admin.post(&format!("/api/integrations/instagram/{id}/reconnect"), json!({})).await, 404).await;
    let again: MessengerBot =
        ok(admin.post(&format!("/api/integrations/facebook/{id}/reconnect"), json!({})).await).await;
    assert!(again.is_connected() && again.channel_id != id);
    assert_ne!(again.setup.unwrap().url, setup.url);
}

#[tokio::test]
async fn forged_notifications_are_refused_retries_stored_once_and_each_page_gets_its_own() {
    let fake = FakeMeta::start().await;
    let server = server_with(&fake).await;
    let hook = connect(&server, "facebook").await.setup.unwrap().url;
    assert_eq!(fake.deliver(&hook, "ffffffffffffffffffffffffffffffff", &text("m_1", "forged")).await, 401);
    let unsigned = reqwest::Client::new().post(server.url(&hook[PUBLIC_URL.len()..])).json(&text("m_1", "x"));
    assert_eq!(unsigned.send().await.unwrap().status(), 401);
    assert_eq!(server.count_sql("SELECT COUNT(*) FROM messages"), 0, "nothing stored");

    for _ in 0..3 {
        assert_eq!(fake.deliver(&hook, SECRET, &text("m_2", "Where is my *order*?")).await, 200);
    }
    // A second page of the same app: Meta delivers its notifications to the app's one
    // callback address, and they go to that page's channel.
    fake.add_page("200000000000001", "EAAJsecondPageToken1234567890", "Shop Lviv", "shoplviv", None);
    let admin = server.operator("admin").await;
    let _: MessengerBot = ok(admin
        .post(
            "/api/integrations/facebook",
            json!({ "page_access_token": "EAAJsecondPageToken1234567890", "app_secret": SECRET }),
        )
        .await)
    .await;
    fake.add_profile("999", json!({ "first_name": "Taras", "last_name": "", "id": "999" }));
    let lviv = notification(
        "page",
        "200000000000001",
        json!([{ "sender": { "id": "999" }, "recipient": { "id": "200000000000001" }, "timestamp": 1,
                 "message": { "mid": "m_lviv", "text": "Hi Lviv" } }]),
    );
    assert_eq!(fake.deliver(&hook, SECRET, &lviv).await, 200);
    let unknown = notification(
        "page",
        "777",
        json!([{ "sender": { "id": "1" }, "recipient": { "id": "777" },
        "message": { "mid": "m_x", "text": "not ours" } }]),
    );
    assert_eq!(fake.deliver(&hook, SECRET, &unknown).await, 200, "acknowledged, not stored");

    let anna = server.operator("anna").await;
    let chat: ChatSnapshot = anna.chat(anna.dialog_of("Olena Koval").await).await;
    assert_eq!(client_texts(&chat), ["Where is my \\*order\\*?"], "once, exactly as written");
    assert_eq!((chat.dialog.channel_kind, chat.dialog.channel_name.as_str()), (ChannelKind::Facebook, "Shop Kyiv"));
    assert!(chat.dialog.reply_until.is_some_and(|t| t > el_server::db::now_ms() + 23 * 3600 * 1000));
    let lviv: ChatSnapshot = anna.chat(anna.dialog_of("Taras").await).await;
    assert_eq!((client_texts(&lviv), lviv.dialog.channel_name.as_str()), (vec!["Hi Lviv"], "Shop Lviv"));
    assert_eq!(server.count_sql("SELECT COUNT(*) FROM messages WHERE author_kind = 'client'"), 2);
}

#[tokio::test]
async fn attachments_are_fetched_and_echoes_from_other_inboxes_are_noted() {
    let fake = FakeMeta::start().await;
    let server = server_with(&fake).await;
    let hook = connect(&server, "facebook").await.setup.unwrap().url;
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64]].concat();
    let url = fake.add_cdn_file("photo.png", &png);
    let gone = fake.url.clone() + "/cdn/gone.pdf";
    let message = from_olena(json!({ "mid": "m_1", "text": "The box", "attachments": [
        { "type": "image", "payload": { "url": url } },
        { "type": "file", "payload": { "url": gone } },
    ] }));
    assert_eq!(fake.deliver(&hook, SECRET, &message).await, 200);
    let anna = server.operator("anna").await;
    let id = anna.dialog_of("Olena Koval").await;
    let chat: ChatSnapshot = anna.chat(id).await;
    let said = chat.messages.iter().find(|m| m.author.is_client()).unwrap();
    assert_eq!(said.attachments.len(), 1);
    assert_eq!((said.attachments[0].content_type.as_str(), said.attachments[0].size), ("image/png", png.len() as u64));
    assert!(
        said.text.starts_with("The box\n\n(“gone.pdf” was not received: Meta did not hand it over"),
        "{}",
        said.text
    );

    // The page answered in Meta Business Suite: a note; our own app's echo: nothing.
    let echo = |mid: &str, app: &str, text: &str| {
        notification(
            "page",
            PAGE,
            json!([{ "sender": { "id": PAGE }, "recipient": { "id": OLENA }, "timestamp": 2,
            "message": { "is_echo": true, "app_id": app.parse::<i64>().unwrap(), "mid": mid, "text": text } }]),
        )
    };
    assert_eq!(fake.deliver(&hook, SECRET, &echo("m_e1", "263902037430900", "We open at 9")).await, 200);
    assert_eq!(fake.deliver(&hook, SECRET, &echo("m_e1", "263902037430900", "We open at 9")).await, 200);
    assert_eq!(fake.deliver(&hook, SECRET, &echo("m_e2", APP_ID, "sent by us")).await, 200);
    let chat: ChatSnapshot = anna.chat(id).await;
    let notes: Vec<&str> = chat.messages.iter().filter(|m| m.notice.is_some()).map(|m| m.text.as_str()).collect();
    assert_eq!(notes, ["Answered in Facebook Messenger outside External Lines: “We open at 9”"]);
}

async fn answered_dialog(fake: &FakeMeta, kind: &str) -> (TestServer, String, Operator, i64) {
    let server = server_with(fake).await;
    let hook = connect(&server, kind).await.setup.unwrap().url;
    let (first, name) = match kind {
        "instagram" => (
            notification(
                "instagram",
                IG,
                json!([{ "sender": { "id": OLENA_IG }, "recipient": { "id": IG },
                "timestamp": 1, "message": { "mid": "ig_in1", "text": "Hello" } }]),
            ),
            "Olena K",
        ),
        _ => (text("m_in1", "Hello"), "Olena Koval"),
    };
    assert_eq!(fake.deliver(&hook, SECRET, &first).await, 200);
    let anna = server.operator("anna").await;
    let id = anna.dialog_of(name).await;
    assert_eq!(anna.reply(id).await.status(), 200);
    (server, hook, anna, id)
}

#[tokio::test]
async fn answers_go_out_in_messenger_formatting_with_files_deliveries_and_reads() {
    let fake = FakeMeta::start().await;
    let (_server, hook, anna, id) = answered_dialog(&fake, "facebook").await;
    fake.fail_next(2, 400, 613, "(#613) Calls to this api have exceeded the rate limit.");
    let sent: Message = ok(anna.send(id, "**Good news**: [track it](https://example.com/t?a=1)", "k-1").await).await;
    let calls = fake.wait_for_sent(1).await;
    assert_eq!((calls[0].from.as_str(), calls[0].token.as_str()), (PAGE, TOKEN));
    assert_eq!(calls[0].body["recipient"]["id"], OLENA);
    assert_eq!(calls[0].body["messaging_type"], "RESPONSE");
    assert_eq!(calls[0].body["message"]["text"], "*Good news*: track it (https://example.com/t?a=1)");
    assert_eq!(fake.calls().len(), 3, "two rate-limited attempts, then the message");
    anna.chat_becomes(id, |c| delivery_of(c, &sent) == Some(Delivery::Sent)).await;

    let mid = calls[0].id.clone().unwrap();
    let event = |body: Value| {
        let mut e = json!({ "sender": { "id": OLENA }, "recipient": { "id": PAGE }, "timestamp": 3 });
        e.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
        notification("page", PAGE, json!([e]))
    };
    let delivered = event(json!({ "delivery": { "mids": [mid], "watermark": el_server::db::now_ms() } }));
    assert_eq!(fake.deliver(&hook, SECRET, &delivered).await, 200);
    anna.chat_becomes(id, |c| c.dialog.client_delivered == Some(sent.id)).await;
    let read = event(json!({ "read": { "watermark": el_server::db::now_ms() } }));
    assert_eq!(fake.deliver(&hook, SECRET, &read).await, 200);
    anna.chat_becomes(id, |c| c.dialog.client_read == Some(sent.id)).await;

    // The client replies to the answer: the reply quotes it.
    assert_eq!(
        fake.deliver(
            &hook,
            SECRET,
            &from_olena(json!({ "mid": "m_in2", "text": "Thanks!",
        "reply_to": { "mid": mid } }))
        )
        .await,
        200
    );
    let chat =
        anna.chat_becomes(id, |c| c.messages.last().is_some_and(|m| m.author.is_client() && m.id.0 > sent.id.0)).await;
    assert_eq!(chat.messages.last().unwrap().text, "> Good news: track it\n\nThanks\\!");

    // Files, fetched by Meta from signed addresses.
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64]].concat();
    let photo: Attachment = ok(anna.upload(id, "plan.png", png.clone()).await).await;
    let pdf: Attachment = ok(anna.upload(id, "invoice.pdf", b"%PDF-1.7 total".to_vec()).await).await;
    let with_files: Message = ok(anna.send_files(id, "", "k-2", &[&photo.id, &pdf.id]).await).await;
    let calls = fake.wait_for_sent(3).await;
    assert_eq!(calls[1].body["message"]["attachment"]["type"], "image");
    assert_eq!(calls[1].fetched, Some((200, png.len())));
    assert_eq!(calls[2].body["message"]["attachment"]["type"], "file");
    assert_eq!(calls[2].fetched, Some((200, 14)));
    anna.chat_becomes(id, |c| delivery_of(c, &with_files) == Some(Delivery::Sent)).await;

    // Meta refuses outside the 24 hours (a clock apart from ours): the reason says so.
    fake.fail_next_with(1, 400, 10, 2018278, "(#10) This message is sent outside of allowed window.");
    let late: Message = ok(anna.send(id, "Still there?", "k-3").await).await;
    let chat = anna.chat_becomes(id, |c| matches!(delivery_of(c, &late), Some(Delivery::Failed { .. }))).await;
    assert!(matches!(delivery_of(&chat, &late), Some(Delivery::Failed { reason }) if reason.contains("24 hours")));
}

#[tokio::test]
async fn instagram_answers_are_plain_text_and_seen_by_message() {
    let fake = FakeMeta::start().await;
    let (server, hook, anna, id) = answered_dialog(&fake, "instagram").await;
    let chat: ChatSnapshot = anna.chat(id).await;
    assert_eq!(chat.dialog.channel_kind, ChannelKind::Instagram);
    let sent: Message = ok(anna.send(id, "**New** drop: *today*", "k-1").await).await;
    let calls = fake.wait_for_sent(1).await;
    assert_eq!((calls[0].from.as_str(), calls[0].body["recipient"]["id"].as_str()), (PAGE, Some(OLENA_IG)));
    assert_eq!(calls[0].body["message"]["text"], "New drop: today");
    let mid = calls[0].id.clone().unwrap();
    let seen = notification(
        "instagram",
        IG,
        json!([{ "sender": { "id": OLENA_IG }, "recipient": { "id": IG },
        "timestamp": 4, "read": { "mid": mid } }]),
    );
    assert_eq!(fake.deliver(&hook, SECRET, &seen).await, 200);
    anna.chat_becomes(id, |c| c.dialog.client_read == Some(sent.id)).await;

    // A PDF is not something Instagram takes: the operator reads why.
    let pdf: Attachment = ok(anna.upload(id, "invoice.pdf", b"%PDF-1.7 total".to_vec()).await).await;
    let with_pdf: Message = ok(anna.send_files(id, "", "k-2", &[&pdf.id]).await).await;
    let chat = anna.chat_becomes(id, |c| matches!(delivery_of(c, &with_pdf), Some(Delivery::Failed { .. }))).await;
    assert!(
        matches!(delivery_of(&chat, &with_pdf), Some(Delivery::Failed { reason }) if reason.contains("only pictures"))
    );

    // After 24 hours, answers are refused until the client writes again.
    let day_ago = el_server::db::now_ms() - 25 * 3600 * 1000;
    server.execute_sql(&format!(
        "UPDATE client_accounts SET last_inbound_at = {day_ago} WHERE external_id = '{OLENA_IG}'"
    ));
    let why = refused(anna.send(id, "Still there?", "k-3").await, 409).await;
    assert!(why.contains("More than 24 hours have passed"), "{why}");
}
