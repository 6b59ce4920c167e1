//! The queue: a channel set to "in turn" offers each new dialog to one available
//! operator (Online, app open, under their maximum) at a time; only they see it in
//! Unassigned; Away, leaving or letting the offer run out passes it on; atomic.

mod common;

use common::{ok, refused, Operator, Socket, TestServer, Visitor};
use el_protocol::api::{DialogState, DialogSummary, Me};
use el_protocol::inbox::Tab;
use el_protocol::queue::{QueueOverview, WaitingDialog};
use el_protocol::UserId;
use serde_json::json;
use std::future::Future;
use std::time::Duration;

impl Operator {
    async fn queue(&self) -> QueueOverview {
        ok(self.get("/api/queue").await).await
    }

    async fn presence(&self, presence: &str) -> Me {
        ok(self.put("/api/me/presence", json!({ "presence": presence })).await).await
    }

    /// The dialog as it shows in this operator's Unassigned tab, if it does.
    async fn unassigned(&self, id: i64) -> Option<DialogSummary> {
        self.whole_tab(Tab::Unassigned, 100).await.into_iter().find(|d| d.id.0 == id)
    }

    /// The operator's own id.
    async fn id(&self) -> UserId {
        self.me().await.user.id
    }
}

/// Sets the website channel's routing as an administrator.
async fn route(admin: &Operator, routing: &str, offer_seconds: u32) {
    let website = admin.queue().await.channels.into_iter().find(|c| c.name == "Website").unwrap();
    let path = format!("/api/queue/channels/{}", website.channel_id.0);
    ok::<QueueOverview>(admin.put(&path, json!({ "routing": routing, "offer_seconds": offer_seconds })).await).await;
}

/// Waits (up to 5 s) until `check` answers something.
async fn eventually<T, F: Future<Output = Option<T>>>(what: &str, mut check: impl FnMut() -> F) -> T {
    for _ in 0..100 {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 5 s");
}

/// The dialog's place in the queue, once it is offered to someone.
async fn offered(admin: &Operator, id: i64) -> WaitingDialog {
    eventually("an offer", || async {
        admin.queue().await.waiting.into_iter().find(|w| w.dialog_id.0 == id && w.offer.is_some())
    })
    .await
}

/// Waits until the dialog is offered to `to`.
async fn offered_to(admin: &Operator, id: i64, to: UserId) {
    eventually("the offer to move", || async {
        let waiting = admin.queue().await.waiting.into_iter().find(|w| w.dialog_id.0 == id);
        waiting.filter(|w| w.offer.is_some_and(|o| o.to == to)).map(|_| ())
    })
    .await
}

/// Operators with the app open (their sockets), by login.
async fn connected(server: &TestServer, logins: &[&str]) -> Vec<(Operator, Socket)> {
    let mut out = Vec::new();
    for login in logins {
        let op = server.operator(login).await;
        let ws = op.socket(0).await;
        out.push((op, ws));
    }
    out
}

async fn new_dialog(server: &TestServer, admin: &Operator, client: &str) -> (Visitor, i64) {
    let visitor = server.visitor(client).await;
    assert_eq!(visitor.send("Hello", &format!("{client}-1")).await.status(), 200);
    let id = admin.queue().await.waiting.iter().find(|w| w.name == client).expect("waiting in turn").dialog_id.0;
    (visitor, id)
}

#[tokio::test]
async fn a_new_dialog_is_offered_to_one_operator_and_passes_on_when_they_go_away() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    route(&admin, "in_turn", 60).await;
    let ops = connected(&server, &["anna", "bob"]).await;
    let (anna, bob) = (&ops[0].0, &ops[1].0);
    let (anna_id, bob_id) = (anna.id().await, bob.id().await);
    let (_olena, id) = new_dialog(&server, &admin, "Olena").await;

    // The first in turn (nobody had an offer yet: the lower id) gets it, for 60 s.
    let waiting = offered(&admin, id).await;
    let offer = waiting.offer.unwrap();
    assert_eq!(offer.to, anna_id);
    let left = offer.until - admin.queue().await.now;
    assert!((50_000..=60_000).contains(&left), "offered for {left} ms");
    let shown = anna.unassigned(id).await.expect("in Anna's Unassigned");
    assert_eq!(shown.offer.map(|o| o.to), Some(anna_id));
    assert!(bob.unassigned(id).await.is_none(), "Bob does not see a dialog offered to Anna");
    assert_eq!(bob.inbox().await.pages[0].totals.dialogs.get(Tab::Unassigned), 0);
    assert_eq!(anna.inbox().await.pages[0].totals.dialogs.get(Tab::Unassigned), 1);

    // Anna goes Away: she leaves her place and the dialog passes to Bob at once.
    assert_eq!(anna.presence("away").await.presence, el_protocol::queue::Presence::Away);
    offered_to(&admin, id, bob_id).await;
    assert!(anna.unassigned(id).await.is_none());
    assert!(bob.unassigned(id).await.is_some());
    let operators = admin.queue().await.operators;
    let anna_row = operators.iter().find(|o| o.user.id == anna_id).unwrap();
    assert_eq!(anna_row.presence, el_protocol::queue::Presence::Away);
    assert!(anna_row.connected);

    // Bob takes it with Reply: it is his, and out of the queue.
    let taken: DialogSummary = ok(bob.reply(id).await).await;
    assert_eq!(taken.state, DialogState::Active);
    assert_eq!(taken.offer, None);
    assert!(admin.queue().await.waiting.is_empty());
}

#[tokio::test]
async fn a_dialog_offered_as_it_comes_never_shows_to_the_others() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    route(&admin, "in_turn", 60).await;
    let ops = connected(&server, &["anna", "erin"]).await;
    let (mut anna_ws, mut erin_ws) = (ops[0].0.socket(0).await, ops[1].0.socket(0).await);
    anna_ws.replay().await;
    erin_ws.replay().await;
    let (_olena, id) = new_dialog(&server, &admin, "Olena").await;
    let (_, first) = anna_ws.event().await;
    let el_protocol::events::Event::MessageCreated { dialog, .. } = first.event else { panic!("{first:?}") };
    assert_eq!((dialog.id.0, dialog.offer.map(|o| o.to)), (id, Some(ops[0].0.id().await)), "offered as it came");
    assert!(erin_ws.quiet_for(500).await, "Erin (own records only) hears nothing of it");
}

#[tokio::test]
async fn an_offer_that_runs_out_passes_to_the_next_operator() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    route(&admin, "in_turn", 10).await;
    let ops = connected(&server, &["anna", "bob"]).await;
    let (anna_id, bob_id) = (ops[0].0.id().await, ops[1].0.id().await);
    let (_olena, id) = new_dialog(&server, &admin, "Olena").await;
    offered_to(&admin, id, anna_id).await;
    tokio::time::sleep(Duration::from_secs(9)).await;
    assert_eq!(offered(&admin, id).await.offer.unwrap().to, anna_id, "still Anna's before 10 s");
    offered_to(&admin, id, bob_id).await;
    assert!(ops[0].0.unassigned(id).await.is_none());
    // Anna's Reply still wins the dialog for her while nobody else took it.
    let taken: DialogSummary = ok(ops[0].0.reply(id).await).await;
    assert_eq!(taken.members, vec![anna_id]);
}

#[tokio::test]
async fn operators_offline_or_at_their_maximum_are_passed_over_until_they_can_take_more() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    let ops = connected(&server, &["anna"]).await;
    let anna = &ops[0].0;
    let anna_id = anna.id().await;
    let bob = server.operator("bob").await; // signed in, but the app is not open
    let (_olena, _, first) = server.taken_by("anna", "Olena").await;
    let path = format!("/api/queue/operators/{}", anna_id.0);
    let overview: QueueOverview = ok(admin.put(&path, json!({ "max_active": 1 })).await).await;
    let row = overview.operators.iter().find(|o| o.user.id == anna_id).unwrap();
    assert!(row.at_capacity() && row.active == 1 && row.max_active == Some(1));
    route(&admin, "in_turn", 60).await;

    // Nobody can take it: it waits, shown to everyone in Unassigned meanwhile.
    let (_taras, id) = new_dialog(&server, &admin, "Taras").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let waiting = admin.queue().await.waiting;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].offer, None, "Anna is at her maximum and Bob is offline");
    assert!(bob.unassigned(id).await.is_some_and(|d| d.offer.is_none()));

    // Anna ends her dialog: she has room again and the waiting dialog is offered to her.
    assert_eq!(anna.act(first, "end", json!({})).await.status(), 200);
    offered_to(&admin, id, anna_id).await;
    assert!(bob.unassigned(id).await.is_none());
}

#[tokio::test]
async fn dialogs_go_round_in_turn_and_racing_replies_leave_one_owner_each() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    route(&admin, "in_turn", 60).await;
    let ops = connected(&server, &["anna", "bob"]).await;
    let ids = [ops[0].0.id().await, ops[1].0.id().await];
    let mut dialogs = Vec::new();
    for (i, client) in ["Olena", "Taras", "Iryna", "Mykola"].into_iter().enumerate() {
        let (visitor, id) = new_dialog(&server, &admin, client).await;
        offered_to(&admin, id, ids[i % 2]).await;
        dialogs.push((visitor, id));
    }
    // Both press Reply on every dialog at once: exactly one owner each.
    let mut races = Vec::new();
    for (_, id) in &dialogs {
        for (op, _) in &ops {
            races.push(op.reply(*id));
        }
    }
    let statuses: Vec<u16> = futures_util::future::join_all(races).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), dialogs.len(), "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    for (_, id) in &dialogs {
        let chat = admin.chat(*id).await;
        assert_eq!(chat.dialog.members.len(), 1);
        assert_eq!(chat.dialog.offer, None);
    }
    assert!(admin.queue().await.waiting.is_empty());
}

#[tokio::test]
async fn only_administrators_manage_the_queue_and_settings_are_bounded() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    let anna = server.operator("anna").await;
    assert!(refused(anna.get("/api/queue").await, 403).await.contains("administrators"));
    let channel = admin.queue().await.channels[0].channel_id.0;
    let path = format!("/api/queue/channels/{channel}");
    refused(anna.put(&path, json!({ "routing": "in_turn", "offer_seconds": 30 })).await, 403).await;
    let too_short = admin.put(&path, json!({ "routing": "in_turn", "offer_seconds": 5 })).await;
    assert_eq!(refused(too_short, 400).await, "The offer time must be from 10 to 600 seconds.");
    let unknown = admin.put("/api/queue/channels/999", json!({ "routing": "in_turn", "offer_seconds": 30 })).await;
    refused(unknown, 404).await;
    let bad = admin.put("/api/queue/channels/1", json!({ "routing": "sometimes", "offer_seconds": 30 })).await;
    assert!(bad.status().is_client_error());
    let anna_id = anna.id().await.0;
    let zero = admin.put(&format!("/api/queue/operators/{anna_id}"), json!({ "max_active": 0 })).await;
    assert!(refused(zero, 400).await.contains("from 1 to 100"));
    refused(admin.put("/api/queue/operators/999", json!({ "max_active": 3 })).await, 404).await;
    // A user without External Lines has no presence to set.
    let carol = server.operator("carol").await;
    refused(carol.put("/api/me/presence", json!({ "presence": "away" })).await, 403).await;
}

#[tokio::test]
async fn back_to_everyone_at_once_the_offered_dialogs_show_to_everyone_again() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    route(&admin, "in_turn", 60).await;
    let ops = connected(&server, &["anna"]).await;
    let bob = server.operator("bob").await;
    let mut bob_ws = bob.socket(bob.inbox().await.as_of).await;
    bob_ws.replay().await;
    let (_olena, id) = new_dialog(&server, &admin, "Olena").await;
    offered(&admin, id).await;
    assert!(bob.unassigned(id).await.is_none());
    route(&admin, "everyone", 60).await;
    let shown = bob.unassigned(id).await.expect("everyone's again");
    assert_eq!(shown.offer, None);
    assert!(ops[0].0.unassigned(id).await.is_some());
    // Bob's socket heard the dialog come back with no offer.
    loop {
        let (_, event) = bob_ws.event().await;
        if let el_protocol::events::Event::DialogUpdated { dialog } = event.event {
            if dialog.id.0 == id && dialog.offer.is_none() {
                break;
            }
        }
    }
}
