//! Two server instances on one database, as for a restart without downtime: what is
//! written through either reaches the sockets of both, and so do typing signals; failed
//! sign-ins count together; a change of rights made on one reaches sockets held by the
//! other at once.

mod common;

use common::{dialog_named, TestServer};
use el_protocol::api::ApiError;
use el_protocol::events::{Event, Frame, UserEvent};
use el_protocol::permissions::RolesOverview;
use std::time::{Duration, Instant};

#[tokio::test]
async fn what_either_instance_stores_reaches_the_sockets_of_both() {
    let a = TestServer::start().await;
    let b = a.beside().await;
    let anna = a.operator("anna").await;
    let mut anna_ws = anna.compact_socket(anna.inbox().await.as_of).await;
    anna_ws.replay().await;

    // The visitor's widget talks to the other instance.
    let visitor = b.visitor("Olena").await;
    let mut visitor_ws = visitor.socket().await;
    let sent = Instant::now();
    assert_eq!(visitor.send("Hello from the other instance", "v-1").await.status(), 200);
    match anna_ws.event().await.1.event {
        Event::MessageCreated { message, .. } => assert_eq!(message.text, "Hello from the other instance"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(sent.elapsed() < Duration::from_secs(1), "took {:?}", sent.elapsed());

    let id = dialog_named(&anna.inbox().await, "Olena").unwrap();
    assert_eq!(anna.reply(id).await.status(), 200);
    assert_eq!(anna.send(id, "Hello, Olena", "a-1").await.status(), 200);
    // The visitor's socket, on the other instance, has their own message, then Anna's.
    for expected in ["Hello from the other instance", "Hello, Olena"] {
        match visitor_ws.frame::<el_protocol::api::WidgetMessage>().await {
            Frame::Event { event, .. } => assert_eq!(event.text, expected),
            other => panic!("unexpected {other:?}"),
        }
    }
    // Both instances' inboxes say the same: one dialog, Anna's.
    let bob_on_b = b.operator("bob").await;
    let summary = bob_on_b.inbox().await;
    assert_eq!(dialog_named(&summary, "Olena"), None, "taken by Anna: not in Bob's Unassigned");
    assert_eq!(bob_on_b.chat(id).await.messages.last().unwrap().text, "Hello, Olena");
    b.server.unwrap().shutdown().await.unwrap();
}

#[tokio::test]
async fn failed_sign_ins_count_across_instances() {
    let a = TestServer::start().await;
    let b = a.beside().await;
    let sign_in = |server: &TestServer, password: &'static str| {
        let url = server.url("/api/auth/login");
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({"login": "bob", "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    // Five wrong passwords, spread over both instances: the fourth and fifth are not free.
    for server in [&a, &b, &a, &b, &a] {
        assert_eq!(sign_in(server, "guess").await.status(), 401);
    }
    for server in [&a, &b] {
        let r = sign_in(server, "demo").await;
        assert_eq!(r.status(), 429, "each instance knows of all five");
        assert_eq!(r.json::<ApiError>().await.unwrap().message, "Too many failed sign-ins. Try again in 1 second.");
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(sign_in(&b, "demo").await.status(), 200);
    b.server.unwrap().shutdown().await.unwrap();
}

#[tokio::test]
async fn a_role_changed_on_one_instance_resyncs_sockets_on_the_other_at_once() {
    let a = TestServer::start().await;
    let b = a.beside().await;
    let admin = a.operator("admin").await;
    let bob = b.operator("bob").await;
    let mut socket = bob.socket(0).await;
    socket.replay().await;
    let roles: RolesOverview = admin.get("/api/roles").await.json().await.unwrap();
    let own = roles.roles.iter().find(|r| r.leads.view == el_protocol::permissions::ViewScope::Own).unwrap().id;
    let bob_id = bob.me().await.user.id;
    let changed = Instant::now();
    let r = admin.put(&format!("/api/users/{bob_id}/role"), serde_json::json!({"role": own})).await;
    assert_eq!(r.status(), 200);
    match socket.frame::<UserEvent>().await {
        Frame::Resync { reason } => assert_eq!(reason, "Your permissions have changed."),
        other => panic!("expected a resync, got {other:?}"),
    }
    // Sockets re-read rights on their own only every minute: this came from the change.
    assert!(changed.elapsed() < Duration::from_secs(2), "took {:?}", changed.elapsed());
    b.server.unwrap().shutdown().await.unwrap();
}

#[tokio::test]
async fn typing_reaches_sockets_on_the_other_instance() {
    let a = TestServer::start().await;
    let (olena, anna, id) = a.taken_by("anna", "Olena").await;
    let b = a.beside().await;
    let bob_on_b = b.operator("bob").await;
    let mut bob_ws = bob_on_b.socket(bob_on_b.inbox().await.as_of).await;
    bob_ws.replay().await;
    let mut anna_ws = anna.socket(anna.inbox().await.as_of).await;
    anna_ws.replay().await;
    let olena_on_b = common::Visitor { base: b.base.clone(), ..olena };
    let mut olena_ws = olena_on_b.socket().await;

    // The visitor's widget reaches instance B; Anna's socket is on A.
    assert_eq!(olena_on_b.typing().await.status(), 204);
    let heard = Frame::Typing { dialog_id: el_protocol::DialogId(id), name: "Olena".into() };
    assert_eq!(anna_ws.frame::<UserEvent>().await, heard);
    assert_eq!(bob_ws.frame::<UserEvent>().await, heard, "and Bob's, on B itself, once");
    assert!(bob_ws.quiet_for(300).await);
    // Anna types on A: the visitor's socket on B hears her.
    assert_eq!(anna.post(&format!("/api/dialogs/{id}/typing"), serde_json::json!({})).await.status(), 204);
    let anna_types = Frame::Typing { dialog_id: el_protocol::DialogId(id), name: "Anna Kovalenko".into() };
    assert_eq!(olena_ws.frame::<el_protocol::api::WidgetMessage>().await, anna_types);
    assert!(anna_ws.quiet_for(300).await, "Anna does not hear herself, from either instance");
    b.server.unwrap().shutdown().await.unwrap();
}

/// 50 operators' tabs, on both instances, press Reply on 100 new dialogs at once: each
/// dialog ends with exactly one owner, and everyone else was told who took it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn operators_racing_reply_on_both_instances_leave_one_owner_per_dialog() {
    let a = TestServer::start().await;
    let b = a.beside().await;
    for i in 0..100 {
        let visitor = [&a, &b][i % 2].visitor(&format!("Racer {i}")).await;
        assert_eq!(visitor.send("Hello", &format!("r-{i}")).await.status(), 200);
    }
    // One signed-in session per operator and instance; 50 tabs share them.
    let mut sessions = Vec::new();
    for server in [&a, &b] {
        for login in ["anna", "bob", "dave", "erin"] {
            sessions.push((login, server.operator(login).await));
        }
    }
    let dialogs: Vec<i64> =
        sessions[0].1.whole_tab(el_protocol::inbox::Tab::Unassigned, 50).await.iter().map(|d| d.id.0).collect();
    assert_eq!(dialogs.len(), 100);
    let tabs = (0..50).map(|tab| {
        let (login, op) = &sessions[tab % sessions.len()];
        let dialogs = &dialogs;
        async move {
            let mut won = Vec::new();
            // Each tab goes through the dialogs from its own starting point.
            for k in 0..dialogs.len() {
                let id = dialogs[(tab * 7 + k) % dialogs.len()];
                let r = op.reply(id).await;
                match r.status().as_u16() {
                    200 => won.push((id, *login)),
                    409 => {}
                    other => panic!("Reply answered {other}: {}", r.text().await.unwrap()),
                }
            }
            won
        }
    });
    let won: Vec<(i64, &str)> = futures_util::future::join_all(tabs).await.into_iter().flatten().collect();
    let mut claimed: Vec<i64> = won.iter().map(|(id, _)| *id).collect();
    claimed.sort();
    assert_eq!(
        claimed,
        dialogs.iter().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect::<Vec<_>>(),
        "every dialog was won exactly once"
    );
    // What both instances store: the winner, and only the winner, owns each dialog.
    let mut ids = std::collections::HashMap::new();
    for (login, op) in &sessions {
        ids.insert(*login, op.me().await.user.id);
    }
    for (id, login) in won {
        // Read through either instance (Anna's session on A, then on B).
        let reader = &sessions[if id % 2 == 0 { 0 } else { 4 }].1;
        assert_eq!(reader.chat(id).await.dialog.members, [ids[login]], "dialog {id}");
    }
    b.server.unwrap().shutdown().await.unwrap();
}

/// A file sent through one instance is served by the other.
#[tokio::test]
async fn files_stored_through_one_instance_are_served_by_the_other() {
    let a = TestServer::start().await;
    let b = a.beside().await;
    let (_, anna, id) = a.taken_by("anna", "Olena").await;
    let r = anna.upload(id, "offer.pdf", b"%PDF-1.7 the offer".to_vec()).await;
    assert_eq!(r.status(), 200);
    let file: el_protocol::api::Attachment = r.json().await.unwrap();
    assert_eq!(anna.send_files(id, "The offer", "f-1", &[&file.id]).await.status(), 200);
    let anna_on_b = b.operator("anna").await;
    let got = anna_on_b.get(&format!("/api/files/{}", file.id)).await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"%PDF-1.7 the offer");
    b.server.unwrap().shutdown().await.unwrap();
}
