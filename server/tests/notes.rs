//! Private notes: stored in the dialog for colleagues, never shown to the client, and
//! not the conversation's messages (previews, order and unread counts ignore them).

mod common;

use common::{dialog_named, ok, refused, TestServer};
use el_protocol::api::{Author, Message};
use serde_json::json;

#[tokio::test]
async fn notes_reach_colleagues_and_never_the_client() {
    let server = TestServer::start().await;
    let (visitor, anna, id) = server.taken_by("anna", "Olena").await;
    assert_eq!(anna.send(id, "Hello! How can I help?", "a-1").await.status(), 200);
    let note: Message = ok(anna.note(id, "VIP: ordered **20 pots** last month", "n-1").await).await;
    assert_eq!(note.author, Author::Note { user_id: anna.me().await.user.id, name: "Anna Kovalenko".into() });

    // Colleagues who may open the dialog see it, marked as a note.
    let bob = server.operator("bob").await;
    let chat = bob.chat(id).await;
    assert!(chat.messages.iter().any(|m| m.id == note.id && matches!(m.author, Author::Note { .. })));
    // Anna's list still previews the conversation, not the note.
    let inbox = anna.inbox().await;
    assert_eq!(dialog_named(&inbox, "Olena"), Some(id));
    let row = inbox.dialogs().find(|d| d.id.0 == id).unwrap();
    assert_eq!(row.last_message.as_ref().unwrap().text, "Hello! How can I help?");

    // The client never sees it, on reload or live.
    let conversation = visitor.conversation().await;
    assert!(conversation.messages.iter().all(|m| !m.text.contains("VIP")), "{:?}", conversation.messages);
    assert!(conversation.messages.iter().any(|m| m.text == "Hello! How can I help?"));

    // A note is text only, and only who may write adds one.
    let with_file = json!({"text": "see this", "client_msg_id": "n-2", "note": true, "attachments": ["f1"]});
    let message = refused(anna.post(&format!("/api/dialogs/{id}/messages"), with_file).await, 400).await;
    assert_eq!(message, "A note is text only: send files in a message.");
    assert_eq!(bob.note(id, "hi", "n-3").await.status(), 403, "Join first");
    assert_eq!(server.operator("erin").await.note(id, "hi", "n-4").await.status(), 404);
}
