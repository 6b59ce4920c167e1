//! The socket fan-out under load and under changing rights: every reader receives
//! exactly what it may see now, a reader that stops reading is told to resync without
//! holding anyone back.

mod common;

use common::{dialog_named, TestServer, Visitor};
use el_protocol::events::{Event, Frame, UserEvent};
use el_protocol::inbox::Inbox;
use futures_util::future::join_all;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Events of `dialog` in a replay that say more than that it left the reader's inbox.
fn revealing(events: &[(i64, UserEvent)], dialog: i64) -> Vec<&Event> {
    events
        .iter()
        .map(|(_, e)| &e.event)
        .filter(|e| e.dialog_id().0 == dialog && !matches!(e, Event::DialogRemoved { .. }))
        .collect()
}

#[tokio::test]
async fn a_replay_shows_only_what_the_reader_may_see_now() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let anna_id = anna.me().await.user.id;
    // Erin (own records) and Dave (no CRM view) each took a chat, heard something
    // private, and handed it to Anna.
    let mut handed = Vec::new();
    for (login, client) in [("erin", "Ema"), ("dave", "Dan")] {
        let (visitor, op, id) = server.taken_by(login, client).await;
        assert_eq!(visitor.send("My card number is 4111 1111", &format!("{client}-2")).await.status(), 200);
        assert_eq!(op.send(id, "Thanks, noted", &format!("{client}-op")).await.status(), 200);
        assert_eq!(op.act(id, "redirect", json!({"user_id": anna_id})).await.status(), 200);
        assert_eq!(op.get(&format!("/api/dialogs/{id}")).await.status(), 404, "{login} may not open it now");
        handed.push((op, id));
    }
    for (op, id) in &handed {
        let mut ws = op.socket(0).await;
        let (replay, _) = ws.replay().await;
        assert!(!replay.is_empty(), "the replay is not empty: the demo and the chats are in it");
        assert!(revealing(&replay, *id).is_empty(), "replay from 0 reveals {:#?}", revealing(&replay, *id));
    }

    // Bob, who sees every dialog, loses that with a new role: a replay from 0 no longer
    // shows him Anna's dialogs.
    let bob = server.operator("bob").await;
    let mut ws = bob.socket(0).await;
    let (before, _) = ws.replay().await;
    assert!(!revealing(&before, handed[0].1).is_empty(), "Bob follows every dialog while he may");
    let admin = server.operator("admin").await;
    let roles: serde_json::Value = admin.get("/api/roles").await.json().await.unwrap();
    let own = roles["roles"].as_array().unwrap().iter().find(|r| r["leads"]["view"] == "own").unwrap()["id"].clone();
    let bob_id = bob.me().await.user.id;
    let changed = admin
        .http
        .put(format!("{}/api/users/{}/role", admin.base, bob_id.0))
        .json(&json!({ "role": own }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert!(matches!(ws.frame::<UserEvent>().await, Frame::Resync { .. }), "the open socket is told to resync");
    let mut ws = bob.socket(0).await;
    let (after, _) = ws.replay().await;
    for (_, id) in &handed {
        assert!(revealing(&after, *id).is_empty(), "Bob's replay reveals {:#?}", revealing(&after, *id));
    }
}

/// An operator socket whose peer keeps a tiny receive buffer and can stop reading.
async fn small_window_socket(server: &TestServer, op: &common::Operator, since: i64) -> common::Socket {
    let host = server.host();
    let mut request = format!("ws://{host}/api/socket?since={since}").into_client_request().unwrap();
    request.headers_mut().insert("cookie", op.cookie.parse().unwrap());
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let stream = tcp.connect(host.parse().unwrap()).await.unwrap();
    let (ws, _) = tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(stream))
        .await
        .expect("socket opens");
    common::Socket { ws }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_stops_reading_is_told_to_resync_and_holds_no_one_back() {
    let server = TestServer::start_with(|c| c.replay_events = 100).await;
    let anna = server.operator("anna").await;
    let since = anna.inbox().await.as_of;
    let mut reading = anna.socket(since).await;
    reading.replay().await;
    let mut stalled = small_window_socket(&server, &anna, since).await;
    stalled.replay().await;

    // About 9 MB of frames: more than the stalled socket's buffers hold.
    let visitors: Vec<Visitor> = join_all((0..20).map(|i| {
        let server = &server;
        async move { server.visitor(&format!("Writer {i}")).await }
    }))
    .await;
    let text = "Long story. ".repeat(750);
    let rounds = 50;
    let writing = async {
        for round in 0..rounds {
            let text = &text;
            let sent = join_all(
                visitors.iter().enumerate().map(|(i, v)| async move { v.send(text, &format!("w{i}-{round}")).await }),
            )
            .await;
            assert!(sent.iter().all(|r| r.status() == 200));
        }
    };
    // The socket that keeps reading receives every message meanwhile.
    let reading = async {
        let mut received = 0;
        while received < rounds * visitors.len() {
            if let Event::MessageCreated { .. } = reading.event().await.1.event {
                received += 1;
            }
        }
    };
    tokio::join!(writing, reading);

    // Reading again, the stalled socket finds it fell behind.
    let resync = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Frame::Resync { reason } = stalled.frame::<UserEvent>().await {
                return reason;
            }
        }
    })
    .await
    .expect("a resync frame");
    assert_eq!(resync, "You were too far behind.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_readers_receive_exactly_what_they_may_see() {
    let server = TestServer::start().await;
    let logins = ["anna", "bob", "dave", "erin", "admin"];
    let ops = join_all(logins.iter().map(|l| server.operator(l))).await;
    // Some dialogs are taken before the sockets open.
    let (_, _, _) = server.taken_by("erin", "Early Erin").await;
    let (_, _, _) = server.taken_by("anna", "Early Anna").await;

    let mut readers = Vec::new();
    for op in &ops {
        let user = op.me().await.user.id;
        let snapshot = op.inbox().await;
        for _ in 0..40 {
            let mut ws = op.socket(snapshot.as_of).await;
            ws.replay().await;
            readers.push((user, snapshot.clone(), ws));
        }
    }

    // Ten clients write at once while operators take, answer and end dialogs.
    let visitors: Vec<Visitor> = join_all((0..10).map(|i| {
        let server = &server;
        async move { server.visitor(&format!("Client {i}")).await }
    }))
    .await;
    let writing = join_all(visitors.iter().enumerate().map(|(i, v)| async move {
        for n in 0..5 {
            assert_eq!(v.send(&format!("Question {n}"), &format!("c{i}-{n}")).await.status(), 200);
        }
    }));
    let acting = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let admin = &ops[4];
        for (i, login) in [(0, 0), (1, 3), (2, 2), (3, 0), (4, 1)] {
            let Some(id) = dialog_named(&admin.inbox().await, &format!("Client {i}")) else { continue };
            let op = &ops[login];
            if op.reply(id).await.status() == 200 {
                op.send(id, "Hello, how can I help?", &format!("op-{i}")).await;
                if i == 3 {
                    op.act(id, "end", json!({})).await;
                }
            }
        }
    };
    tokio::join!(writing, acting);

    let checks = readers.into_iter().map(|(user, snapshot, mut ws)| async move {
        let mut inbox = Inbox::from_snapshot(user, snapshot);
        while let Some(frame) = ws.frame_within::<UserEvent>(1500).await {
            match frame {
                Frame::Event { seq, event } => inbox.apply_user_event(seq, &event),
                other => panic!("unexpected {other:?}"),
            }
        }
        (user, inbox)
    });
    let ended = join_all(checks).await;
    for (i, op) in ops.iter().enumerate() {
        let user = op.me().await.user.id;
        let fresh = Inbox::from_snapshot(user, op.inbox().await);
        for (reader, inbox) in ended.iter().filter(|(u, _)| *u == user) {
            assert_eq!(inbox.sorted(), fresh.sorted(), "{} ({reader:?}) ends where a fresh snapshot is", logins[i]);
            assert_eq!(inbox.counts(), fresh.counts(), "{}", logins[i]);
        }
        // The counts the feed keeps in memory are the database's.
        let state = &server.server.as_ref().unwrap().state;
        let stored = state.db.read(move |conn| el_server::dialogs::store::totals(conn, user)).await.unwrap();
        assert_eq!(state.hub.feed().counts.totals(user), stored, "{}", logins[i]);
        for d in fresh.sorted() {
            let (id, count) = (d.0.id, d.1);
            assert_eq!(state.hub.feed().counts.unread(user, id), count, "{} in {id:?}", logins[i]);
        }
    }
}

#[tokio::test]
async fn removals_go_only_to_who_had_the_dialog() {
    let server = TestServer::start().await;
    let erin = server.operator("erin").await;
    let mut ws = erin.socket(erin.inbox().await.as_of).await;
    ws.replay().await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    // Erin saw the new dialog in Unassigned, so she is told it left her inbox...
    assert!(matches!(ws.event().await.1.event, Event::MessageCreated { .. }));
    assert_eq!(ws.event().await.1.event, Event::DialogRemoved { dialog_id: el_protocol::DialogId(id) });
    // ...but not what happens to it afterwards, not even its id.
    let bob_id = server.operator("bob").await.me().await.user.id;
    assert_eq!(anna.act(id, "redirect", json!({"user_id": bob_id})).await.status(), 200);
    assert!(ws.quiet_for(500).await, "Erin hears nothing of a dialog she never had");
}
