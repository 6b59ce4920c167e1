//! Every dialog action of the seed: rights, state transitions, system notes, and what
//! happens when two people act at once.

mod common;

use common::{dialog_named, Operator, TestServer};
use el_protocol::api::{ApiError, DialogState, DialogSummary, Me};
use el_protocol::events::Event;
use el_protocol::inbox::{Inbox, Tab};
use el_protocol::notices::Notice;
use serde_json::json;

async fn ok(r: reqwest::Response) -> DialogSummary {
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn refused(r: reqwest::Response, status: u16, message: &str) {
    assert_eq!(r.status(), status);
    assert_eq!(r.json::<ApiError>().await.unwrap().message, message);
}

async fn last_note(op: &Operator, id: i64) -> String {
    op.chat(id).await.messages.last().unwrap().text.clone()
}

async fn user_id(server: &TestServer, login: &str) -> i64 {
    server.operator(login).await.me().await.user.id.0
}

#[tokio::test]
async fn join_makes_a_viewer_a_member() {
    let server = TestServer::start().await;
    let (_, id) = server.dialog_from("Olena").await;
    let (anna, bob, erin) =
        (server.operator("anna").await, server.operator("bob").await, server.operator("erin").await);
    refused(bob.act(id, "join", json!({})).await, 409, "Nobody works on this dialog yet: press Reply to take it.")
        .await;
    ok(anna.reply(id).await).await;

    let d = ok(bob.act(id, "join", json!({})).await).await;
    assert_eq!(d.members.len(), 2);
    assert_eq!(last_note(&anna, id).await, "Bob Marchenko joined the dialog");
    let joined = anna.chat(id).await.messages.last().unwrap().notice.clone();
    assert_eq!(joined, Some(Notice::Joined { who: "Bob Marchenko".into() }), "the note as data, for the app to word");
    assert!(bob.inbox().await.dialogs().any(|d| d.id.0 == id), "in Bob's Active tab");
    assert_eq!(bob.send(id, "Hi, I'm Bob", "b-1").await.status(), 200);
    refused(bob.act(id, "join", json!({})).await, 409, "You are already a member of this dialog.").await;
    // Erin may not open others' dialogs, so she cannot join either (and learns nothing).
    assert_eq!(erin.act(id, "join", json!({})).await.status(), 404);
}

#[tokio::test]
async fn add_to_dialog_then_leave_while_someone_stays() {
    let server = TestServer::start().await;
    let (_, id) = server.dialog_from("Olena").await;
    let (anna, bob, dave) =
        (server.operator("anna").await, server.operator("bob").await, server.operator("dave").await);
    ok(anna.reply(id).await).await;
    let (bob_id, dave_id, carol_id) =
        (user_id(&server, "bob").await, user_id(&server, "dave").await, user_id(&server, "carol").await);

    refused(
        bob.act(id, "members", json!({"user_ids": [dave_id]})).await,
        403,
        "Only members of the dialog can do this. Join the dialog first.",
    )
    .await;
    refused(
        anna.act(id, "members", json!({"user_ids": [carol_id]})).await,
        400,
        "Carol Shevchenko has no access to External Lines.",
    )
    .await;
    refused(
        anna.act(id, "members", json!({"user_ids": []})).await,
        400,
        "Choose at least one user who is not in the dialog yet.",
    )
    .await;
    assert_eq!(anna.chat(id).await.dialog.members.len(), 1, "a refused Add changes nothing");

    let d = ok(anna.act(id, "members", json!({"user_ids": [bob_id, dave_id]})).await).await;
    assert_eq!(d.members.len(), 3);
    assert_eq!(last_note(&anna, id).await, "Anna Kovalenko added Bob Marchenko and Dave Bondarenko to the dialog");
    assert!(dave.inbox().await.dialogs().any(|d| d.id.0 == id), "in Dave's Active tab");

    ok(anna.act(id, "leave", json!({})).await).await;
    assert_eq!(last_note(&bob, id).await, "Anna Kovalenko left the dialog");
    let anna_me = anna.me().await.user.id;
    let inbox = Inbox::from_snapshot(anna_me, anna.inbox().await);
    assert_eq!(inbox.counts().get(Tab::Active), 0, "gone from the leaver's Active tab");
    refused(
        anna.act(id, "leave", json!({})).await,
        403,
        "Only members of the dialog can do this. Join the dialog first.",
    )
    .await;

    ok(dave.act(id, "leave", json!({})).await).await;
    refused(
        bob.act(id, "leave", json!({})).await,
        409,
        "You are the only member of this dialog. Redirect it or end it instead.",
    )
    .await;
}

#[tokio::test]
async fn redirect_hands_over_with_a_pinned_note() {
    let server = TestServer::start().await;
    let (_, id) = server.dialog_from("Olena").await;
    let (anna, bob) = (server.operator("anna").await, server.operator("bob").await);
    ok(anna.reply(id).await).await;
    let (anna_id, bob_id, carol_id) =
        (user_id(&server, "anna").await, user_id(&server, "bob").await, user_id(&server, "carol").await);

    refused(
        anna.act(id, "redirect", json!({"user_id": anna_id})).await,
        400,
        "Choose another user to redirect the dialog to.",
    )
    .await;
    refused(
        anna.act(id, "redirect", json!({"user_id": carol_id})).await,
        400,
        "Carol Shevchenko has no access to External Lines.",
    )
    .await;
    refused(anna.act(id, "redirect", json!({"user_id": 9999})).await, 400, "There is no such user.").await;
    let long = "n".repeat(1001);
    refused(
        anna.act(id, "redirect", json!({"user_id": bob_id, "note": long})).await,
        400,
        "The note is too long: at most 1000 characters.",
    )
    .await;

    let d =
        ok(anna.act(id, "redirect", json!({"user_id": bob_id, "note": "  Wants delivery to Lviv on Friday  "})).await)
            .await;
    assert_eq!(d.members, vec![el_protocol::UserId(bob_id)]);
    let handover = d.handover.unwrap();
    assert_eq!(
        (handover.from.0, handover.to.0, handover.note.as_str()),
        (anna_id, bob_id, "Wants delivery to Lviv on Friday")
    );
    assert_eq!(last_note(&bob, id).await, "Anna Kovalenko redirected the dialog to Bob Marchenko");
    assert_eq!(anna.send(id, "still here?", "a-late").await.status(), 403, "Anna is no longer a member");
    assert!(dialog_named(&bob.inbox().await, "Olena").is_some());
}

#[tokio::test]
async fn rename_shows_everywhere_and_an_empty_name_restores_the_clients() {
    let server = TestServer::start().await;
    let (_, id) = server.dialog_from("Olena").await;
    let (anna, bob) = (server.operator("anna").await, server.operator("bob").await);
    ok(anna.reply(id).await).await;
    refused(
        bob.patch(id, json!({"name": "Mine"})).await,
        403,
        "Only members of the dialog can do this. Join the dialog first.",
    )
    .await;
    let d = ok(anna.patch(id, json!({"name": "  Olena — wholesale order  "})).await).await;
    assert_eq!(d.name, "Olena — wholesale order");
    assert_eq!(d.client_name, "Olena");
    assert_eq!(last_note(&anna, id).await, "Anna Kovalenko renamed the dialog to \"Olena — wholesale order\"");
    assert_eq!(anna.inbox().await.dialogs().next().unwrap().name, "Olena — wholesale order");
    assert_eq!(anna.patch(id, json!({"name": "x".repeat(81)})).await.status(), 400);
    let d = ok(anna.patch(id, json!({"name": ""})).await).await;
    assert_eq!(d.name, "Olena");
}

#[tokio::test]
async fn end_dialog_and_start_again() {
    let server = TestServer::start().await;
    let (_, id) = server.dialog_from("Olena").await;
    let (anna, bob) = (server.operator("anna").await, server.operator("bob").await);
    ok(anna.reply(id).await).await;
    refused(bob.act(id, "end", json!({})).await, 403, "Only members of the dialog can do this. Join the dialog first.")
        .await;

    let d = ok(anna.act(id, "end", json!({})).await).await;
    assert_eq!((d.state, d.spam), (DialogState::Ended, false));
    assert_eq!(last_note(&anna, id).await, "Dialog ended by Anna Kovalenko");
    let inbox = Inbox::from_snapshot(anna.me().await.user.id, anna.inbox().await);
    assert_eq!(inbox.list(Tab::Inactive).count(), 1, "in Anna's Inactive tab");
    refused(anna.send(id, "more", "a-x").await, 409, "This dialog is closed. Start it again to write.").await;
    refused(anna.act(id, "end", json!({})).await, 409, "This dialog has ended. Press Start to work on it again.").await;
    refused(bob.act(id, "start", json!({})).await, 403, "Only users who worked on this dialog can start it again.")
        .await;

    let d = ok(anna.act(id, "start", json!({})).await).await;
    assert_eq!(d.state, DialogState::Active);
    assert_eq!(last_note(&anna, id).await, "Anna Kovalenko started the dialog again");
    assert_eq!(anna.send(id, "I'm back", "a-back").await.status(), 200);
    refused(anna.act(id, "start", json!({})).await, 409, "This dialog is not ended: there is nothing to start.").await;
}

#[tokio::test]
async fn a_client_writing_again_brings_an_ended_dialog_back_to_its_operator() {
    let server = TestServer::start().await;
    let (visitor, id) = server.dialog_from("Olena").await;
    let anna = server.operator("anna").await;
    ok(anna.reply(id).await).await;
    ok(anna.act(id, "end", json!({})).await).await;

    visitor.send("One more question", "m-2").await;
    let chat = anna.chat(id).await;
    assert_eq!(chat.dialog.state, DialogState::Active);
    assert_eq!(chat.dialog.members, vec![anna.me().await.user.id]);
    let texts: Vec<_> = chat.messages.iter().rev().take(2).map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["One more question", "The client wrote again: the dialog is open"]);
    assert_eq!(anna.inbox().await.dialogs().count(), 1, "the same dialog, not a new one");
}

#[tokio::test]
async fn spam_closes_the_dialog_and_keeps_it_closed_until_started() {
    let server = TestServer::start().await;
    let (visitor, id) = server.dialog_from("Spammer").await;
    let anna = server.operator("anna").await;
    ok(anna.reply(id).await).await;
    let d = ok(anna.act(id, "spam", json!({})).await).await;
    assert_eq!((d.state, d.spam), (DialogState::Ended, true));
    assert_eq!(last_note(&anna, id).await, "Marked as spam by Anna Kovalenko");

    visitor.send("BUY CHEAP WATCHES", "s-2").await;
    let chat = anna.chat(id).await;
    assert_eq!((chat.dialog.state, chat.dialog.spam), (DialogState::Ended, true), "stays closed");
    assert_eq!(chat.messages.last().unwrap().text, "BUY CHEAP WATCHES", "nothing is lost");
    let unassigned = anna.inbox().await.dialogs().filter(|d| d.state == DialogState::Unassigned).count();
    assert_eq!(unassigned, 0, "nobody is disturbed");

    let d = ok(anna.act(id, "start", json!({})).await).await;
    assert_eq!((d.state, d.spam), (DialogState::Active, false));
}

#[tokio::test]
async fn conflicting_actions_at_once_have_one_winner() {
    let server = TestServer::start().await;
    let (_, id) = server.dialog_from("Olena").await;
    let (anna, bob) = (server.operator("anna").await, server.operator("bob").await);
    ok(anna.reply(id).await).await;
    ok(bob.act(id, "join", json!({})).await).await;
    let (dave_id, erin_id) = (user_id(&server, "dave").await, user_id(&server, "erin").await);

    let (a, b) = tokio::join!(
        anna.act(id, "redirect", json!({"user_id": dave_id})),
        bob.act(id, "redirect", json!({"user_id": erin_id})),
    );
    let statuses = [a.status().as_u16(), b.status().as_u16()];
    assert!(statuses.contains(&200) && statuses.contains(&403), "one redirect wins: {statuses:?}");
    let members = anna.chat(id).await.dialog.members;
    assert_eq!(members.len(), 1, "exactly one receiver: {members:?}");

    let receiver = if members[0].0 == dave_id { server.operator("dave").await } else { server.operator("erin").await };
    let other = server.operator("admin").await;
    ok(other.act(id, "join", json!({})).await).await;
    let (a, b) = tokio::join!(receiver.act(id, "end", json!({})), other.act(id, "end", json!({})));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one End wins, the other learns it has ended");
    let ended = other.chat(id).await.messages.iter().filter(|m| m.text.starts_with("Dialog ended by")).count();
    assert_eq!(ended, 1);
}

#[tokio::test]
async fn do_not_show_again_is_remembered_on_the_server() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    assert!(anna.me().await.settings.confirm_end_dialog);
    let r =
        anna.http.put(server.url("/api/me/settings")).json(&json!({"confirm_end_dialog": false})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.json::<Me>().await.unwrap().settings.confirm_end_dialog);
    let again = server.operator("anna").await;
    assert!(!again.me().await.settings.confirm_end_dialog, "kept across sessions");
    assert!(server.operator("bob").await.me().await.settings.confirm_end_dialog, "per user");
}

/// DESIGN.md's proof: for every event type, an older snapshot plus the events since
/// equals a fresh snapshot, for every kind of reader.
#[tokio::test]
async fn every_event_type_applied_to_an_old_snapshot_gives_a_fresh_snapshot() {
    let server = TestServer::start().await;
    let readers = [server.operator("anna").await, server.operator("bob").await, server.operator("erin").await];
    let mut old = Vec::new();
    for r in &readers {
        old.push((r.me().await.user.id, r.inbox().await));
    }

    let (anna, bob) = (&readers[0], &readers[1]);
    let (bob_id, erin_id) = (user_id(&server, "bob").await, user_id(&server, "erin").await);
    let (visitor, id) = server.dialog_from("Olena").await;
    let (_, other) = server.dialog_from("Taras").await;
    let (spammer, spam_id) = server.dialog_from("Spammer").await;
    ok(anna.reply(id).await).await;
    ok(bob.reply(other).await).await;
    ok(anna.reply(spam_id).await).await;
    anna.send(id, "Hello from Anna", "a-1").await;
    ok(bob.act(id, "join", json!({})).await).await;
    ok(anna.patch(id, json!({"name": "Olena (VIP)"})).await).await;
    ok(bob.act(id, "leave", json!({})).await).await;
    ok(anna.act(id, "members", json!({"user_ids": [erin_id]})).await).await;
    ok(anna.act(id, "redirect", json!({"user_id": bob_id, "note": "over to you"})).await).await;
    assert_eq!(bob.act(id, "read", json!({})).await.status(), 204);
    ok(bob.act(id, "end", json!({})).await).await;
    visitor.send("Wait, one more thing", "m-9").await;
    ok(anna.act(spam_id, "spam", json!({})).await).await;
    spammer.send("still spamming", "s-9").await;
    ok(anna.act(spam_id, "start", json!({})).await).await;

    for ((me, snapshot), reader) in old.into_iter().zip(&readers) {
        let mut ws = reader.socket(snapshot.as_of).await;
        let (events, _) = ws.replay().await;
        let kinds: std::collections::HashSet<_> = events
            .iter()
            .map(|(_, e)| match e.event {
                Event::DialogUpdated { .. } => "updated",
                Event::MessageCreated { .. } => "message",
                Event::MessageUpdated { .. } => "message updated",
                Event::DialogRemoved { .. } => "removed",
                Event::DialogRead { .. } => "read",
            })
            .collect();
        let mut state = Inbox::from_snapshot(me, snapshot);
        for (seq, event) in &events {
            state.apply_user_event(*seq, event);
        }
        let fresh = Inbox::from_snapshot(me, reader.inbox().await);
        assert_eq!(state.sorted(), fresh.sorted(), "reader {me}");
        assert_eq!(state.counts(), fresh.counts(), "reader {me}");
        if me.0 == erin_id {
            // Erin may open none of these dialogs now: the replay tells her only that
            // they left her inbox, none of what was said in them.
            assert_eq!(kinds, ["removed"].into(), "Erin lost sight of dialogs: {kinds:?}");
            continue;
        }
        assert!(kinds.contains("updated") && kinds.contains("message"), "reader {me} saw {kinds:?}");
        if me.0 == bob_id {
            assert!(kinds.contains("read"), "Bob's own read reaches him: {kinds:?}");
        }
    }
}

#[tokio::test]
async fn unread_counts_what_others_wrote_since_the_last_read() {
    let server = TestServer::start().await;
    let (visitor, id) = server.dialog_from("Olena").await;
    let (anna, bob) = (server.operator("anna").await, server.operator("bob").await);
    let unread = |snapshot: &el_protocol::api::InboxSnapshot| snapshot.unread(el_protocol::DialogId(id));
    assert_eq!(unread(&anna.inbox().await), 1, "the client's first message");
    assert_eq!(unread(&bob.inbox().await), 1, "Unassigned dialogs count for everyone");

    ok(anna.reply(id).await).await;
    assert_eq!(unread(&anna.inbox().await), 1, "the system note of Reply does not count");
    anna.send(id, "Hi!", "a-1").await;
    assert_eq!(unread(&anna.inbox().await), 0, "writing reads what came before; my own messages do not count");
    visitor.send("Two", "m-2").await;
    visitor.send("Three", "m-3").await;
    assert_eq!(unread(&anna.inbox().await), 2);
    assert_eq!(unread(&bob.inbox().await), 0, "not in Bob's inbox any more");

    let mut ws = anna.socket(anna.inbox().await.as_of).await;
    ws.replay().await;
    assert_eq!(anna.act(id, "read", json!({})).await.status(), 204);
    let (_, read) = ws.event().await;
    assert_eq!(read.event, Event::DialogRead { dialog_id: el_protocol::DialogId(id), user: anna.me().await.user.id });
    assert_eq!(read.unread, Some(0));
    assert_eq!(unread(&anna.inbox().await), 0);

    visitor.send("Four", "m-4").await;
    let (_, next) = ws.event().await;
    assert!(matches!(next.event, Event::MessageCreated { .. }));
    assert_eq!(next.unread, Some(1), "each event carries the reader's count");

    // Reading is per user, and needs the right to open the dialog.
    let erin = server.operator("erin").await;
    assert_eq!(erin.act(id, "read", json!({})).await.status(), 404);
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

async fn put_avatar(op: &Operator, id: i64, bytes: Vec<u8>) -> reqwest::Response {
    op.http.put(format!("{}/api/dialogs/{id}/avatar", op.base)).body(bytes).send().await.unwrap()
}

#[tokio::test]
async fn a_dialog_image_is_sniffed_limited_and_shown_only_to_who_may_open_the_dialog() {
    let server = TestServer::start().await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    let (bob, erin) = (server.operator("bob").await, server.operator("erin").await);

    refused(
        put_avatar(&anna, id, b"<svg onload=alert(1)>".to_vec()).await,
        400,
        "Choose a PNG, JPEG, GIF or WebP image.",
    )
    .await;
    let mut big = PNG.to_vec();
    big.resize(1024 * 1024 + 1, 0);
    refused(put_avatar(&anna, id, big).await, 413, "The image is too large: at most 1 MB.").await;
    refused(
        put_avatar(&bob, id, PNG.to_vec()).await,
        403,
        "Only members of the dialog can do this. Join the dialog first.",
    )
    .await;
    assert_eq!(anna.chat(id).await.dialog.avatar, None, "refused uploads change nothing");

    let d = ok(put_avatar(&anna, id, PNG.to_vec()).await).await;
    let url = d.avatar.expect("the dialog has an image");
    assert!(url.starts_with("/api/files/"), "{url}");
    assert_eq!(last_note(&anna, id).await, "Anna Kovalenko changed the dialog's image");

    let r = bob.get(&url).await;
    assert_eq!(r.status(), 200, "Bob may open the dialog, so he sees its image");
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(erin.get(&url).await.status(), 404, "Erin may not open the dialog");
    assert_eq!(anna.get("/api/files/..%2F..%2Fetc%2Fpasswd").await.status(), 404);
    assert_eq!(reqwest::get(server.url(&url)).await.unwrap().status(), 401, "signed-in users only");
}

#[tokio::test]
async fn add_to_dialog_takes_each_user_once_and_a_bounded_list() {
    let server = TestServer::start().await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    let bob_id = user_id(&server, "bob").await;
    let many: Vec<i64> = std::iter::repeat_n(bob_id, 100_000).collect();
    refused(anna.act(id, "members", json!({ "user_ids": many })).await, 400, "Add at most 50 users at once.").await;
    ok(anna.act(id, "members", json!({ "user_ids": [bob_id, bob_id, bob_id] })).await).await;
    assert_eq!(last_note(&anna, id).await, "Anna Kovalenko added Bob Marchenko to the dialog");
}

#[tokio::test]
async fn reply_to_a_dialog_one_may_not_open_says_only_not_found() {
    let server = TestServer::start().await;
    let (_, _anna, id) = server.taken_by("anna", "Olena").await;
    let (erin, bob) = (server.operator("erin").await, server.operator("bob").await);
    // Just taken: whoever saw it in Unassigned lost a race and learns who won it.
    refused(erin.reply(id).await, 409, "This dialog was already taken by Anna Kovalenko.").await;
    // Taken long ago: Erin, who may not open it, learns nothing; Bob, who may, does.
    let state = &server.server.as_ref().unwrap().state;
    state
        .db
        .run(move |c| Ok(c.execute("UPDATE dialog_members SET since = 0 WHERE dialog_id = ?1", [id])?))
        .await
        .unwrap();
    assert_eq!(erin.reply(id).await.status(), 404);
    refused(bob.reply(id).await, 409, "This dialog was already taken by Anna Kovalenko.").await;
}

#[tokio::test]
async fn previews_times_and_order_follow_what_people_said() {
    let server = TestServer::start().await;
    let (visitor, anna, first) = server.taken_by("anna", "First").await;
    let (_, second) = server.dialog_from("Second").await;
    let before = anna.inbox().await;
    let summary = |s: &el_protocol::api::InboxSnapshot, id: i64| s.dialogs().find(|d| d.id.0 == id).unwrap().clone();
    // Anna's Reply wrote a system note; the row still shows the client's message.
    let row = summary(&before, first);
    assert_eq!(row.last_message.as_ref().unwrap().text, "Hello");
    let at = row.last_activity_at;
    // Notes (joins, renames, hand-overs) move neither the preview, the time nor the order.
    let bob = server.operator("bob").await;
    ok(bob.act(first, "join", json!({})).await).await;
    ok(anna.patch(first, json!({"name": "First (VIP)"})).await).await;
    let after = anna.inbox().await;
    let row = summary(&after, first);
    assert_eq!(row.last_message.as_ref().unwrap().text, "Hello");
    assert_eq!(row.last_activity_at, at);
    assert!(summary(&after, second).last_activity_at > at, "the newer client message stays on top");
    // People's messages do, as plain words (markdown's marks and line breaks left out).
    visitor.send("**Any news?**\nSee [my order](https://example.com/o/1)", "first-2").await;
    let row = summary(&anna.inbox().await, first);
    assert_eq!(row.last_message.as_ref().unwrap().text, "Any news? See my order");
    assert!(row.last_activity_at > at);
}

#[tokio::test]
async fn notification_preferences_are_per_user_and_on_until_turned_off() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    let settings = anna.me().await.settings;
    assert!(settings.notify_desktop && settings.notify_sound, "on for a new user");
    let r = anna
        .http
        .put(server.url("/api/me/settings"))
        .json(&json!({"confirm_end_dialog": true, "notify_desktop": true, "notify_sound": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let saved = r.json::<Me>().await.unwrap().settings;
    assert!((saved.notify_desktop, saved.notify_sound) == (true, false));
    let again = server.operator("anna").await.me().await.settings;
    assert_eq!(again, saved, "kept across sessions");
    assert!(server.operator("bob").await.me().await.settings.notify_sound, "per user");
    let r = anna.http.put(server.url("/api/me/settings")).json(&json!({"notify_sound": "loud"})).send().await.unwrap();
    assert_eq!(r.status(), 422, "a wrong value is refused");
    assert!(!anna.me().await.settings.notify_sound, "and changes nothing");
}

#[tokio::test]
async fn the_theme_follows_the_system_until_the_user_chooses_one() {
    use el_protocol::api::Theme;
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    assert_eq!(anna.me().await.settings.theme, Theme::System);
    let put = |body: serde_json::Value| anna.http.put(server.url("/api/me/settings")).json(&body).send();
    let r = put(json!({"theme": "dark"})).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Me>().await.unwrap().settings.theme, Theme::Dark);
    assert_eq!(server.operator("anna").await.me().await.settings.theme, Theme::Dark, "kept across sessions");
    assert_eq!(server.operator("bob").await.me().await.settings.theme, Theme::System, "per user");
    let r = put(json!({"theme": "purple"})).await.unwrap();
    assert_eq!(r.status(), 422, "an unknown theme is refused");
    assert_eq!(anna.me().await.settings.theme, Theme::Dark, "and changes nothing");
}

#[tokio::test]
async fn the_language_follows_the_browser_until_the_user_chooses_one() {
    use el_protocol::api::Language;
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    assert_eq!(anna.me().await.settings.language, Language::Browser);
    let put = |body: serde_json::Value| anna.http.put(server.url("/api/me/settings")).json(&body).send();
    let r = put(json!({"language": "uk", "theme": "dark"})).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Me>().await.unwrap().settings.language, Language::Uk);
    let again = server.operator("anna").await.me().await.settings;
    assert_eq!((again.language, again.theme), (Language::Uk, el_protocol::api::Theme::Dark), "kept across sessions");
    assert_eq!(server.operator("bob").await.me().await.settings.language, Language::Browser, "per user");
    let r = put(json!({"language": "fr"})).await.unwrap();
    assert_eq!(r.status(), 422, "a language the app does not have is refused");
    assert_eq!(anna.me().await.settings.language, Language::Uk, "and changes nothing");
}
