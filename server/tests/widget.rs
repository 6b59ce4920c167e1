mod common;

use common::TestServer;
use el_protocol::api::{ApiError, WidgetSession};
use el_protocol::inbox::Tab;
use serde_json::json;

#[tokio::test]
async fn a_visitor_needs_a_known_widget_channel() {
    let server = TestServer::start().await;
    let r = server.widget_session(json!({"channel": "no-such-channel"})).await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "This chat is not available.");
}

#[tokio::test]
async fn a_visitor_without_a_name_gets_a_readable_one_and_long_names_are_refused() {
    let server = TestServer::start().await;
    let session: WidgetSession =
        server.widget_session(json!({"channel": "website-demo", "name": "  "})).await.json().await.unwrap();
    assert!(session.client_name.starts_with("Website visitor "), "{}", session.client_name);
    assert_eq!(session.channel_name, "Website");
    assert_eq!(session.token.len(), 64);

    let r = server.widget_session(json!({"channel": "website-demo", "name": "n".repeat(200)})).await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn widget_calls_need_a_valid_token() {
    let server = TestServer::start().await;
    let forged =
        |body| reqwest::Client::new().post(server.url("/api/widget/messages")).bearer_auth("forged").json(&body).send();
    let r = forged(json!({"text": "hi", "client_msg_id": "x"})).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "This chat session has expired. Please reload the page.");
    // The session is checked before the message: a forged token learns nothing of the rules.
    let r = forged(json!({"text": "  ", "client_msg_id": "not a key"})).await.unwrap();
    assert_eq!(r.status(), 401);
    let r = reqwest::Client::new().post(server.url("/api/widget/messages")).json(&json!({"text": "hi"})).send().await;
    assert_eq!(r.unwrap().status(), 401, "no token at all");
    let r = reqwest::get(server.url("/api/widget/conversation")).await.unwrap();
    assert_eq!(r.status(), 401);
    // A real visitor's empty message is refused with the reason, and nothing is stored.
    let visitor = server.visitor("Olena").await;
    let r = visitor.send("  ", "k1").await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "Write a message before sending.");
    let r =
        reqwest::Client::new().get(server.url("/api/widget/conversation")).bearer_auth(&visitor.session.token).send();
    let conversation: serde_json::Value = r.await.unwrap().json().await.unwrap();
    assert_eq!(conversation["messages"], json!([]), "{conversation}");
}

#[tokio::test]
async fn the_demo_page_embeds_the_widget_with_one_script_tag() {
    let server = TestServer::start().await;
    let page = reqwest::get(server.url("/widget/demo")).await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"<script src="/widget/loader.js" data-channel="website-demo""#), "{page}");
    let loader = reqwest::get(server.url("/widget/loader.js")).await.unwrap();
    assert_eq!(loader.headers()["content-type"], "text/javascript; charset=utf-8");
    let loader = loader.text().await.unwrap();
    assert!(loader.contains(r#"new URL("app/", script.src)"#) && loader.contains(r#"app + "?channel=""#), "{loader}");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = TestServer::start().await;
    let visitor = server.visitor("Olena").await;
    let r = reqwest::Client::new()
        .post(server.url("/api/widget/messages"))
        .bearer_auth(&visitor.session.token)
        .header("content-type", "application/json")
        .body(format!(r#"{{"text":"{}","client_msg_id":"big"}}"#, "x".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn demo_dialogs_fill_a_large_inbox_once() {
    let server = TestServer::start_with(|config| config.demo_dialogs = 2_000).await;
    let db = server.server.as_ref().unwrap().state.db.clone();
    assert_eq!(el_server::demo::load_dialogs(&db, 2_000).await.unwrap(), 0, "loaded once");
    assert_eq!(el_server::demo::load_dialogs(&db, 2_100).await.unwrap(), 100, "only the missing ones");
    let erin = server.operator("erin").await;
    let inbox = erin.inbox().await;
    // Erin works with none of them: she sees the Unassigned ones (12 in every 20).
    assert_eq!(inbox.pages[0].totals.dialogs.get(Tab::Unassigned), 2_100 * 12 / 20);
    let unassigned = erin.whole_tab(Tab::Unassigned, 500).await;
    assert_eq!(unassigned.len(), 2_100 * 12 / 20);
    assert!(unassigned.iter().all(|d| d.last_message.is_some()));
}

#[tokio::test]
async fn chats_and_messages_are_rate_limited_with_a_clear_answer() {
    let server = TestServer::start_with(|c| {
        c.widget_sessions_per_hour = 3;
        c.widget_messages_per_minute = 4;
    })
    .await;
    let (a, b, _) = (server.visitor("A").await, server.visitor("B").await, server.visitor("C").await);
    let refused = server.widget_session(serde_json::json!({ "channel": el_server::demo::DEMO_WIDGET_KEY })).await;
    assert_eq!(refused.status(), 429);
    let body: el_protocol::api::ApiError = refused.json().await.unwrap();
    assert_eq!(body.message, "Too many chats were started from your network. Please try again later.");

    for i in 0..4 {
        assert_eq!(a.send("hello", &format!("a{i}")).await.status(), 200);
    }
    let too_fast = a.send("hello", "a4").await;
    assert_eq!(too_fast.status(), 429);
    let body: el_protocol::api::ApiError = too_fast.json().await.unwrap();
    assert!(body.message.starts_with("You are sending messages too fast. Please wait "), "{}", body.message);
    assert_eq!(b.send("hello", "b0").await.status(), 200, "another visitor is not held back");
    // Nothing refused was stored.
    assert_eq!(a.conversation().await.messages.len(), 4);
}

/// One network may send ten times a visitor's rate; past it, anyone there is refused
/// before their session is even looked up.
#[tokio::test]
async fn a_network_over_its_rate_is_refused_before_any_work() {
    let server = TestServer::start_with(|c| c.widget_messages_per_minute = 1).await;
    let mut visitors = Vec::new();
    for i in 0..11 {
        visitors.push(server.visitor(&format!("V{i}")).await);
    }
    for (i, v) in visitors[..10].iter().enumerate() {
        assert_eq!(v.send("hello", &format!("k{i}")).await.status(), 200, "visitor {i}");
    }
    let over = visitors[10].send("hello", "k10").await;
    assert_eq!(over.status(), 429, "the eleventh message of the network in a minute");
    assert!(visitors[10].conversation().await.messages.is_empty(), "not stored");
    let forged = reqwest::Client::new()
        .post(server.url("/api/widget/messages"))
        .bearer_auth("forged")
        .json(&json!({"text": "hi", "client_msg_id": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 429, "refused before the session is read");
}
