mod common;

use common::{dialog_named, TestServer};
use el_protocol::api::{DialogState, WidgetMessage};
use el_protocol::events::{Event, Frame, UserEvent};
use el_protocol::inbox::Inbox;
use el_protocol::UserId;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message as WsMessage;

async fn me(op: &common::Operator) -> UserId {
    op.get("/api/me").await.json::<el_protocol::api::Me>().await.unwrap().user.id
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// The app's compact socket carries what a whole one does, in fewer bytes: each event,
/// restored, is the logged one but for the sender's idempotency key.
#[tokio::test]
async fn a_compact_socket_carries_every_event_of_a_whole_one() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let as_of = anna.inbox().await.as_of;
    let mut whole = anna.socket(as_of).await;
    let mut compact = anna.compact_socket(as_of).await;
    assert!(whole.replay().await.0.is_empty());
    assert!(compact.replay().await.0.is_empty());

    let visitor = server.visitor("Olena").await;
    visitor.send("Hello, is my order on its way?", "v-1").await;
    let upload = visitor.upload("invoice.pdf", PDF.to_vec()).await;
    assert_eq!(upload.status(), 200);
    let file: el_protocol::api::Attachment = upload.json().await.unwrap();
    visitor.send_files("", "v-2", &[&file.id]).await;
    visitor.send("**Urgent:** the [invoice](https://example.com/1) is _wrong_", "v-3").await;
    let id = dialog_named(&anna.inbox().await, "Olena").unwrap();
    anna.reply(id).await;
    anna.send(id, &"A long answer about deliveries. ".repeat(12), "a-1").await;
    anna.note(id, "Checked the invoice", "n-1").await;

    // The visitor's three messages, Reply's state and note, the answer, the private note.
    let (mut whole_bytes, mut compact_bytes) = (0, 0);
    let mut previews = Vec::new();
    for _ in 0..7 {
        let (full, small) = (whole.text().await, compact.text().await);
        (whole_bytes, compact_bytes) = (whole_bytes + full.len(), compact_bytes + small.len());
        let Frame::Event { seq, event: logged } = serde_json::from_str::<Frame<UserEvent>>(&full).unwrap() else {
            panic!("an event: {full}")
        };
        let Frame::Event { seq: at, event: mut restored } = serde_json::from_str::<Frame<UserEvent>>(&small).unwrap()
        else {
            panic!("an event: {small}")
        };
        assert_eq!(at, seq);
        restored.event.restore();
        // The counts a frame carries are the reader's as the socket sends it (tab totals
        // on the last frame of a pass), and the two sockets need not pass at the same
        // moments (they run on threads of their own): the events are compared.
        let (restored, mut expected) = (restored.event, logged.event);
        if let Event::MessageCreated { message, .. } = &mut expected {
            assert!(!small.contains(r#""client_msg_id""#), "{small}");
            message.client_msg_id = None;
        }
        assert_eq!(restored, expected, "restored from {small}");
        if let Event::MessageCreated { dialog, .. } = restored {
            previews.extend(dialog.last_message.map(|m| m.text));
        }
    }
    // The list shows plain words; a text with markdown's marks sends them so (the app
    // has no markdown parser for its list), others are rebuilt from the message.
    assert!(previews.contains(&"Urgent: the invoice is wrong".to_string()), "{previews:?}");
    assert!(compact_bytes * 10 < whole_bytes * 9, "{compact_bytes} bytes compact, {whole_bytes} whole");
}

#[tokio::test]
async fn new_dialogs_and_claims_reach_every_operator_live() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    // Erin works only with her own records, so she cannot follow Anna's dialogs.
    let bob = server.operator("erin").await;
    let mut anna_ws = anna.socket(anna.inbox().await.as_of).await;
    let mut bob_ws = bob.socket(bob.inbox().await.as_of).await;
    assert!(anna_ws.replay().await.0.is_empty());
    assert!(bob_ws.replay().await.0.is_empty());

    let visitor = server.visitor("Olena").await;
    visitor.send("Hello", "m-1").await;
    for ws in [&mut anna_ws, &mut bob_ws] {
        match ws.event().await.1.event {
            Event::MessageCreated { dialog, message } => {
                assert_eq!(dialog.state, DialogState::Unassigned);
                assert_eq!(message.text, "Hello");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    let id = dialog_named(&anna.inbox().await, "Olena").unwrap();
    anna.reply(id).await;
    match anna_ws.event().await.1.event {
        Event::DialogUpdated { dialog } => {
            assert_eq!(dialog.state, DialogState::Active);
            assert_eq!(dialog.members, vec![me(&anna).await]);
        }
        other => panic!("unexpected {other:?}"),
    }
    match anna_ws.event().await.1.event {
        Event::MessageCreated { message, .. } => {
            assert_eq!(message.text, "Anna Kovalenko took the dialog")
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(bob_ws.event().await.1.event, Event::DialogRemoved { dialog_id: el_protocol::DialogId(id) });

    // Messages of Anna's dialog no longer reach Erin.
    visitor.send("Are you there?", "m-2").await;
    assert!(matches!(anna_ws.event().await.1.event, Event::MessageCreated { .. }));
    assert!(bob_ws.quiet_for(300).await);
}

#[tokio::test]
async fn resuming_after_a_disconnect_loses_and_repeats_nothing() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let a = server.visitor("A").await;
    a.send("one", "a1").await;
    let old = anna.inbox().await;
    let anna_id = me(&anna).await;

    let mut ws = anna.socket(old.as_of).await;
    let (replayed, live_at) = ws.replay().await;
    assert!(replayed.is_empty());
    assert_eq!(live_at, old.as_of);
    a.send("two", "a2").await;
    let (applied, _) = ws.event().await;
    ws.close().await;

    // While disconnected: a new dialog, a claim, messages from both sides.
    let b = server.visitor("B").await;
    b.send("hello from b", "b1").await;
    let id_a = dialog_named(&anna.inbox().await, "A").unwrap();
    anna.reply(id_a).await;
    anna.send(id_a, "answer", "op1").await;
    a.send("three", "a3").await;

    let mut ws = anna.socket(applied).await;
    let (missed, live_at) = ws.replay().await;
    let seqs: Vec<i64> = missed.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs.len(), 5, "b1, the claim, its note, answer, a3, and nothing else: {missed:#?}");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, no repeats");
    assert!(seqs[0] > applied, "nothing already applied is sent again");
    let fresh = anna.inbox().await;
    assert_eq!(live_at, fresh.as_of);

    // The old snapshot plus every event since equals a fresh snapshot.
    let mut state = Inbox::from_snapshot(anna_id, old);
    state.apply(
        applied,
        &Event::MessageCreated {
            dialog: fresh.dialogs().find(|d| d.client_name == "A").unwrap().clone(),
            message: anna_chat_message(&anna, id_a, "two").await,
        },
    );
    let mut reference = state.clone();
    for (seq, event) in &missed {
        state.apply_user_event(*seq, event);
    }
    let expected = Inbox::from_snapshot(anna_id, fresh.clone());
    assert_eq!(state.sorted(), expected.sorted());
    assert_eq!(state.counts(), expected.counts());
    // A replay applied twice changes nothing.
    for (seq, event) in &missed {
        reference.apply_user_event(*seq, event);
        reference.apply_user_event(*seq, event);
    }
    assert_eq!(reference.sorted(), expected.sorted());
}

async fn anna_chat_message(anna: &common::Operator, id: i64, text: &str) -> el_protocol::api::Message {
    let chat: el_protocol::api::ChatSnapshot = anna.get(&format!("/api/dialogs/{id}")).await.json().await.unwrap();
    chat.messages.into_iter().find(|m| m.text == text).unwrap()
}

#[tokio::test]
async fn a_position_the_server_cannot_resume_from_asks_for_a_resync() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let mut ws = anna.socket(1_000_000).await;
    assert!(matches!(ws.frame::<el_protocol::events::UserEvent>().await, Frame::Resync { .. }));
}

#[tokio::test]
async fn sockets_from_another_origin_or_without_access_are_refused() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let mut request = format!("ws://{}/api/socket?since=0", server.host()).into_client_request().unwrap();
    request.headers_mut().insert("cookie", anna.cookie.parse().unwrap());
    request.headers_mut().insert("origin", "http://evil.example".parse().unwrap());
    let err = tokio_tungstenite::connect_async(request).await.unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");

    let carol = server.operator("carol").await;
    let mut request = format!("ws://{}/api/socket?since=0", server.host()).into_client_request().unwrap();
    request.headers_mut().insert("cookie", carol.cookie.parse().unwrap());
    let err = tokio_tungstenite::connect_async(request).await.unwrap_err();
    assert!(err.to_string().contains("403"), "{err}");

    let request = format!("ws://{}/api/socket?since=0", server.host()).into_client_request().unwrap();
    let err = tokio_tungstenite::connect_async(request).await.unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
}

#[tokio::test]
async fn signing_out_closes_the_socket_before_any_further_event() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let mut ws = anna.socket(anna.inbox().await.as_of).await;
    ws.replay().await;
    anna.post("/api/auth/logout", serde_json::json!({})).await;
    server.visitor("Olena").await.send("Hello", "m-1").await;
    let next = tokio::time::timeout(std::time::Duration::from_secs(5), ws.ws.next()).await.unwrap();
    match next {
        Some(Ok(WsMessage::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 4401),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn the_visitor_socket_streams_only_their_own_conversation() {
    let server = TestServer::start().await;
    let olena = server.visitor("Olena").await;
    let other = server.visitor("Other").await;
    olena.send("Hello", "m-1").await;
    let mut ws = olena.socket().await;

    let anna = server.operator("anna").await;
    let id = dialog_named(&anna.inbox().await, "Olena").unwrap();
    anna.reply(id).await; // writes a system note: not for the client
    other.send("Not for Olena", "o-1").await;
    anna.send(id, "How can I help?", "op-1").await;
    match ws.frame::<WidgetMessage>().await {
        Frame::Event { event, .. } => {
            assert_eq!(event.text, "How can I help?");
            assert!(!event.mine);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(ws.quiet_for(300).await);

    let bad = format!("ws://{}/api/widget/socket?token=nope&since=0", server.host()).into_client_request().unwrap();
    assert!(tokio_tungstenite::connect_async(bad).await.unwrap_err().to_string().contains("401"));
}

/// The socket speaks the protocol as browsers and libraries expect: a ping is answered
/// with its payload, a close with a close; a frame the protocol forbids (a client's
/// frame unmasked) closes it with 1002; a plain request is told what the address takes.
#[tokio::test]
async fn the_socket_answers_pings_and_closes_as_the_protocol_says() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let mut ws = anna.socket(anna.inbox().await.as_of).await;
    ws.replay().await;
    futures_util::SinkExt::send(&mut ws.ws, WsMessage::Ping(b"are you there".to_vec().into())).await.unwrap();
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), ws.ws.next()).await.unwrap();
    assert!(matches!(&answer, Some(Ok(WsMessage::Pong(p))) if &p[..] == b"are you there"), "{answer:?}");
    futures_util::SinkExt::send(&mut ws.ws, WsMessage::Close(None)).await.unwrap();
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), ws.ws.next()).await.unwrap();
    assert!(matches!(answer, Some(Ok(WsMessage::Close(_)))), "{answer:?}");
    let after = tokio::time::timeout(std::time::Duration::from_secs(5), ws.ws.next()).await.unwrap();
    assert!(matches!(after, None | Some(Err(_))), "the connection ends: {after:?}");

    // By hand: the handshake, then a text frame without a mask.
    let (mut tcp, head) = raw_socket(&server, &anna.cookie).await;
    assert!(
        head.to_lowercase().contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "RFC 6455's example: {head}"
    );
    tcp.write_all(b"\x81\x02hi").await.unwrap();
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read_to_end(&mut rest)).await.unwrap();
    let frames = server_frames(&rest);
    let (_, close) = frames.iter().find(|(opcode, _)| *opcode == 0x8).expect("a close frame after the replay");
    assert_eq!(&close[..2], &1002u16.to_be_bytes(), "protocol error");

    let plain = anna.get("/api/socket?since=0").await;
    assert_eq!(plain.status(), 400);
    assert!(plain.text().await.unwrap().contains("WebSocket"));
}

/// When the server closes (here: the user signed out), the connection stays open for
/// the peer's answer, so the peer never loses the close frame to a reset.
#[tokio::test]
async fn the_servers_close_waits_for_the_peers_answer() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let (mut tcp, _) = raw_socket(&server, &anna.cookie).await;
    anna.post("/api/auth/logout", serde_json::json!({})).await;
    let mut got = Vec::new();
    let close = loop {
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut chunk)).await.unwrap().unwrap();
        assert!(n > 0, "the connection ended before the close frame");
        got.extend_from_slice(&chunk[..n]);
        if let Some((_, close)) = server_frames(&got).into_iter().find(|(opcode, _)| *opcode == 0x8) {
            break close;
        }
    };
    assert_eq!(&close[..2], &4401u16.to_be_bytes());
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(std::time::Duration::from_millis(300), tcp.read(&mut byte)).await;
    assert!(early.is_err(), "still open for the answer: {early:?}");
    tcp.write_all(&[0x88, 0x80, 0, 0, 0, 0]).await.unwrap();
    let end = tokio::time::timeout(std::time::Duration::from_secs(2), tcp.read(&mut byte)).await.unwrap().unwrap();
    assert_eq!(end, 0, "then it ends");
}

/// Opens the operator socket over plain TCP; the stream after the handshake, and the
/// response's head.
async fn raw_socket(server: &TestServer, cookie: &str) -> (tokio::net::TcpStream, String) {
    let mut tcp = tokio::net::TcpStream::connect(server.host()).await.unwrap();
    let host = server.host();
    let handshake = format!(
        "GET /api/socket?since=0 HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nUpgrade: websocket\r\n\
         Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n"
    );
    tcp.write_all(handshake.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.unwrap());
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    (tcp, head)
}

/// The whole frames a server sent (never masked) at the start of `bytes`: opcode, payload.
fn server_frames(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    let mut at = 0;
    while bytes.len() >= at + 2 {
        let (opcode, short) = (bytes[at] & 0x0f, (bytes[at + 1] & 0x7f) as usize);
        let (head, len) = match short {
            126 if bytes.len() >= at + 4 => (4, u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize),
            127 if bytes.len() >= at + 10 => {
                (10, u64::from_be_bytes(bytes[at + 2..at + 10].try_into().unwrap()) as usize)
            }
            126 | 127 => break,
            n => (2, n),
        };
        if bytes.len() < at + head + len {
            break;
        }
        frames.push((opcode, bytes[at + head..at + head + len].to_vec()));
        at += head + len;
    }
    frames
}
