mod common;

use common::{dialog_named, TestServer};
use el_protocol::api::{ApiError, Author, ChatSnapshot, DialogState, DialogSummary, InboxSnapshot, Message};
use el_protocol::inbox::{tab_of, Tab};

#[tokio::test]
async fn a_client_message_opens_an_unassigned_dialog_for_everyone_with_access() {
    let server = TestServer::start().await;
    let visitor = server.visitor("Olena Petrenko").await;
    assert_eq!(visitor.send("Do you deliver to Lviv?", "m-1").await.status(), 200);

    for user in ["anna", "bob", "dave", "erin"] {
        let inbox = server.operator(user).await.inbox().await;
        let d = inbox.dialogs().next().unwrap();
        assert_eq!(d.client_name, "Olena Petrenko", "{user}");
        assert_eq!(d.name, "Olena Petrenko");
        assert_eq!(d.state, DialogState::Unassigned);
        assert_eq!(d.channel_name, "Website");
        let last = d.last_message.as_ref().unwrap();
        assert_eq!(last.text, "Do you deliver to Lviv?");
        assert_eq!(d.last_activity_at, last.at);
        assert!(inbox.as_of > 0);
    }
}

#[tokio::test]
async fn lists_are_ordered_by_last_message_newest_first() {
    let server = TestServer::start().await;
    let a = server.visitor("A").await;
    let b = server.visitor("B").await;
    a.send("first", "a1").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    b.send("second", "b1").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let anna = server.operator("anna").await;
    let names = |s: &InboxSnapshot| s.dialogs().map(|d| d.client_name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&anna.inbox().await), ["B", "A"]);
    a.send("again", "a2").await;
    let inbox = anna.inbox().await;
    assert_eq!(names(&inbox), ["A", "B"]);
    assert_eq!(inbox.dialogs().next().unwrap().last_message.as_ref().unwrap().text, "again");
}

#[tokio::test]
async fn reply_moves_the_dialog_to_active_for_the_operator_and_out_of_unassigned_for_others() {
    let server = TestServer::start().await;
    let visitor = server.visitor("Olena").await;
    visitor.send("Hello", "m-1").await;
    let anna = server.operator("anna").await;
    let bob = server.operator("bob").await;
    let id = dialog_named(&anna.inbox().await, "Olena").unwrap();

    let r = anna.reply(id).await;
    assert_eq!(r.status(), 200);
    let d: DialogSummary = r.json().await.unwrap();
    assert_eq!(d.state, DialogState::Active);
    assert_eq!(tab_of(&d, anna_id(&anna).await), Some(Tab::Active));
    assert!(dialog_named(&bob.inbox().await, "Olena").is_none());

    let chat: ChatSnapshot = anna.get(&format!("/api/dialogs/{id}")).await.json().await.unwrap();
    assert_eq!(chat.messages.len(), 2);
    assert_eq!(chat.messages[1].author, Author::System);
    assert_eq!(chat.messages[1].text, "Anna Kovalenko took the dialog");

    // Bob views all leads and contacts: he may open it read-only, but not write before joining.
    assert_eq!(bob.get(&format!("/api/dialogs/{id}")).await.status(), 200);
    let r = bob.send(id, "hi", "b-1").await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "Join the dialog before writing.");

    // Erin sees only her own records: she may not open it, and learns nothing of it.
    let erin = server.operator("erin").await;
    assert!(dialog_named(&erin.inbox().await, "Olena").is_none());
    assert_eq!(erin.get(&format!("/api/dialogs/{id}")).await.status(), 404);
    let r = erin.send(id, "hi", "e-1").await;
    assert_eq!(r.status(), 404);
    let missing = erin.get("/api/dialogs/999999").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, missing.json::<ApiError>().await.unwrap().message);
}

async fn anna_id(anna: &common::Operator) -> el_protocol::UserId {
    anna.get("/api/me").await.json::<el_protocol::api::Me>().await.unwrap().user.id
}

#[tokio::test]
async fn the_operator_answer_reaches_the_client_and_the_client_continues_the_same_dialog() {
    let server = TestServer::start().await;
    let visitor = server.visitor("Olena").await;
    visitor.send("Hello", "m-1").await;
    let anna = server.operator("anna").await;
    let id = dialog_named(&anna.inbox().await, "Olena").unwrap();

    let r = anna.send(id, "Hi", "early").await;
    assert_eq!(r.status(), 403, "writing needs Reply first");
    assert_eq!(r.json::<ApiError>().await.unwrap().message, "Press Reply to take this dialog before writing.");

    anna.reply(id).await;
    let r = anna.send(id, "  Good afternoon! How can I help?\n", "op-1").await;
    assert_eq!(r.status(), 200);
    let sent: Message = r.json().await.unwrap();
    assert_eq!(sent.text, "Good afternoon! How can I help?");

    let conversation = visitor.conversation().await;
    let texts: Vec<_> = conversation.messages.iter().map(|m| (m.mine, m.text.as_str())).collect();
    assert_eq!(texts, [(true, "Hello"), (false, "Good afternoon! How can I help?")], "no system notes for clients");
    assert_eq!(conversation.messages[1].author_name.as_deref(), Some("Anna Kovalenko"));

    visitor.send("Thanks", "m-2").await;
    let inbox = anna.inbox().await;
    assert_eq!(inbox.dialogs().count(), 1, "the same dialog, not a new one");
    assert_eq!(inbox.dialogs().next().unwrap().state, DialogState::Active);
}

#[tokio::test]
async fn bad_messages_get_clear_errors_and_store_nothing() {
    let server = TestServer::start().await;
    let (_visitor, anna, id) = server.taken_by("anna", "Olena").await;
    for (text, key, message) in [
        ("   ", "k1", "Write a message before sending."),
        ("hi", "bad key!", "The message id must be 1 to 64 letters, digits, '-' or '_'."),
    ] {
        let r = anna.send(id, text, key).await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<ApiError>().await.unwrap().message, message);
    }
    let long = "x".repeat(10_001);
    assert_eq!(anna.send(id, &long, "k2").await.status(), 400);
    let chat: ChatSnapshot = anna.get(&format!("/api/dialogs/{id}")).await.json().await.unwrap();
    assert_eq!(chat.messages.len(), 2);
}

#[tokio::test]
async fn the_same_client_message_id_stores_one_message() {
    let server = TestServer::start().await;
    let (visitor, anna, id) = server.taken_by("anna", "Olena").await;
    let first: Message = anna.send(id, "Once", "same-key").await.json().await.unwrap();
    let again: Message = anna.send(id, "Once", "same-key").await.json().await.unwrap();
    assert_eq!(first.id, again.id);
    let w1 = visitor.send("Retry me", "w-same").await.json::<serde_json::Value>().await.unwrap();
    let w2 = visitor.send("Retry me", "w-same").await.json::<serde_json::Value>().await.unwrap();
    assert_eq!(w1["id"], w2["id"]);
    let chat: ChatSnapshot = anna.get(&format!("/api/dialogs/{id}")).await.json().await.unwrap();
    assert_eq!(chat.messages.iter().filter(|m| m.text == "Once").count(), 1);
    assert_eq!(chat.messages.iter().filter(|m| m.text == "Retry me").count(), 1);
}

#[tokio::test]
async fn concurrent_replies_have_exactly_one_winner() {
    let server = TestServer::start().await;
    let visitor = server.visitor("Olena").await;
    visitor.send("Hello", "m-1").await;
    let mut operators = Vec::new();
    for user in ["anna", "bob", "dave", "erin"] {
        for _ in 0..5 {
            operators.push((user, server.operator(user).await));
        }
    }
    let id = dialog_named(&operators[0].1.inbox().await, "Olena").unwrap();
    let attempts = operators.iter().map(|(user, op)| async move { (*user, op.reply(id).await) });
    let results = futures_util::future::join_all(attempts).await;

    let winners: Vec<_> = results.iter().filter(|(_, r)| r.status() == 200).map(|(u, _)| *u).collect();
    assert_eq!(winners.len(), 1, "exactly one claim wins: {winners:?}");
    let winner = winners[0];
    let winner_name = match winner {
        "anna" => "Anna Kovalenko",
        "bob" => "Bob Marchenko",
        "dave" => "Dave Bondarenko",
        _ => "Erin Tkachenko",
    };
    for (user, r) in results {
        if r.status() == 200 {
            continue;
        }
        assert_eq!(r.status(), 409);
        let message = r.json::<ApiError>().await.unwrap().message;
        if user == winner {
            assert_eq!(message, "You already work on this dialog.");
        } else {
            assert_eq!(message, format!("This dialog was already taken by {winner_name}."));
        }
    }
}
