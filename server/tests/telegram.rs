//! Telegram as a channel, against the fake Bot API: connecting bots, the webhook (its
//! secret, duplicates, a failing database, each kind of update), clients known across
//! bots, and the outbox (formatting, rate limits, outages, refusals, restarts).

mod common;

use common::{ok, refused, Operator, TestServer};
use el_fake_telegram::{FakeTelegram, Reply};
use el_protocol::api::{ChannelKind, ChatSnapshot, Delivery, DialogState, Message};
use el_protocol::crm::{Connections, Entity, Linked, RecordList};
use el_protocol::events::{Event, UserEvent};
use el_protocol::integrations::{IntegrationsOverview, MessengerBot};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const TOKEN: &str = "111111:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const SECOND_TOKEN: &str = "222222:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const PUBLIC_URL: &str = "https://inbox.example.com";
/// The client's Telegram user id (and their private chat's id).
const OLENA: i64 = 5550001;

/// A server that talks to `fake` and retries quickly.
async fn server_with(fake: &FakeTelegram) -> TestServer {
    let api = fake.url.clone();
    TestServer::start_with(move |c| {
        c.telegram_api = api;
        c.public_url = Some(PUBLIC_URL.into());
        c.outbox_retry_ms = 50;
    })
    .await
}

/// A connected bot as the webhook sees it: its path and secret, read from the
/// `setWebhook` call the server made.
struct Hook {
    url: String,
    secret: String,
    bot: MessengerBot,
}

async fn connect(fake: &FakeTelegram, server: &TestServer, admin: &Operator, token: &str) -> Hook {
    let bot: MessengerBot = ok(admin.post("/api/integrations/telegram", json!({ "token": token })).await).await;
    hook_of(fake, server, token.trim(), bot)
}

fn hook_of(fake: &FakeTelegram, server: &TestServer, token: &str, bot: MessengerBot) -> Hook {
    let call = fake.calls("setWebhook").into_iter().rfind(|c| c.token == token).expect("setWebhook called");
    let registered = call.params["url"].as_str().unwrap();
    let path = registered.strip_prefix(PUBLIC_URL).expect("the webhook is under the public URL");
    Hook { url: server.url(path), secret: call.params["secret_token"].as_str().unwrap().to_string(), bot }
}

impl Hook {
    async fn post(&self, update: Value) -> reqwest::Response {
        self.post_with(Some(&self.secret), update).await
    }

    async fn post_with(&self, secret: Option<&str>, update: Value) -> reqwest::Response {
        let mut request = reqwest::Client::new().post(&self.url).json(&update);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        request.send().await.unwrap()
    }
}

fn from(id: i64, first: &str, username: &str) -> Value {
    json!({ "id": id, "is_bot": false, "first_name": first, "last_name": "Koval", "username": username })
}

fn message(update_id: i64, message_id: i64, user: i64, content: Value) -> Value {
    let mut m = json!({ "message_id": message_id, "date": 1_700_000_000,
        "from": from(user, "Olena", "olena_k"), "chat": { "id": user, "type": "private", "first_name": "Olena" } });
    m.as_object_mut().unwrap().extend(content.as_object().unwrap().clone());
    json!({ "update_id": update_id, "message": m })
}

fn text(update_id: i64, message_id: i64, body: &str) -> Value {
    message(update_id, message_id, OLENA, json!({ "text": body }))
}

fn count(server: &TestServer, sql: &str) -> i64 {
    server.count_sql(sql)
}

/// Waits until the message's delivery is `wanted`.
async fn delivery_becomes(op: &Operator, dialog: i64, message: i64, wanted: fn(&Delivery) -> bool) -> Message {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let chat: ChatSnapshot = op.chat(dialog).await;
        let m = chat.messages.into_iter().find(|m| m.id.0 == message).expect("the message");
        if m.delivery.as_ref().is_some_and(wanted) {
            return m;
        }
        assert!(Instant::now() < deadline, "delivery stayed {:?}", m.delivery);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

#[tokio::test]
async fn administrators_connect_disconnect_and_reconnect_bots() {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN, 111111, "Shop helper", "shop_helper_bot");
    let server = server_with(&fake).await;
    let (admin, anna) = (server.operator("admin").await, server.operator("anna").await);

    refused(anna.post("/api/integrations/telegram", json!({ "token": TOKEN })).await, 403).await;
    refused(anna.get("/api/integrations").await, 403).await;
    let why = refused(admin.post("/api/integrations/telegram", json!({ "token": "my bot" })).await, 400).await;
    assert!(why.contains("not a bot token"), "{why}");
    let unknown = "999:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    let why = refused(admin.post("/api/integrations/telegram", json!({ "token": unknown })).await, 400).await;
    assert!(why.contains("does not accept this token"), "{why}");
    assert!(fake.calls("setWebhook").is_empty(), "nothing registered for a refused token");

    let hook = connect(&fake, &server, &admin, &format!("  {TOKEN} ")).await;
    assert_eq!((hook.bot.name.as_str(), hook.bot.username.as_str()), ("Shop helper", "shop_helper_bot"));
    assert!(hook.bot.is_connected());
    let call = fake.calls("setWebhook").pop().unwrap();
    assert_eq!(call.params["allowed_updates"], json!(["message", "edited_message"]));
    assert!(hook.secret.len() >= 32, "a random secret");
    let why = refused(admin.post("/api/integrations/telegram", json!({ "token": TOKEN })).await, 409).await;
    assert_eq!(why, "@shop_helper_bot is already connected.");
    let overview: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert_eq!(overview.telegram, std::slice::from_ref(&hook.bot));
    assert_eq!(overview.public_url.as_deref(), Some(PUBLIC_URL));
    assert_eq!(hook.post(text(1, 1, "hi")).await.status(), 200);

    // What keeps Telegram from delivering shows on the bot.
    let problem = |o: IntegrationsOverview| o.telegram[0].problem.clone().unwrap_or_default();
    fake.fail_deliveries(Some("Connection refused"));
    let o: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    let shown = problem(o);
    assert!(shown.contains("“Connection refused”. 3 message(s) wait"), "{shown}");
    fake.take_webhook(TOKEN, "https://elsewhere.example.com/hook");
    let o: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert!(problem(o).contains("another server took its webhook"));
    fake.fail_deliveries(None);
    fake.take_webhook(TOKEN, call.params["url"].as_str().unwrap());
    let o: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert_eq!(o.telegram[0].problem, None);

    let id = hook.bot.channel_id.0;
    let off: MessengerBot =
        ok(admin.post(&format!("/api/integrations/telegram/{id}/disconnect"), json!({})).await).await;
    assert!(!off.is_connected());
    assert_eq!(off.dialogs, 1);
    assert_eq!(fake.calls("deleteWebhook").len(), 1);
    assert_eq!(hook.post(text(2, 2, "anyone?")).await.status(), 401, "a disconnected bot's webhook is closed");
    refused(admin.post(&format!("/api/integrations/telegram/{id}/disconnect"), json!({})).await, 409).await;

    let again: MessengerBot =
        ok(admin.post(&format!("/api/integrations/telegram/{id}/reconnect"), json!({})).await).await;
    assert_ne!(again.channel_id, hook.bot.channel_id, "a reconnected bot is a new channel");
    let rehook = hook_of(&fake, &server, TOKEN, again.clone());
    assert_ne!(rehook.secret, hook.secret);
    assert_ne!(rehook.url, hook.url);
    let overview: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert_eq!(overview.telegram, [again], "one entry per bot, its newest channel");

    // A revoked token cannot be reconnected.
    let reid = rehook.bot.channel_id.0;
    ok::<MessengerBot>(admin.post(&format!("/api/integrations/telegram/{reid}/disconnect"), json!({})).await).await;
    fake.revoke(TOKEN);
    let why = refused(admin.post(&format!("/api/integrations/telegram/{reid}/reconnect"), json!({})).await, 400).await;
    assert!(why.contains("@BotFather"), "{why}");
}

#[tokio::test]
async fn without_a_public_address_bots_cannot_be_connected() {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN, 111111, "Shop helper", "shop_helper_bot");
    let api = fake.url.clone();
    let server = TestServer::start_with(move |c| c.telegram_api = api).await;
    let admin = server.operator("admin").await;
    let why = refused(admin.post("/api/integrations/telegram", json!({ "token": TOKEN })).await, 409).await;
    assert!(why.contains("PUBLIC_URL"), "{why}");
    let overview: IntegrationsOverview = ok(admin.get("/api/integrations").await).await;
    assert_eq!(overview.public_url, None);
}

#[tokio::test]
async fn the_webhook_refuses_forged_or_missing_secrets_and_stores_nothing() {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN, 111111, "Shop helper", "shop_helper_bot");
    let server = server_with(&fake).await;
    let hook = connect(&fake, &server, &server.operator("admin").await, TOKEN).await;
    let before = count(&server, "SELECT COUNT(*) FROM events");
    assert_eq!(hook.post_with(None, text(1, 1, "no secret")).await.status(), 401);
    assert_eq!(hook.post_with(Some("forged"), text(1, 1, "forged")).await.status(), 401);
    assert_eq!(hook.post_with(Some(""), text(1, 1, "empty")).await.status(), 401);
    let other_path =
        Hook { url: server.url("/api/telegram/not-a-bot"), secret: hook.secret.clone(), bot: hook.bot.clone() };
    assert_eq!(other_path.post(text(1, 1, "wrong path")).await.status(), 401);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM telegram_updates"), 0);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM clients WHERE name LIKE 'Olena%'"), 0);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM events"), before);
    // With the secret, the same update is taken.
    assert_eq!(hook.post(text(1, 1, "real")).await.status(), 200);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM telegram_updates"), 1);
}

#[tokio::test]
async fn updates_become_live_dialogs_once_with_files_and_edits() {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN, 111111, "Shop helper", "shop_helper_bot");
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[7u8; 200]].concat();
    fake.add_file("photo-large", &png);
    fake.add_file("voice-1", b"OggS\x00\x02rest-of-a-voice-note");
    let server = server_with(&fake).await;
    let hook = connect(&fake, &server, &server.operator("admin").await, TOKEN).await;
    let anna = server.operator("anna").await;
    let mut socket = anna.socket(anna.inbox().await.as_of).await;
    let _ = socket.replay().await;

    assert_eq!(hook.post(text(100, 10, "Hello, do you ship to Lviv?")).await.status(), 200);
    let (_, event) = socket.event().await;
    let Event::MessageCreated { dialog, message: first } = event.event else { panic!("{event:?}") };
    assert_eq!(dialog.state, DialogState::Unassigned);
    assert_eq!((dialog.client_name.as_str(), dialog.channel_kind), ("Olena Koval", ChannelKind::Telegram));
    assert_eq!(dialog.channel_name, "Shop helper");
    assert!(dialog.channel_connected);
    assert_eq!(first.text, "Hello, do you ship to Lviv?");
    let id = dialog.id.0;

    // Telegram delivers the same update again: acknowledged, not stored.
    assert_eq!(hook.post(text(100, 10, "Hello, do you ship to Lviv?")).await.status(), 200);
    assert!(socket.quiet_for(300).await, "no event for a repeated update");

    let photo = message(
        101,
        11,
        OLENA,
        json!({
            "photo": [{ "file_id": "photo-small", "file_unique_id": "s", "width": 90, "height": 90 },
                      { "file_id": "photo-large", "file_unique_id": "l", "width": 800, "height": 800 }],
            "caption": "The **box** came broken"
        }),
    );
    assert_eq!(hook.post(photo).await.status(), 200);
    let voice =
        message(102, 12, OLENA, json!({ "voice": { "file_id": "voice-1", "file_unique_id": "v", "duration": 3 } }));
    assert_eq!(hook.post(voice).await.status(), 200);
    let edit = json!({ "update_id": 103, "edited_message": {
        "message_id": 10, "date": 1_700_000_000, "edit_date": 1_700_000_100, "from": from(OLENA, "Olena", "olena_k"),
        "chat": { "id": OLENA, "type": "private" }, "text": "Hello, do you ship to Lviv and Kyiv?" } });
    assert_eq!(hook.post(edit).await.status(), 200);
    let callback = json!({ "update_id": 104, "callback_query": { "id": "1", "from": from(OLENA, "Olena", "olena_k"), "data": "x" } });
    assert_eq!(hook.post(callback).await.status(), 200, "unhandled updates are acknowledged");
    let garbage = reqwest::Client::new()
        .post(&hook.url)
        .header("X-Telegram-Bot-Api-Secret-Token", &hook.secret)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);

    let chat = anna.chat(id).await;
    let said: Vec<&Message> = chat.messages.iter().filter(|m| m.author.is_client()).collect();
    assert_eq!(said.len(), 3, "{said:?}");
    assert_eq!(said[0].text, "Hello, do you ship to Lviv and Kyiv?");
    assert_eq!(
        said[0].edit.as_ref().map(|e| (e.original.as_str(), e.at)),
        Some(("Hello, do you ship to Lviv?", 1_700_000_100_000))
    );
    // The client typed the asterisks: they show as written, not as bold.
    assert_eq!(el_protocol::markdown::to_plain_text(&said[1].text), "The **box** came broken");
    assert!(!el_protocol::markdown::to_safe_html(&said[1].text, "").contains("<strong>"));
    assert_eq!(said[1].attachments.len(), 1);
    assert_eq!(
        (said[1].attachments[0].name.as_str(), said[1].attachments[0].content_type.as_str()),
        ("photo.jpg", "image/png")
    );
    let file = anna.get(&format!("/api/files/{}", said[1].attachments[0].id)).await;
    assert_eq!(file.status(), 200);
    assert_eq!(file.bytes().await.unwrap().to_vec(), png);
    assert_eq!(said[2].attachments[0].content_type, "audio/ogg");
    assert_eq!(said[2].attachments[0].name, "voice.ogg");
    // The edit reached the socket as a change of the message.
    let mut updated = None;
    for _ in 0..4 {
        let (_, e) = socket.event().await;
        if let Event::MessageUpdated { message, .. } = e.event {
            updated = Some(message);
            break;
        }
    }
    assert_eq!(updated.expect("an update event").text, "Hello, do you ship to Lviv and Kyiv?");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM uploads"), 0, "delivered files all joined their message");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM client_accounts WHERE display_name = '@olena_k'"), 1);
}

#[tokio::test]
async fn a_failing_database_answers_non_2xx_and_the_retry_stores_once() {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN, 111111, "Shop helper", "shop_helper_bot");
    fake.add_file("doc-1", b"%PDF-1.7 an invoice");
    let server = server_with(&fake).await;
    let hook = connect(&fake, &server, &server.operator("admin").await, TOKEN).await;
    server.execute_sql(if server.on_postgres() {
        "CREATE FUNCTION broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'disk I/O error'; END $$;
         CREATE TRIGGER broken BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION broken();"
    } else {
        "CREATE TRIGGER broken BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;"
    });
    let update = message(
        200,
        20,
        OLENA,
        json!({
            "document": { "file_id": "doc-1", "file_unique_id": "d", "file_name": "invoice.pdf" }, "caption": "My invoice"
        }),
    );
    let failed = hook.post(update.clone()).await;
    assert_eq!(failed.status(), 500);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM telegram_updates"), 0, "the update is not marked as received");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM clients WHERE name = 'Olena Koval'"), 0);
    let on_disk = || server.stored_files();
    assert_eq!(on_disk(), 0, "the fetched file went with the failed transaction");

    server.execute_sql(if server.on_postgres() { "DROP TRIGGER broken ON messages" } else { "DROP TRIGGER broken" });
    assert_eq!(hook.post(update.clone()).await.status(), 200, "Telegram's retry is stored");
    assert_eq!(hook.post(update).await.status(), 200, "and a further retry ignored");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM messages WHERE body = 'My invoice'"), 1);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM files WHERE name = 'invoice.pdf'"), 1);
    assert_eq!(on_disk(), 1);
}

#[tokio::test]
async fn a_second_bot_or_a_reconnected_one_opens_a_new_dialog_for_the_same_client_and_lead() {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN, 111111, "Shop helper", "shop_helper_bot");
    fake.add_bot(SECOND_TOKEN, 222222, "Service desk", "service_desk_bot");
    let server = server_with(&fake).await;
    let admin = server.operator("admin").await;
    let (shop, desk) =
        (connect(&fake, &server, &admin, TOKEN).await, connect(&fake, &server, &admin, SECOND_TOKEN).await);
    let anna = server.operator("anna").await;

    assert_eq!(shop.post(text(1, 1, "Hi shop")).await.status(), 200);
    let first = anna.dialog_of("Olena Koval").await;
    assert_eq!(anna.reply(first).await.status(), 200);
    let lead: Connections = ok(anna.post(&format!("/api/dialogs/{first}/crm/lead"), json!({})).await).await;
    let lead_id = match &lead.linked[..] {
        [Linked::Shown { record }] if record.entity == Entity::Lead => record.id,
        other => panic!("{other:?}"),
    };

    assert_eq!(desk.post(text(1, 1, "Hi service desk")).await.status(), 200);
    let second = anna.dialog_of("Olena Koval").await;
    assert_ne!(second, first, "a new dialog for the second bot");
    let (a, b) = (anna.chat(first).await.dialog, anna.chat(second).await.dialog);
    assert_eq!(a.client_id, b.client_id, "the same client");
    assert_eq!(b.channel_name, "Service desk");
    let linked: Connections = ok(anna.get(&format!("/api/dialogs/{second}/crm")).await).await;
    assert!(matches!(&linked.linked[..], [Linked::Shown { record }] if record.id == lead_id), "{linked:?}");

    // The shop bot is reinstalled: another chat, the same lead.
    let id = shop.bot.channel_id.0;
    ok::<MessengerBot>(admin.post(&format!("/api/integrations/telegram/{id}/disconnect"), json!({})).await).await;
    let again: MessengerBot =
        ok(admin.post(&format!("/api/integrations/telegram/{id}/reconnect"), json!({})).await).await;
    let reshop = hook_of(&fake, &server, TOKEN, again);
    assert_eq!(reshop.post(text(2, 2, "Me again")).await.status(), 200);
    let third = anna.dialog_of("Olena Koval").await;
    assert!(third != first && third != second);
    assert_eq!(anna.chat(third).await.dialog.client_id, a.client_id);
    let leads: RecordList = ok(anna.get("/api/crm/leads").await).await;
    assert_eq!(leads.records.len(), 1, "no new lead: {leads:?}");
    let card: el_protocol::crm::Record = ok(anna.get(&format!("/api/crm/leads/{lead_id}")).await).await;
    assert_eq!(card.lines.len(), 3, "the External lines field lists the three chats: {:?}", card.lines);
    assert!(card.lines.iter().all(|l| l.account == "@olena_k" && l.channel_kind == ChannelKind::Telegram));
}

/// A connected bot, a client who wrote, and Anna working on the dialog.
async fn answered_dialog(fake: &FakeTelegram) -> (TestServer, Hook, Operator, i64) {
    fake.add_bot(TOKEN, 111111, "Shop helper", "shop_helper_bot");
    let server = server_with(fake).await;
    let hook = connect(fake, &server, &server.operator("admin").await, TOKEN).await;
    assert_eq!(hook.post(text(1, 1, "Hello")).await.status(), 200);
    let anna = server.operator("anna").await;
    let id = anna.dialog_of("Olena Koval").await;
    assert_eq!(anna.reply(id).await.status(), 200);
    (server, hook, anna, id)
}

#[tokio::test]
async fn answers_go_out_formatted_and_wait_out_rate_limits_and_outages() {
    let fake = FakeTelegram::start().await;
    let (server, hook, anna, id) = answered_dialog(&fake).await;
    // Another client, whose dialog must not wait for Olena's.
    let taras = json!({ "update_id": 2, "message": { "message_id": 1, "date": 1_700_000_000,
        "from": { "id": 7770001, "is_bot": false, "first_name": "Taras" }, "chat": { "id": 7770001, "type": "private" },
        "text": "Hi" } });
    assert_eq!(hook.post(taras).await.status(), 200);
    let other = anna.dialog_of("Taras").await;
    assert_eq!(anna.reply(other).await.status(), 200);

    // Telegram asks to wait 3 s: long enough that the other dialog's two quick retries
    // surely finish first, even on a busy machine.
    fake.fail_next("sendMessage", 1, Reply::too_many_requests(3));
    fake.fail_next("sendMessage", 2, Reply::server_error());
    let before = fake.calls("sendMessage").len();
    let sent: Message = ok(anna
        .send(id, "**Good news**: it ships <b>tomorrow</b> & [track it](https://example.com/t?a=1&b=2)", "k-1")
        .await)
    .await;
    assert_eq!(sent.delivery, Some(Delivery::Sending));
    let started = Instant::now();
    // Olena's message meets the rate limit first (Taras's, sent before its first try,
    // could otherwise reach Telegram first on a busy machine)...
    let tried = fake.wait_for_calls("sendMessage", before + 1).await;
    assert_eq!(tried[before].params["chat_id"], json!(OLENA.to_string()));
    // ... and waits for it; Taras's goes meanwhile (it meets the two 500s, retried
    // within a fraction of that time).
    let quick: Message = ok(anna.send(other, "On my way", "k-2").await).await;
    let delivered = fake.wait_for_sent("sendMessage", 2).await;
    assert_eq!(delivered[0].params["text"], "On my way", "the other dialog was not held up");
    assert_eq!(delivered[1].params["chat_id"], json!(OLENA.to_string()));
    assert_eq!(delivered[1].params["parse_mode"], "HTML");
    assert_eq!(
        delivered[1].params["text"],
        "<b>Good news</b>: it ships &lt;b&gt;tomorrow&lt;/b&gt; &amp; <a href=\"https://example.com/t?a=1&amp;b=2\">track it</a>"
    );
    assert!(started.elapsed() >= Duration::from_millis(2900), "retry_after was respected");
    delivery_becomes(&anna, id, sent.id.0, |d| *d == Delivery::Sent).await;
    delivery_becomes(&anna, other, quick.id.0, |d| *d == Delivery::Sent).await;
    assert_eq!(fake.calls("sendMessage").len(), 5, "one 429, two 500s, two successes");

    // Files: an image as a photo, a PDF as a document, after the text.
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64]].concat();
    let photo: el_protocol::api::Attachment = ok(anna.upload(id, "plan.png", png).await).await;
    let pdf: el_protocol::api::Attachment = ok(anna.upload(id, "invoice.pdf", b"%PDF-1.7 total".to_vec()).await).await;
    let with_files: Message = ok(anna.send_files(id, "Here they are", "k-3", &[&photo.id, &pdf.id]).await).await;
    let photos = fake.wait_for_sent("sendPhoto", 1).await;
    assert_eq!(photos[0].params["photo"]["file_name"], "plan.png");
    assert_eq!(photos[0].params["chat_id"], OLENA.to_string());
    let docs = fake.wait_for_sent("sendDocument", 1).await;
    assert_eq!(docs[0].params["document"]["file_name"], "invoice.pdf");
    assert_eq!(docs[0].params["document"]["content_type"], "application/pdf");
    delivery_becomes(&anna, id, with_files.id.0, |d| *d == Delivery::Sent).await;
    assert_eq!(fake.wait_for_sent("sendMessage", 3).await[2].params["text"], "Here they are");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM outbox"), 0);
}

#[tokio::test]
async fn a_blocked_bot_marks_the_message_failed_with_the_reason() {
    let fake = FakeTelegram::start().await;
    let (server, hook, anna, id) = answered_dialog(&fake).await;
    let mut socket = anna.socket(anna.inbox().await.as_of).await;
    let _ = socket.replay().await;
    fake.fail_next("sendMessage", 1, Reply::blocked());
    let sent: Message = ok(anna.send(id, "Are you there?", "k-1").await).await;
    let failed = delivery_becomes(&anna, id, sent.id.0, |d| matches!(d, Delivery::Failed { .. })).await;
    assert_eq!(
        failed.delivery,
        Some(Delivery::Failed { reason: "Not delivered: the client has blocked the bot.".into() })
    );
    assert_eq!(fake.calls("sendMessage").len(), 1, "a refusal is not retried");
    let mut seen_failure = false;
    for _ in 0..4 {
        let (_, e): (i64, UserEvent) = socket.event().await;
        if let Event::MessageUpdated { message, .. } = e.event {
            seen_failure = matches!(message.delivery, Some(Delivery::Failed { .. }));
            break;
        }
    }
    assert!(seen_failure, "operators see the failure live");

    // Disconnecting the bot fails what waits and refuses new answers.
    fake.fail_always("sendMessage", Reply::server_error());
    let waiting: Message = ok(anna.send(id, "Hello?", "k-2").await).await;
    fake.wait_for_calls("sendMessage", 2).await;
    let admin = server.operator("admin").await;
    let channel = hook.bot.channel_id.0;
    ok::<MessengerBot>(admin.post(&format!("/api/integrations/telegram/{channel}/disconnect"), json!({})).await).await;
    let gone = delivery_becomes(&anna, id, waiting.id.0, |d| matches!(d, Delivery::Failed { .. })).await;
    assert!(matches!(gone.delivery, Some(Delivery::Failed { reason }) if reason.contains("disconnected")));
    assert!(!anna.chat(id).await.dialog.channel_connected, "the chat says its bot is gone");
    let why = refused(anna.send(id, "Still there?", "k-3").await, 409).await;
    assert!(why.contains("disconnected"), "{why}");
}

#[tokio::test]
async fn pending_messages_survive_a_restart_and_no_part_goes_twice() {
    let fake = FakeTelegram::start().await;
    let (mut server, _hook, anna, id) = answered_dialog(&fake).await;
    fake.fail_always("sendPhoto", Reply::server_error());
    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], &[1u8; 64]].concat();
    let photo: el_protocol::api::Attachment = ok(anna.upload(id, "plan.png", png).await).await;
    let sent: Message = ok(anna.send_files(id, "The plan", "k-1", &[&photo.id]).await).await;
    fake.wait_for_sent("sendMessage", 1).await;
    fake.wait_for_calls("sendPhoto", 2).await;

    server.restart().await;
    assert_eq!(count(&server, "SELECT COUNT(*) FROM outbox WHERE parts_done = 1"), 1, "the text is recorded as sent");
    fake.recover("sendPhoto");
    let anna = server.operator("anna").await;
    delivery_becomes(&anna, id, sent.id.0, |d| *d == Delivery::Sent).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let texts: Vec<_> = fake.calls("sendMessage").into_iter().filter(|c| c.succeeded).collect();
    assert_eq!(texts.len(), 1, "the text went once: {texts:?}");
    assert_eq!(fake.calls("sendPhoto").iter().filter(|c| c.succeeded).count(), 1);
}

#[tokio::test]
async fn a_starting_server_leaves_a_delivery_leased_elsewhere_until_its_lease_runs_out() {
    let fake = FakeTelegram::start().await;
    let (mut server, _hook, anna, id) = answered_dialog(&fake).await;
    fake.fail_always("sendMessage", Reply::server_error());
    let sent: Message = ok(anna.send(id, "On its way", "k-1").await).await;
    fake.wait_for_calls("sendMessage", 1).await;
    while count(&server, "SELECT COUNT(*) FROM outbox WHERE attempts > 0 AND leased_until IS NULL") == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await; // the failed attempt is recorded
    }
    // As if another instance on this database had just taken it (its lease is live):
    // this one, restarting, must leave it alone.
    let now = el_server::db::now_ms();
    let taken = format!("UPDATE outbox SET leased_until = {}, next_attempt_at = 0", now + 60_000);
    server.execute_sql(&taken);
    fake.recover("sendMessage");
    server.restart().await;
    let anna = server.operator("anna").await;
    assert_eq!(anna.post(&format!("/api/dialogs/{id}/read"), json!({})).await.status(), 204);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(fake.calls("sendMessage").iter().filter(|c| c.succeeded).count(), 0, "not taken from the other");
    // That instance is gone: once its lease runs out, this one delivers the message.
    server.execute_sql(&format!("UPDATE outbox SET leased_until = {}", now - 1));
    assert_eq!(anna.post(&format!("/api/dialogs/{id}/read"), json!({})).await.status(), 204);
    delivery_becomes(&anna, id, sent.id.0, |d| *d == Delivery::Sent).await;
    assert_eq!(fake.calls("sendMessage").iter().filter(|c| c.succeeded).count(), 1);
}

#[tokio::test]
async fn a_file_too_large_to_fetch_becomes_a_note_in_the_message() {
    let fake = FakeTelegram::start().await;
    fake.add_bot(TOKEN, 111111, "Shop helper", "shop_helper_bot");
    let server = server_with(&fake).await;
    let hook = connect(&fake, &server, &server.operator("admin").await, TOKEN).await;
    let video = message(
        1,
        1,
        OLENA,
        json!({
            "video": { "file_id": "huge", "file_unique_id": "h", "width": 1920, "height": 1080, "duration": 600,
                       "file_name": "unboxing.mp4", "file_size": 900_000_000 },
            "caption": "Look at this"
        }),
    );
    assert_eq!(hook.post(video).await.status(), 200);
    assert!(fake.calls("getFile").is_empty(), "nothing is fetched that could not be kept");
    let anna = server.operator("anna").await;
    let chat = anna.chat(anna.dialog_of("Olena Koval").await).await;
    let said = chat.messages.iter().find(|m| m.author.is_client()).expect("the message is stored");
    assert!(said.attachments.is_empty());
    assert!(
        said.text.starts_with("Look at this\n\n(“unboxing.mp4” was not received: it is larger than"),
        "{}",
        said.text
    );

    // A document without its size (optional in the Bot API) that Telegram will not hand
    // to bots: the message is stored with a note, and Telegram gets its 200.
    fake.fail_always(
        "getFile",
        Reply::Error { status: 400, description: "Bad Request: file is too big".into(), retry_after: None },
    );
    let document = message(
        2,
        2,
        OLENA,
        json!({ "document": { "file_id": "big", "file_unique_id": "b", "file_name": "scan.pdf" }, "caption": "My scan" }),
    );
    assert_eq!(hook.post(document).await.status(), 200);
    let chat = anna.chat(anna.dialog_of("Olena Koval").await).await;
    let said = chat.messages.iter().rfind(|m| m.author.is_client()).expect("the second message is stored");
    assert_eq!(
        said.text,
        "My scan\n\n(“scan.pdf” was not received: Telegram did not hand it over (Bad Request: file is too big). \
         Ask the client to send it another way.)"
    );
}

#[tokio::test]
async fn a_private_note_never_goes_to_telegram() {
    let fake = FakeTelegram::start().await;
    let (server, _hook, anna, id) = answered_dialog(&fake).await;
    let note: Message = ok(anna.note(id, "Asked for a refund last week", "n-1").await).await;
    assert!(matches!(note.author, el_protocol::api::Author::Note { .. }));
    assert_eq!(note.delivery, None, "nothing to deliver");
    let answer: Message = ok(anna.send(id, "Let me check that for you", "k-1").await).await;
    let sent = fake.wait_for_sent("sendMessage", 1).await;
    delivery_becomes(&anna, id, answer.id.0, |d| *d == Delivery::Sent).await;
    assert_eq!(sent[0].params["text"], "Let me check that for you");
    assert_eq!(fake.calls("sendMessage").len(), 1, "only the answer went out");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM outbox"), 0);
}
