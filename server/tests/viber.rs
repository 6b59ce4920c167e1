//! Viber as a channel, against the fake REST bot API: connecting bots (Viber checks the
//! webhook at once), signed callbacks (forged ones refused, retries stored once), each
//! kind of message and file, and the outbox (Viber's formatting, files fetched from
//! signed addresses, rate limits, receipts, failures, unsubscribed clients).

mod common;

use common::{delivery_of, ok, refused, Operator, TestServer};
use el_fake_viber::FakeViber;
use el_protocol::api::{Attachment, ChannelKind, ChatSnapshot, Delivery, Message};
use el_protocol::integrations::{IntegrationsOverview, MessengerBot};
use serde_json::{json, Value};

const TOKEN: &str = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f";
const PUBLIC_URL: &str = "https://inbox.example.com";
/// The client's Viber id.
const JOHN: &str = "01234567890A=";

/// A server that talks to `fake`, which reaches it at its public address.
async fn server_with(fake: &FakeViber) -> TestServer {
    let api = fake.url.clone();
    let server = TestServer::start_with(move |c| {
        c.viber_api = api;
        c.public_url = Some(PUBLIC_URL.into());
        c.outbox_retry_ms = 50;
    })
    .await;
    fake.reach(PUBLIC_URL, server.url("").trim_end_matches('/'));
    server
}

async fn connect(server: &TestServer) -> (Operator, MessengerBot) {
    let admin = server.operator("admin").await;
    let bot: MessengerBot = ok(admin.post("/api/integrations/viber", json!({ "token": TOKEN })).await).await;
    (admin, bot)
}

fn message(token: u64, from: &str, name: &str, body: Value) -> Value {
    json!({
        "event": "message", "timestamp": 1457764197627u64, "chat_hostname": "SN-376_", "message_token": token,
        "sender": { "id": from, "name": name, "avatar": "http://avatar.example.com", "country": "UK",
                    "language": "en", "api_version": 1 },
        "message": body, "silent": false
    })
}

fn text(token: u64, body: &str) -> Value {
    message(token, JOHN, "John McClane", json!({ "type": "text", "text": body }))
}

fn event(name: &str, token: u64) -> Value {
    json!({ "event": name, "timestamp": 1457764197627u64, "chat_hostname": "SN-376_", "message_token": token,
            "user_id": JOHN })
}

/// Viber's token of a message it took, as the server keeps it.
fn external_id(server: &TestServer, message: &Message) -> u64 {
    server.count_sql(&format!("SELECT CAST(external_id AS BIGINT) FROM messages WHERE id = {}", message.id.0)) as u64
}

#[tokio::test]
async fn administrators_connect_disconnect_and_reconnect_viber_bots() {
    let fake = FakeViber::start().await;
    fake.add_bot(TOKEN, "pa:75346594275468546724", "Shop helper", "shophelper");
    let server = server_with(&fake).await;
    let (admin, anna) = (server.operator("admin").await, server.operator("anna").await);

    refused(anna.post("/api/integrations/viber", json!({ "token": TOKEN })).await, 403).await;
    let why = refused(admin.post("/api/integrations/viber", json!({ "token": "my bot" })).await, 400).await;
    assert!(why.contains("not a Viber bot token"), "{why}");
    let unknown = "0000000000000000-e02c5f12174805f9-daec9cbb5448c51f";
    let why = refused(admin.post("/api/integrations/viber", json!({ "token": unknown })).await, 400).await;
    assert!(why.contains("does not accept this token"), "{why}");
    assert!(fake.calls("set_webhook").is_empty(), "nothing registered for a refused token");

    let bot: MessengerBot =
        ok(admin.post("/api/integrations/viber", json!({ "token": format!(" {TOKEN} ") })).await).await;
    assert_eq!((bot.kind, bot.name.as_str(), bot.username.as_str()), (ChannelKind::Viber, "Shop helper", "shophelper"));
    assert_eq!(bot.link(), "viber://pa?chatURI=shophelper");
    let hook = fake.webhook(TOKEN);
    assert!(hook.starts_with(&format!("{PUBLIC_URL}/api/viber/")), "{hook}");
    let set = fake.calls("set_webhook").pop().unwrap();
    assert!(set.succeeded, "Viber's check of the address was answered");
    assert_eq!(set.params["event_types"], json!(["delivered", "seen", "failed", "subscribed", "unsubscribed"]));
    let why = refused(admin.post("/api/integrations/viber", json!({ "token": TOKEN })).await, 409).await;
    assert_eq!(why, "The Viber bot “Shop helper” is already connected.");
    let overview: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert_eq!(overview.viber, std::slice::from_ref(&bot));
    assert!(overview.telegram.is_empty());
    assert_eq!(fake.deliver(TOKEN, TOKEN, &text(1, "hi")).await, 200);

    // What keeps Viber from delivering shows on the bot.
    let problem = |o: IntegrationsOverview| o.viber[0].problem.clone().unwrap_or_default();
    fake.take_webhook(TOKEN, "https://elsewhere.example.com/hook");
    let shown = problem(ok(admin.get("/api/integrations").await).await);
    assert!(shown.contains("delivers this bot's messages elsewhere"), "{shown}");

    // Disconnected: callbacks are refused, the chat stays, answers are refused clearly.
    fake.take_webhook(TOKEN, &hook);
    let id = bot.channel_id;
    let off: MessengerBot = ok(admin.post(&format!("/api/integrations/viber/{id}/disconnect"), json!({})).await).await;
    assert!(!off.is_connected());
    assert_eq!(off.dialogs, 1);
    assert_eq!(fake.calls("set_webhook").last().unwrap().params["url"], "", "the webhook was removed");
    fake.take_webhook(TOKEN, &hook);
    assert_eq!(fake.deliver(TOKEN, TOKEN, &text(2, "still there?")).await, 401);
    let dialog = anna.dialog_of("John McClane").await;
    assert_eq!(anna.reply(dialog).await.status(), 200);
    let why = refused(anna.send(dialog, "Hello", "k-1").await, 409).await;
    assert!(why.contains("bot is disconnected"), "{why}");

    // Reconnected: a new channel with a new address; the revoked token shows as a problem.
    let again: MessengerBot = ok(admin.post(&format!("/api/integrations/viber/{id}/reconnect"), json!({})).await).await;
    assert!(again.is_connected() && again.channel_id != id);
    assert_ne!(fake.webhook(TOKEN), hook, "a new webhook address");
    fake.revoke(TOKEN);
    let shown = problem(ok(admin.get("/api/integrations").await).await);
    assert!(shown.contains("no longer accepts this bot's token"), "{shown}");
}

#[tokio::test]
async fn a_webhook_viber_cannot_reach_leaves_no_channel_behind() {
    let fake = FakeViber::start().await;
    fake.add_bot(TOKEN, "pa:1", "Shop helper", "shophelper");
    let server = server_with(&fake).await;
    fake.reach(PUBLIC_URL, "http://127.0.0.1:9");
    let admin = server.operator("admin").await;
    let why = refused(admin.post("/api/integrations/viber", json!({ "token": TOKEN })).await, 400).await;
    assert!(why.contains("Viber refused to set the webhook"), "{why}");
    assert_eq!(server.count_sql("SELECT COUNT(*) FROM channels WHERE kind = 'viber'"), 0);
    let overview: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert!(overview.viber.is_empty());

    let server_without = TestServer::start_with(|c| c.viber_api = fake.url.clone()).await;
    let admin = server_without.operator("admin").await;
    let why = refused(admin.post("/api/integrations/viber", json!({ "token": TOKEN })).await, 409).await;
    assert!(why.contains("PUBLIC_URL"), "{why}");
}

#[tokio::test]
async fn forged_callbacks_are_refused_and_retries_are_stored_once() {
    let fake = FakeViber::start().await;
    fake.add_bot(TOKEN, "pa:1", "Shop helper", "shophelper");
    let server = server_with(&fake).await;
    connect(&server).await;
    let forged = "ffffffffffffffff-e02c5f12174805f9-daec9cbb5448c51f";
    assert_eq!(fake.deliver(TOKEN, forged, &text(1, "forged")).await, 401);
    let unsigned =
        reqwest::Client::new().post(server.url(&fake.webhook(TOKEN)[PUBLIC_URL.len()..])).json(&text(1, "x"));
    assert_eq!(unsigned.send().await.unwrap().status(), 401);
    assert_eq!(server.count_sql("SELECT COUNT(*) FROM messages"), 0, "nothing stored");

    for _ in 0..3 {
        assert_eq!(fake.deliver(TOKEN, TOKEN, &text(10, "Where is my order?")).await, 200);
    }
    let anna = server.operator("anna").await;
    let chat: ChatSnapshot = anna.chat(anna.dialog_of("John McClane").await).await;
    let said: Vec<&str> = chat.messages.iter().filter(|m| m.author.is_client()).map(|m| m.text.as_str()).collect();
    assert_eq!(said, ["Where is my order?"], "Viber's retries are one message");
    assert_eq!(chat.dialog.channel_kind, ChannelKind::Viber);
    assert_eq!(
        fake.deliver(
            TOKEN,
            TOKEN,
            &json!({"event": "conversation_started", "message_token": 11,
        "type": "open", "user": {"id": "x", "name": "Visitor"}, "subscribed": false})
        )
        .await,
        200
    );
    assert_eq!(fake.deliver(TOKEN, TOKEN, &json!({"not": "viber"})).await, 400);
}

#[tokio::test]
async fn clients_files_are_fetched_and_what_cannot_be_becomes_a_note() {
    let fake = FakeViber::start().await;
    fake.add_bot(TOKEN, "pa:1", "Shop helper", "shophelper");
    let server = server_with(&fake).await;
    connect(&server).await;
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64]].concat();
    let media = fake.host_media("photo-1.jpg", &png);
    let picture = message(
        1,
        JOHN,
        "John McClane",
        json!({ "type": "picture", "text": "The box *arrived* broken", "media": media }),
    );
    assert_eq!(fake.deliver(TOKEN, TOKEN, &picture).await, 200);
    let big = message(
        2,
        JOHN,
        "John McClane",
        json!({ "type": "file", "media": fake.host_media("v", b"x"),
        "size": 900_000_000u64, "file_name": "unboxing.mp4" }),
    );
    assert_eq!(fake.deliver(TOKEN, TOKEN, &big).await, 200);
    let gone = message(
        3,
        JOHN,
        "John McClane",
        json!({ "type": "file", "media": format!("{}/media/expired", fake.url),
        "size": 10, "file_name": "scan.pdf" }),
    );
    assert_eq!(fake.deliver(TOKEN, TOKEN, &gone).await, 200);
    let location =
        message(4, JOHN, "John McClane", json!({ "type": "location", "location": { "lat": 50.45, "lon": 30.52 } }));
    assert_eq!(fake.deliver(TOKEN, TOKEN, &location).await, 200);

    let anna = server.operator("anna").await;
    let chat: ChatSnapshot = anna.chat(anna.dialog_of("John McClane").await).await;
    let said: Vec<&Message> = chat.messages.iter().filter(|m| m.author.is_client()).collect();
    assert_eq!(said.len(), 4);
    assert_eq!(said[0].text, "The box \\*arrived\\* broken", "shown exactly as written");
    assert_eq!(said[0].attachments.len(), 1);
    assert_eq!(
        (said[0].attachments[0].content_type.as_str(), said[0].attachments[0].size),
        ("image/png", png.len() as u64)
    );
    assert!(server.has_file(&said[0].attachments[0].id));
    assert!(said[1].attachments.is_empty());
    assert!(said[1].text.starts_with("(“unboxing.mp4” was not received: it is larger than"), "{}", said[1].text);
    assert_eq!(
        said[2].text,
        "(“scan.pdf” was not received: Viber did not hand it over (HTTP 404). Ask the client to send it another way.)"
    );
    assert!(said[3].text.starts_with("📍 Location: [50.45000, 30.52000]"), "{}", said[3].text);
}

/// A server with John's dialog taken by Anna.
async fn answered_dialog(fake: &FakeViber) -> (TestServer, Operator, i64) {
    fake.add_bot(TOKEN, "pa:1", "Shop helper", "shophelper");
    let server = server_with(fake).await;
    connect(&server).await;
    assert_eq!(fake.deliver(TOKEN, TOKEN, &text(1, "Hello")).await, 200);
    let anna = server.operator("anna").await;
    let id = anna.dialog_of("John McClane").await;
    assert_eq!(anna.reply(id).await.status(), 200);
    (server, anna, id)
}

#[tokio::test]
async fn answers_go_out_in_viber_formatting_with_files_and_receipts() {
    let fake = FakeViber::start().await;
    let (server, anna, id) = answered_dialog(&fake).await;
    fake.fail_next("send_message", 2, 12, "tooManyRequests");
    let sent: Message = ok(anna
        .send(id, "**Good news**: it ships <b>tomorrow</b> & [track it](https://example.com/t?a=1)", "k-1")
        .await)
    .await;
    assert_eq!(sent.delivery, Some(Delivery::Sending));
    let calls = fake.wait_for_sent(1).await;
    assert_eq!(calls[0].params["receiver"], JOHN);
    assert_eq!(calls[0].params["sender"]["name"], "Shop helper");
    assert_eq!(calls[0].params["type"], "text");
    assert_eq!(calls[0].params["text"], "*Good news*: it ships <b>tomorrow</b> & track it (https://example.com/t?a=1)");
    assert_eq!(fake.calls("send_message").len(), 3, "two rate-limited attempts, then the message");
    anna.chat_becomes(id, |c| delivery_of(c, &sent) == Some(Delivery::Sent)).await;

    // Viber's receipts show on the message.
    let token = external_id(&server, &sent);
    assert_eq!(Some(token), calls[0].message_token, "the message is known by the token Viber gave it");
    assert_eq!(fake.deliver(TOKEN, TOKEN, &event("delivered", token)).await, 200);
    anna.chat_becomes(id, |c| c.dialog.client_delivered == Some(sent.id)).await;
    assert_eq!(fake.deliver(TOKEN, TOKEN, &event("seen", token)).await, 200);
    anna.chat_becomes(id, |c| c.dialog.client_read == Some(sent.id)).await;

    // Files: a small image as a picture, a PDF as a file, each fetched from a signed address.
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64]].concat();
    let photo: Attachment = ok(anna.upload(id, "plan.png", png.clone()).await).await;
    let pdf: Attachment = ok(anna.upload(id, "invoice.pdf", b"%PDF-1.7 total".to_vec()).await).await;
    let with_files: Message = ok(anna.send_files(id, "", "k-2", &[&photo.id, &pdf.id]).await).await;
    let calls = fake.wait_for_sent(3).await;
    assert_eq!(calls[1].params["type"], "picture");
    assert!(calls[1].params["media"].as_str().unwrap().ends_with("/plan.png"));
    assert_eq!(calls[1].fetched, Some((200, png.len())), "Viber could fetch the picture");
    assert_eq!(calls[2].params["type"], "file");
    assert_eq!(
        (calls[2].params["file_name"].as_str(), calls[2].params["size"].as_u64()),
        (Some("invoice.pdf"), Some(14))
    );
    assert_eq!(calls[2].fetched, Some((200, 14)));
    anna.chat_becomes(id, |c| delivery_of(c, &with_files) == Some(Delivery::Sent)).await;
    // The address opens only with its signature.
    let path = calls[2].params["media"].as_str().unwrap()[PUBLIC_URL.len()..].to_string();
    let status = |path: String| reqwest::get(server.url(&path));
    assert_eq!(status(path.clone()).await.unwrap().status(), 200);
    assert_eq!(
        status(path.replace("/invoice.pdf", "/x.pdf")).await.unwrap().status(),
        200,
        "the name is only for Viber"
    );
    let other = status(path.replace(&pdf.id, &photo.id)).await.unwrap();
    assert_eq!(other.status(), 404, "a signature opens its own file only");
}

#[tokio::test]
async fn refusals_and_failures_read_as_reasons_and_unsubscribed_clients_are_not_written_to() {
    let fake = FakeViber::start().await;
    let (_server, anna, id) = answered_dialog(&fake).await;

    // The client unsubscribed, and Viber refuses what was sent meanwhile.
    fake.unsubscribe(JOHN);
    let refused_msg: Message = ok(anna.send(id, "Hello?", "k-2").await).await;
    let chat = anna.chat_becomes(id, |c| matches!(delivery_of(c, &refused_msg), Some(Delivery::Failed { .. }))).await;
    assert_eq!(
        delivery_of(&chat, &refused_msg),
        Some(Delivery::Failed { reason: "Not delivered: the client has unsubscribed from the bot.".into() })
    );
    assert_eq!(fake.deliver(TOKEN, TOKEN, &event("unsubscribed", 99)).await, 200);
    let chat = anna.chat_becomes(id, |c| c.messages.last().is_some_and(|m| m.text.contains("unsubscribed"))).await;
    assert!(chat.messages.last().unwrap().notice.is_some(), "a system note says so");
    let why = refused(anna.send(id, "Anyone?", "k-3").await, 409).await;
    assert!(why.contains("unsubscribed from this bot"), "{why}");

    // Writing subscribes them again.
    assert_eq!(fake.deliver(TOKEN, TOKEN, &text(100, "Sorry, I'm back")).await, 200);
    let back: Message = ok(anna.send(id, "Welcome back", "k-4").await).await;
    assert_eq!(back.delivery, Some(Delivery::Sending));
}

#[tokio::test]
async fn a_failed_callback_marks_the_message_failed_with_viber_s_words() {
    let fake = FakeViber::start().await;
    let (server, anna, id) = answered_dialog(&fake).await;
    let sent: Message = ok(anna.send(id, "Your code is 1234", "k-1").await).await;
    fake.wait_for_sent(1).await;
    anna.chat_becomes(id, |c| delivery_of(c, &sent) == Some(Delivery::Sent)).await;
    let mut failed = event("failed", external_id(&server, &sent));
    failed["desc"] = json!("failure description");
    assert_eq!(fake.deliver(TOKEN, TOKEN, &failed).await, 200);
    let chat = anna.chat_becomes(id, |c| matches!(delivery_of(c, &sent), Some(Delivery::Failed { .. }))).await;
    assert_eq!(
        delivery_of(&chat, &sent),
        Some(Delivery::Failed { reason: "Not delivered: Viber answered “failure description”.".into() })
    );
}
