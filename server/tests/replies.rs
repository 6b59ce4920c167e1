//! Quick replies: shared ones are read by everyone in External Lines and managed by
//! administrators; each operator keeps their own, which nobody else sees or changes.

mod common;

use common::{ok, refused, Operator, TestServer};
use el_protocol::replies::QuickReply;
use serde_json::json;

async fn delete(op: &Operator, id: i64) -> reqwest::Response {
    op.http.delete(format!("{}/api/quick-replies/{id}", op.base)).send().await.unwrap()
}

fn titles(replies: &[QuickReply]) -> Vec<(&str, bool)> {
    replies.iter().map(|r| (r.title.as_str(), r.shared)).collect()
}

#[tokio::test]
async fn shared_replies_are_everyones_and_own_replies_stay_private() {
    let server = TestServer::start().await;
    let (admin, anna, bob) =
        (server.operator("admin").await, server.operator("anna").await, server.operator("bob").await);

    let shared = json!({"title": "Greeting", "text": "Hello {client_name}! This is {operator_name}.", "shared": true});
    let mine: Vec<QuickReply> = ok(admin.post("/api/quick-replies", shared.clone()).await).await;
    assert_eq!(titles(&mine), [("Greeting", true)]);
    let refusal = refused(anna.post("/api/quick-replies", shared).await, 403).await;
    assert!(!refusal.is_empty(), "only administrators share");

    let own: Vec<QuickReply> =
        ok(anna.post("/api/quick-replies", json!({"title": "  Delivery ", "text": "We deliver in 2 days."})).await)
            .await;
    assert_eq!(titles(&own), [("Delivery", false), ("Greeting", true)], "trimmed, by title");
    let anna_own = own.iter().find(|r| !r.shared).unwrap().id;
    let greeting = own.iter().find(|r| r.shared).unwrap().id;

    let bobs: Vec<QuickReply> = ok(bob.get("/api/quick-replies").await).await;
    assert_eq!(titles(&bobs), [("Greeting", true)], "Bob does not see Anna's own reply");
    assert_eq!(
        bob.put(&format!("/api/quick-replies/{anna_own}"), json!({"title": "Mine now", "text": "x"})).await.status(),
        404
    );
    assert_eq!(delete(&bob, anna_own).await.status(), 404);
    assert_eq!(
        anna.put(&format!("/api/quick-replies/{greeting}"), json!({"title": "Hi", "text": "x", "shared": true}))
            .await
            .status(),
        403
    );
    assert_eq!(delete(&anna, greeting).await.status(), 403);

    let edited: Vec<QuickReply> = ok(anna
        .put(&format!("/api/quick-replies/{anna_own}"), json!({"title": "Delivery", "text": "We deliver in 1 day."}))
        .await)
    .await;
    assert_eq!(edited.iter().find(|r| r.id == anna_own).unwrap().text, "We deliver in 1 day.");
    assert_eq!(delete(&anna, anna_own).await.status(), 204);
    let left: Vec<QuickReply> = ok(anna.get("/api/quick-replies").await).await;
    assert_eq!(titles(&left), [("Greeting", true)]);
    assert_eq!(delete(&admin, greeting).await.status(), 204);

    // Without access to External Lines there are no quick replies.
    let carol = server.operator("carol").await;
    assert_eq!(carol.get("/api/quick-replies").await.status(), 403);
}

#[tokio::test]
async fn bad_replies_get_clear_errors_and_store_nothing() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    for body in [
        json!({"title": "", "text": "Hello"}),
        json!({"title": "Hello", "text": "   "}),
        json!({"title": "x".repeat(81), "text": "Hello"}),
        json!({"title": "Long", "text": "x".repeat(10_001)}),
    ] {
        let message = refused(anna.post("/api/quick-replies", body).await, 400).await;
        assert!(!message.is_empty());
    }
    assert_eq!(anna.put("/api/quick-replies/999", json!({"title": "a", "text": "b"})).await.status(), 404);
    let none: Vec<QuickReply> = ok(anna.get("/api/quick-replies").await).await;
    assert!(none.is_empty());
}
