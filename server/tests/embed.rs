//! Embedding in a host web app: API keys (administrators only, secret shown once),
//! embed sessions asked for server to server, which then act with exactly their user's
//! rights over HTTP and the socket, end when the key is revoked or they expire, and
//! frames only the keys' origins may show.

mod common;

use common::{ok, refused, TestServer};
use el_protocol::embed::{ApiKey, EmbedSession, NewApiKey};
use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// A key for `origins`, created by the demo administrator.
async fn new_key(server: &TestServer, origins: &[&str]) -> NewApiKey {
    let admin = server.operator("admin").await;
    ok(admin.post("/api/api-keys", json!({"name": "Space CRM", "origins": origins})).await).await
}

/// `POST /api/embed/sessions` as a host's backend sends it.
async fn ask_session(server: &TestServer, secret: &str, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new().post(server.url("/api/embed/sessions")).bearer_auth(secret).json(&body).send().await.unwrap()
}

async fn embed_session(server: &TestServer, secret: &str, login: &str) -> EmbedSession {
    ok(ask_session(server, secret, json!({"login": login})).await).await
}

async fn get_as(server: &TestServer, token: &str, path: &str) -> (u16, String) {
    let r = reqwest::Client::new().get(server.url(path)).bearer_auth(token).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn only_administrators_keep_api_keys_and_the_secret_is_shown_once() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let admin = server.operator("admin").await;
    refused(anna.post("/api/api-keys", json!({"name": "Mine", "origins": ["https://x.example"]})).await, 403).await;
    refused(anna.get("/api/api-keys").await, 403).await;

    let created: NewApiKey = ok(admin
        .post("/api/api-keys", json!({"name": " Space CRM ", "origins": ["https://Space.Example.com/", "http://localhost:9000", "https://space.example.com"]}))
        .await)
    .await;
    assert!(created.secret.starts_with("elk_") && created.secret.len() > 60, "{}", created.secret);
    assert_eq!(created.key.name, "Space CRM");
    assert_eq!(created.key.origins, ["https://space.example.com", "http://localhost:9000"]);
    assert!(created.secret.starts_with(created.key.hint.trim_end_matches('…')));
    assert_eq!(created.key.created_by, "Administrator");

    let listed = admin.get("/api/api-keys").await.text().await.unwrap();
    assert!(!listed.contains(&created.secret), "the list never shows a secret");
    let listed: Vec<ApiKey> = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed, std::slice::from_ref(&created.key));

    for (body, says) in [
        (json!({"name": "", "origins": ["https://x.example"]}), "name"),
        (json!({"name": "x".repeat(81), "origins": ["https://x.example"]}), "80"),
        (json!({"name": "No origin", "origins": []}), "origin"),
        (json!({"name": "Plain http", "origins": ["http://space.example.com"]}), "https"),
        (json!({"name": "A path", "origins": ["https://space.example.com/crm"]}), "not an origin"),
        (
            json!({"name": "Too many", "origins": (0..11).map(|i| format!("https://h{i}.example")).collect::<Vec<_>>()}),
            "10",
        ),
    ] {
        let message = refused(admin.post("/api/api-keys", body.clone()).await, 400).await;
        assert!(message.contains(says), "{body}: {message}");
    }
}

#[tokio::test]
async fn an_embed_session_is_asked_for_server_to_server_with_a_valid_key() {
    let server = TestServer::start().await;
    let key = new_key(&server, &["https://space.example.com"]).await;

    let session = embed_session(&server, &key.secret, "anna").await;
    assert_eq!(session.token.len(), 64);
    let me: el_protocol::api::Me = serde_json::from_str(&get_as(&server, &session.token, "/api/me").await.1).unwrap();
    assert_eq!(me.user.login, "anna");
    let lasts = session.expires_at - el_server::db::now_ms();
    assert!((29 * 60_000..=30 * 60_000).contains(&lasts), "half an hour by default: {lasts} ms");
    let listed: Vec<ApiKey> = ok(server.operator("admin").await.get("/api/api-keys").await).await;
    assert!(listed[0].last_used_at.is_some());

    // A page may never hold the key: a request from a browser is refused.
    let from_page = reqwest::Client::new()
        .post(server.url("/api/embed/sessions"))
        .bearer_auth(&key.secret)
        .header("origin", "https://space.example.com")
        .json(&json!({"login": "anna"}))
        .send()
        .await
        .unwrap();
    refused(from_page, 403).await;
    refused(ask_session(&server, "elk_0123", json!({"login": "anna"})).await, 401).await;
    let no_key = reqwest::Client::new().post(server.url("/api/embed/sessions")).json(&json!({"login": "anna"}));
    refused(no_key.send().await.unwrap(), 401).await;
    let message = refused(ask_session(&server, &key.secret, json!({"login": "nobody"})).await, 404).await;
    assert!(message.contains("nobody"), "{message}");
    refused(ask_session(&server, &key.secret, json!({"login": "anna", "seconds": 10})).await, 400).await;
    refused(ask_session(&server, &key.secret, json!({"login": "anna", "seconds": 9 * 3600})).await, 400).await;
    let hour: EmbedSession =
        ok(ask_session(&server, &key.secret, json!({"login": "anna", "seconds": 3600})).await).await;
    assert!(hour.expires_at - el_server::db::now_ms() > 59 * 60_000);
}

/// Each of the permission cases answers the same through an embed session as through
/// the user's own sign-in: the same statuses and the same bodies.
#[tokio::test]
async fn an_embed_session_has_exactly_its_users_rights() {
    let server = TestServer::start().await;
    let (_olena, dialog) = server.dialog_from("Olena").await;
    let key = new_key(&server, &["https://space.example.com"]).await;
    let paths = [
        "/api/me".to_string(),
        "/api/dialogs".into(),
        format!("/api/dialogs/{dialog}"),
        "/api/crm/leads".into(),
        "/api/crm/leads/1".into(),
        "/api/crm/leads/1/dialogs".into(),
        "/api/crm/contacts/1/dialogs".into(),
        "/api/api-keys".into(),
    ];
    let mut statuses = std::collections::BTreeSet::new();
    for login in ["anna", "carol", "dave", "erin"] {
        let own = server.operator(login).await;
        let embedded = embed_session(&server, &key.secret, login).await;
        for path in &paths {
            let r = own.get(path).await;
            let signed_in = (r.status().as_u16(), r.text().await.unwrap());
            let through_embed = get_as(&server, &embedded.token, path).await;
            assert_eq!(through_embed, signed_in, "{login} {path}");
            statuses.insert(signed_in.0);
        }
    }
    assert!(statuses.contains(&200) && statuses.contains(&403), "the cases differ: {statuses:?}");

    // Writing too: Reply through an embed session takes the dialog as its user.
    let embedded = embed_session(&server, &key.secret, "anna").await;
    let r = reqwest::Client::new()
        .post(server.url(&format!("/api/dialogs/{dialog}/reply")))
        .bearer_auth(&embedded.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let anna = server.operator("anna").await;
    assert!(anna.chat(dialog).await.dialog.members.contains(&anna.me().await.user.id));
}

async fn embed_socket(server: &TestServer, token: &str) -> common::Socket {
    let host = server.host();
    let mut request =
        format!("ws://{host}/api/socket?since=0&compact=true&token={token}").into_client_request().unwrap();
    request.headers_mut().insert("origin", format!("http://{host}").parse().unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(request).await.expect("socket opens");
    common::Socket { ws }
}

#[tokio::test]
async fn revoking_the_key_ends_its_sessions_and_closes_their_sockets() {
    let server = TestServer::start().await;
    let key = new_key(&server, &["https://space.example.com"]).await;
    let session = embed_session(&server, &key.secret, "anna").await;
    let mut socket = embed_socket(&server, &session.token).await;
    socket.replay().await;
    let (_olena, _dialog) = server.dialog_from("Olena").await;
    socket.event().await;

    let admin = server.operator("admin").await;
    let revoked: ApiKey = ok(admin.post(&format!("/api/api-keys/{}/revoke", key.key.id), json!({})).await).await;
    assert!(revoked.revoked_at.is_some());
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), socket.ws.next()).await.unwrap();
    match next {
        Some(Ok(WsMessage::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 4401),
        other => panic!("expected the socket to close, got {other:?}"),
    }
    assert_eq!(get_as(&server, &session.token, "/api/me").await.0, 401);
    refused(ask_session(&server, &key.secret, json!({"login": "anna"})).await, 401).await;
    // Admins' own sessions are untouched.
    assert_eq!(admin.get("/api/me").await.status(), 200);
    refused(admin.post("/api/api-keys/999/revoke", json!({})).await, 404).await;
}

#[tokio::test]
async fn an_expired_embed_session_is_refused() {
    let server = TestServer::start().await;
    let key = new_key(&server, &["https://space.example.com"]).await;
    let session = embed_session(&server, &key.secret, "anna").await;
    assert_eq!(get_as(&server, &session.token, "/api/me").await.0, 200);
    server.execute_sql("UPDATE sessions SET expires_at = 1 WHERE api_key_id IS NOT NULL");
    let (status, body) = get_as(&server, &session.token, "/api/me").await;
    assert_eq!(status, 401, "{body}");
    let host = server.host();
    let mut request = format!("ws://{host}/api/socket?since=0&token={}", session.token).into_client_request().unwrap();
    request.headers_mut().insert("origin", format!("http://{host}").parse().unwrap());
    let err = tokio_tungstenite::connect_async(request).await.unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn only_the_keys_origins_may_frame_the_components() {
    let spa = tempfile::tempdir().unwrap();
    std::fs::write(spa.path().join("index.html"), "<!DOCTYPE html><title>External Lines</title>").unwrap();
    let dir = spa.path().to_path_buf();
    let server = TestServer::start_with(move |c| c.spa_dir = dir).await;
    let http = reqwest::Client::new();
    let ancestors = || async {
        let r = http.get(server.url("/embed/frame/block/lead/1")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let policy = r.headers()["content-security-policy"].to_str().unwrap().to_string();
        let ancestors = policy.split("frame-ancestors ").nth(1).unwrap().to_string();
        let denied = r.headers().get("x-frame-options").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(denied.as_deref(), (ancestors == "'none'").then_some("DENY"), "older browsers are told the same");
        ancestors
    };
    assert_eq!(ancestors().await, "'none'", "no key: nobody frames it");
    let key = new_key(&server, &["https://space.example.com", "http://localhost:9000"]).await;
    assert_eq!(ancestors().await, "http://localhost:9000 https://space.example.com");
    // The app's own pages are never framed.
    let app = http.get(server.url("/lines")).send().await.unwrap();
    assert_eq!(app.headers()["x-frame-options"], "DENY");
    let admin = server.operator("admin").await;
    ok::<ApiKey>(admin.post(&format!("/api/api-keys/{}/revoke", key.key.id), json!({})).await).await;
    assert_eq!(ancestors().await, "'none'");

    for script in ["/embed/lines.js", "/embed/remoteEntry.js"] {
        let r = http.get(server.url(script)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["access-control-allow-origin"], "*", "{script}: hosts import it");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    }
}

/// A CRM card in the Space is not the inbox: its socket does not make its user count as
/// having the app open, so the queue offers them nothing they could not see.
#[tokio::test]
async fn an_embedded_component_does_not_put_its_user_in_the_queue() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    let key = new_key(&server, &["https://space.example.com"]).await;
    let session = embed_session(&server, &key.secret, "anna").await;
    let anna_connected = || async {
        let queue: el_protocol::queue::QueueOverview = ok(admin.get("/api/queue").await).await;
        queue.operators.iter().find(|o| o.user.login == "anna").is_some_and(|o| o.connected)
    };
    let mut embedded = embed_socket(&server, &session.token).await;
    embedded.replay().await;
    assert!(!anna_connected().await);
    let anna = server.operator("anna").await;
    let mut app = anna.socket(0).await;
    app.replay().await;
    assert!(anna_connected().await, "the app's own socket counts");
}

#[tokio::test]
async fn each_key_opens_a_bounded_number_of_sessions_a_minute() {
    let server = TestServer::start_with(|c| c.embed_sessions_per_minute = 3).await;
    let key = new_key(&server, &["https://space.example.com"]).await;
    // Made-up keys are refused without using up anyone's allowance.
    for _ in 0..5 {
        let r = ask_session(&server, "elk_made-up", json!({"login": "anna"})).await;
        assert_eq!(r.status(), 401);
    }
    for _ in 0..3 {
        embed_session(&server, &key.secret, "anna").await;
    }
    let r = ask_session(&server, &key.secret, json!({"login": "anna"})).await;
    assert_eq!(r.status(), 429);
    let message = r.json::<el_protocol::api::ApiError>().await.unwrap().message;
    assert!(message.starts_with("This key opened too many embed sessions. Try again in"), "{message}");
    // Another host's key has its own allowance.
    let other = new_key(&server, &["https://crm.example.com"]).await;
    embed_session(&server, &other.secret, "bob").await;
}
