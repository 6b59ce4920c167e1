//! Typing both ways: the visitor's to operators who may open the dialog, an operator's
//! to the client and colleagues in the dialog; passing signals, bounded, kept only
//! seconds (for other instances, see instances.rs).

mod common;

use common::{refused, TestServer};
use el_protocol::api::WidgetMessage;
use el_protocol::events::Frame;
use el_protocol::events::UserEvent;
use el_protocol::DialogId;

/// The frame saying `name` types in dialog `id`.
fn typing<E>(id: i64, name: &str) -> Frame<E> {
    Frame::Typing { dialog_id: DialogId(id), name: name.into() }
}

#[tokio::test]
async fn typing_reaches_who_may_see_the_dialog_and_nobody_else() {
    let server = TestServer::start().await;
    let (olena, anna, id) = server.taken_by("anna", "Olena").await;
    let bob = server.operator("bob").await;
    let erin = server.operator("erin").await;
    let mut anna_ws = anna.socket(anna.inbox().await.as_of).await;
    let mut bob_ws = bob.socket(bob.inbox().await.as_of).await;
    let mut erin_ws = erin.socket(erin.inbox().await.as_of).await;
    for ws in [&mut anna_ws, &mut bob_ws, &mut erin_ws] {
        ws.replay().await;
    }
    let mut olena_ws = olena.socket().await;

    // The client types: Anna (in the dialog) and Bob (may open any) see it; Erin may not.
    assert_eq!(olena.typing().await.status(), 204);
    assert_eq!(anna_ws.frame::<UserEvent>().await, typing(id, "Olena"));
    assert_eq!(bob_ws.frame::<UserEvent>().await, typing(id, "Olena"));
    assert!(erin_ws.quiet_for(300).await, "Erin may not open Anna's dialog");
    assert!(olena_ws.quiet_for(100).await, "the client does not hear themselves");

    // Anna types: the client and Bob see her name; Anna hears nothing of her own.
    assert_eq!(anna.post(&format!("/api/dialogs/{id}/typing"), serde_json::json!({})).await.status(), 204);
    assert_eq!(olena_ws.frame::<WidgetMessage>().await, typing(id, "Anna Kovalenko"));
    assert_eq!(bob_ws.frame::<UserEvent>().await, typing(id, "Anna Kovalenko"));
    assert!(anna_ws.quiet_for(300).await);

    // Only who may write says they type; another client hears nothing of Olena's dialog.
    let other = server.visitor("Other").await;
    let mut other_ws = other.socket().await;
    refused(bob.post(&format!("/api/dialogs/{id}/typing"), serde_json::json!({})).await, 403).await;
    refused(erin.post(&format!("/api/dialogs/{id}/typing"), serde_json::json!({})).await, 404).await;
    assert_eq!(anna.post(&format!("/api/dialogs/{id}/typing"), serde_json::json!({})).await.status(), 204);
    assert!(other_ws.quiet_for(300).await);

    // A visitor with no open dialog types to nobody.
    assert_eq!(other.typing().await.status(), 204);
    assert!(anna_ws.quiet_for(300).await);
}

#[tokio::test]
async fn typing_is_bounded() {
    let server = TestServer::start().await;
    let (olena, _) = server.dialog_from("Olena").await;
    let mut statuses = Vec::new();
    for _ in 0..45 {
        statuses.push(olena.typing().await.status().as_u16());
    }
    assert!(statuses[..40].iter().all(|s| *s == 204), "{statuses:?}");
    assert_eq!(statuses[44], 429);
    let anonymous = reqwest::Client::new().post(server.url("/api/widget/typing")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn the_widget_receiving_an_answer_shows_as_delivered_until_it_is_seen() {
    let server = TestServer::start().await;
    let (olena, anna, id) = server.taken_by("anna", "Olena").await;
    let first: el_protocol::api::Message = common::ok(anna.send(id, "One moment", "a-1").await).await;
    let second: el_protocol::api::Message = common::ok(anna.send(id, "Found it", "a-2").await).await;
    let mut anna_ws = anna.socket(anna.inbox().await.as_of).await;
    anna_ws.replay().await;
    let post = |how: &str, message: el_protocol::MessageId| {
        let url = format!("{}/api/widget/{how}/{message}", olena.base);
        olena.http.post(url).bearer_auth(&olena.session.token).send()
    };
    let receipts = |event: el_protocol::events::Event| match event {
        el_protocol::events::Event::DialogUpdated { dialog } => (dialog.client_delivered, dialog.client_read),
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(post("delivered", second.id).await.unwrap().status(), 204);
    assert_eq!(receipts(anna_ws.event().await.1.event), (Some(second.id), None));
    // An older delivery report moves nothing back.
    assert_eq!(post("delivered", first.id).await.unwrap().status(), 204);
    assert!(anna_ws.quiet_for(300).await);
    assert_eq!(post("read", first.id).await.unwrap().status(), 204);
    assert_eq!(receipts(anna_ws.event().await.1.event), (Some(second.id), Some(first.id)));
    let chat = anna.chat(id).await.dialog;
    assert_eq!((chat.client_delivered, chat.client_read), (Some(second.id), Some(first.id)));
    // Only the visitor's own conversation, and only with their token.
    let anonymous = reqwest::Client::new().post(server.url(&format!("/api/widget/delivered/{}", second.id)));
    assert_eq!(anonymous.send().await.unwrap().status(), 401);
    let taras = server.visitor("Taras").await;
    let theirs = taras.http.post(format!("{}/api/widget/delivered/{}", taras.base, second.id));
    assert_eq!(theirs.bearer_auth(&taras.session.token).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn the_client_reading_an_answer_shows_as_seen() {
    let server = TestServer::start().await;
    let (olena, anna, id) = server.taken_by("anna", "Olena").await;
    let answer: el_protocol::api::Message = common::ok(anna.send(id, "How can I help?", "a-1").await).await;
    let note: el_protocol::api::Message = common::ok(anna.note(id, "VIP", "n-1").await).await;
    let mut anna_ws = anna.socket(anna.inbox().await.as_of).await;
    anna_ws.replay().await;

    let read = |message: el_protocol::MessageId| {
        olena.http.post(format!("{}/api/widget/read/{message}", olena.base)).bearer_auth(&olena.session.token).send()
    };
    assert_eq!(read(answer.id).await.unwrap().status(), 204);
    match anna_ws.event().await.1.event {
        el_protocol::events::Event::DialogUpdated { dialog } => assert_eq!(dialog.client_read, Some(answer.id)),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(anna.chat(id).await.dialog.client_read, Some(answer.id));
    // Once is enough; a note, the client's own words and others' messages are not theirs to read.
    assert_eq!(read(answer.id).await.unwrap().status(), 204);
    assert!(anna_ws.quiet_for(300).await);
    assert_eq!(read(note.id).await.unwrap().status(), 404);
    let own = olena.conversation().await.messages.into_iter().find(|m| m.mine).unwrap();
    assert_eq!(read(own.id).await.unwrap().status(), 404);
    let (_, _, other) = server.taken_by("bob", "Taras").await;
    let bob = server.operator("bob").await;
    let theirs: el_protocol::api::Message = common::ok(bob.send(other, "Hi Taras", "b-1").await).await;
    assert_eq!(read(theirs.id).await.unwrap().status(), 404);
    // Reads are bounded like typing: a script cannot write on and on.
    let mut last = 204;
    for _ in 0..40 {
        last = read(answer.id).await.unwrap().status().as_u16();
    }
    assert_eq!(last, 429);
}
