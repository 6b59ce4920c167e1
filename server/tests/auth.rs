mod common;

use common::TestServer;
use el_protocol::api::{ApiError, Me};
use el_protocol::permissions::LinesAccess;
use serde_json::json;

async fn login(server: &TestServer, login: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/api/auth/login"))
        .json(&json!({"login": login, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_failures_say_why_and_set_no_cookie() {
    let server = TestServer::start().await;
    for (user, password) in [("anna", "wrong"), ("nobody", "demo")] {
        let r = login(&server, user, password).await;
        assert_eq!(r.status(), 401);
        assert!(r.headers().get("set-cookie").is_none());
        let e: ApiError = r.json().await.unwrap();
        assert_eq!(e.message, "Wrong login or password.");
    }
    let r = login(&server, "  ", "").await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "Enter your login and password.");

    let r = reqwest::Client::new().post(server.url("/api/auth/login")).body("not json").send().await.unwrap();
    assert!(r.status().is_client_error());
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site() {
    let server = TestServer::start().await;
    let r = login(&server, "ANNA", "demo").await;
    assert_eq!(r.status(), 200, "logins are case-insensitive");
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn me_reports_role_and_derived_access_for_each_seed_case() {
    let server = TestServer::start().await;
    let r = reqwest::get(server.url("/api/me")).await.unwrap();
    assert_eq!(r.status(), 401);

    for (user, lines) in [
        ("anna", LinesAccess::Full),
        ("carol", LinesAccess::None),
        ("dave", LinesAccess::Limited),
        ("erin", LinesAccess::Own),
    ] {
        let op = server.operator(user).await;
        let me: Me = op.get("/api/me").await.json().await.unwrap();
        assert_eq!(me.user.login, user);
        assert_eq!(me.access.lines, lines, "{user}");
        assert!(!me.access.admin);
    }
    let admin: Me = server.operator("admin").await.get("/api/me").await.json().await.unwrap();
    assert!(admin.access.admin);
}

#[tokio::test]
async fn a_role_without_access_is_refused_by_the_api() {
    let server = TestServer::start().await;
    let carol = server.operator("carol").await;
    let r = carol.get("/api/dialogs").await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "Your role has no access to External Lines.");
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    assert_eq!(anna.get("/api/me").await.status(), 200);
    assert_eq!(anna.post("/api/auth/logout", json!({})).await.status(), 200);
    assert_eq!(anna.get("/api/me").await.status(), 401);
}

#[tokio::test]
async fn requests_from_another_origin_are_refused() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let visitor = server.visitor("Olena").await;
    assert_eq!(visitor.send("Hello", "k1").await.status(), 200);
    let dialog = common::dialog_named(&anna.inbox().await, "Olena").unwrap();

    let evil = anna
        .http
        .post(server.url(&format!("/api/dialogs/{dialog}/reply")))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    assert_eq!(evil.json::<ApiError>().await.unwrap().message, "Requests from another site are not allowed.");
    assert_eq!(anna.inbox().await.dialogs().next().unwrap().state, el_protocol::api::DialogState::Unassigned);

    let own = anna
        .http
        .post(server.url(&format!("/api/dialogs/{dialog}/reply")))
        .header("origin", server.base.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404() {
    let server = TestServer::start().await;
    let r = reqwest::get(server.url("/api/nothing-here")).await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "No such API endpoint.");
}

#[tokio::test]
async fn repeated_wrong_passwords_slow_down_only_their_address() {
    let server = TestServer::start_with(|c| c.trusted_proxy_header = Some("x-forwarded-for".into())).await;
    let from = |addr: &'static str, login: &'static str, password: &'static str| {
        let url = server.url("/api/auth/login");
        async move {
            reqwest::Client::new()
                .post(url)
                .header("x-forwarded-for", addr)
                .json(&serde_json::json!({"login": login, "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..5 {
        assert_eq!(from("203.0.113.9", "bob", "guess").await.status(), 401);
    }
    let r = from("203.0.113.9", "BOB", "demo").await;
    assert_eq!(r.status(), 429, "even the right password waits");
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "Too many failed sign-ins. Try again in 1 second.");
    // Bob himself, at his own address, is not locked out by whoever guesses.
    assert_eq!(from("198.51.100.4", "bob", "demo").await.status(), 200, "another address is not affected");
    assert_eq!(from("203.0.113.9", "anna", "demo").await.status(), 200, "other logins are not affected");
    // The wait grows with each further failure, and passes.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(from("203.0.113.9", "bob", "guess").await.status(), 401);
    let r = from("203.0.113.9", "bob", "demo").await;
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "Too many failed sign-ins. Try again in 2 seconds.");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(from("203.0.113.9", "bob", "demo").await.status(), 200);
}

#[tokio::test]
async fn a_huge_login_is_refused_before_any_work() {
    let server = TestServer::start().await;
    let r = login(&server, &"x".repeat(2_000_000), "demo").await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "The login or the password is too long.");
}
