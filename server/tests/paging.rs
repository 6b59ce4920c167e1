//! The inbox in pages: each tab is read page after page in its order, totals count
//! whole tabs, and a client that pages while dialogs change ends equal to a fresh read.

mod common;

use common::{dialog_named, Operator, TestServer};
use el_protocol::api::{ApiError, DialogSummary, MessagePage, PageQuery, CHAT_PAGE, CHAT_PAGE_BYTES, MAX_CHAT_PAGE};
use el_protocol::inbox::{Inbox, Tab};
use el_protocol::DialogId;
use std::time::Duration;

/// `n` clients who wrote one after the other; their names are `C1`..`Cn`.
async fn clients(server: &TestServer, n: usize) -> Vec<common::Visitor> {
    let mut all = Vec::new();
    for i in 1..=n {
        let visitor = server.visitor(&format!("C{i}")).await;
        assert_eq!(visitor.send("Hello", &format!("c{i}")).await.status(), 200);
        tokio::time::sleep(Duration::from_millis(3)).await;
        all.push(visitor);
    }
    all
}

fn names<'a>(dialogs: impl IntoIterator<Item = &'a DialogSummary>) -> Vec<String> {
    dialogs.into_iter().map(|d| d.client_name.clone()).collect()
}

#[tokio::test]
async fn pages_walk_a_tab_newest_first_and_totals_count_the_whole_tab() {
    let server = TestServer::start().await;
    clients(&server, 5).await;
    let anna = server.operator("anna").await;

    let snapshot = anna.inbox_paged(2).await;
    let unassigned = &snapshot.pages[0];
    assert_eq!(
        (unassigned.tab, names(&unassigned.dialogs), unassigned.more),
        (Tab::Unassigned, vec!["C5".into(), "C4".into()], true)
    );
    assert_eq!(unassigned.totals.dialogs.get(Tab::Unassigned), 5);
    assert_eq!(unassigned.totals.unread.get(Tab::Unassigned), 5, "one unread message from each client");
    assert!(snapshot.pages[1].dialogs.is_empty() && !snapshot.pages[1].more, "nothing Active yet");

    let whole = anna.whole_tab(Tab::Unassigned, 2).await;
    assert_eq!(names(&whole), ["C5", "C4", "C3", "C2", "C1"], "every dialog once, in order");
    let one_by_one = anna.whole_tab(Tab::Unassigned, 1).await;
    assert_eq!(names(&one_by_one), names(&whole));
}

#[tokio::test]
async fn writing_reads_the_dialog_and_totals_ride_on_socket_events() {
    let server = TestServer::start().await;
    let (visitor, anna, id) = server.taken_by("anna", "Olena").await;
    let totals = |s: &el_protocol::api::InboxSnapshot| s.pages[0].totals;
    anna.send(id, "Hello! How can I help?", "a0").await;
    let before = anna.inbox().await;
    assert_eq!(before.unread(DialogId(id)), 0, "answering reads the dialog");
    assert_eq!(totals(&before).unread.get(Tab::Active), 0);
    assert_eq!(totals(&before).dialogs.get(Tab::Active), 1);

    let mut ws = anna.socket(before.as_of).await;
    ws.replay().await;
    visitor.send("Is it in stock?", "q1").await;
    let (_, event) = ws.event().await;
    assert_eq!(event.unread, Some(1));
    assert_eq!(event.totals.expect("the batch's totals").unread.get(Tab::Active), 1);

    anna.send(id, "Yes, it is.", "a1").await;
    let (_, event) = ws.event().await;
    assert_eq!(event.unread, Some(0), "answering reads what came before");
    assert_eq!(event.totals.unwrap().unread.get(Tab::Active), 0);
}

/// Applies every page still missing, as the SPA does while the user scrolls.
async fn load_all_pages(inbox: &mut Inbox, op: &Operator) {
    for tab in Tab::ALL {
        while let Some(cursor) = inbox.next_page(tab) {
            inbox.apply_page(op.page(&PageQuery::after(tab, Some(cursor), 2)).await);
        }
    }
}

#[tokio::test]
async fn paging_while_dialogs_change_ends_equal_to_a_fresh_read() {
    for pages_first in [true, false] {
        let server = TestServer::start().await;
        let visitors = clients(&server, 6).await;
        let (anna, bob) = (server.operator("anna").await, server.operator("bob").await);
        let me = anna.me().await.user.id;
        let old = anna.inbox_paged(2).await;
        let c3 = dialog_named(&anna.inbox_paged(10).await, "C3").unwrap();

        // While Anna has only the first page: the oldest client writes again (to the
        // top), Bob takes C3 (out of her inbox), a new client writes, Anna takes C5.
        visitors[0].send("Anyone?", "again").await;
        assert_eq!(bob.reply(c3).await.status(), 200);
        server.visitor("New").await.send("Hi there", "n1").await;
        let c5 = dialog_named(&old, "C5").unwrap();
        assert_eq!(anna.reply(c5).await.status(), 200);
        let mut ws = anna.socket(old.as_of).await;
        let (events, _) = ws.replay().await;

        let mut inbox = Inbox::from_snapshot(me, old);
        if pages_first {
            load_all_pages(&mut inbox, &anna).await;
        }
        for (seq, event) in &events {
            inbox.apply_user_event(*seq, event);
        }
        load_all_pages(&mut inbox, &anna).await;

        let fresh = Inbox::from_snapshot(me, anna.inbox_paged(100).await);
        for tab in Tab::ALL {
            assert_eq!(names(inbox.list(tab)), names(fresh.list(tab)), "{tab:?}, pages first: {pages_first}");
        }
        assert_eq!(
            names(inbox.list(Tab::Unassigned)),
            ["New", "C1", "C6", "C4", "C2"],
            "the newcomer, then C1 who wrote again"
        );
        assert_eq!((inbox.counts(), inbox.unread_counts()), (fresh.counts(), fresh.unread_counts()));
        assert_eq!(inbox.sorted(), fresh.sorted());
    }
}

#[tokio::test]
async fn bad_page_requests_get_clear_errors() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    for path in ["/api/dialogs/page?tab=nope", "/api/dialogs/page", "/api/dialogs?limit=many"] {
        let r = anna.get(path).await;
        assert_eq!(r.status(), 400, "{path}");
        assert!(!r.json::<ApiError>().await.unwrap().message.is_empty(), "{path}");
    }
    let r = anna.get("/api/dialogs/page?tab=active&limit=0").await;
    assert_eq!(r.status(), 200, "a page size out of range is brought within it");
    let carol = server.operator("carol").await;
    assert_eq!(carol.get("/api/dialogs/page?tab=unassigned").await.status(), 403);
}

/// The ids of a chat read page after page from its newest page up, oldest first.
async fn read_chat_upwards(op: &Operator, id: i64, limit: usize) -> (Vec<i64>, usize) {
    let snapshot: el_protocol::api::ChatSnapshot =
        common::ok(op.get(&format!("/api/dialogs/{id}?limit={limit}")).await).await;
    let mut ids: Vec<i64> = snapshot.messages.iter().map(|m| m.id.0).collect();
    let (mut has_older, mut pages) = (snapshot.has_older, 1);
    while has_older {
        let path = format!("/api/dialogs/{id}/messages?before={}&limit={limit}", ids[0]);
        let page: MessagePage = common::ok(op.get(&path).await).await;
        assert!(!page.messages.is_empty(), "a page that says more is older is never empty");
        ids.splice(0..0, page.messages.iter().map(|m| m.id.0));
        has_older = page.has_older;
        pages += 1;
    }
    (ids, pages)
}

#[tokio::test]
async fn a_chat_opens_with_its_newest_page_and_reads_older_pages_upwards() {
    let server = TestServer::start().await;
    let (visitor, anna, id) = server.taken_by("anna", "Olena").await;
    for i in 0..120 {
        assert_eq!(visitor.send(&format!("message {i}"), &format!("k{i}")).await.status(), 200);
    }
    let chat = anna.chat(id).await;
    assert_eq!(chat.messages.len(), CHAT_PAGE, "the default page");
    assert!(chat.has_older);
    assert_eq!(chat.messages.last().unwrap().text, "message 119", "the newest message ends the page");

    let (ids, pages) = read_chat_upwards(&anna, id, 50).await;
    // Olena's first message, "Anna took the dialog", then the 120.
    assert_eq!(ids.len(), 122);
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "every message once, in order");
    assert_eq!(pages, 3);
    let (small, small_pages) = read_chat_upwards(&anna, id, 7).await;
    assert_eq!((small, small_pages), (ids.clone(), 18));

    // Long messages make short pages: the visitor's 10,000-character messages do not
    // make the chat's first answer megabytes long.
    for i in 0..60 {
        assert_eq!(visitor.send(&"x".repeat(10_000), &format!("long{i}")).await.status(), 200);
    }
    let r = anna.get(&format!("/api/dialogs/{id}?limit={MAX_CHAT_PAGE}")).await;
    let body = r.bytes().await.unwrap();
    assert!(body.len() < CHAT_PAGE_BYTES + 64 * 1024, "{} bytes", body.len());
    let chat: el_protocol::api::ChatSnapshot = serde_json::from_slice(&body).unwrap();
    assert!(chat.has_older && chat.messages.len() < 30, "{} messages", chat.messages.len());
    let (all, _) = read_chat_upwards(&anna, id, MAX_CHAT_PAGE).await;
    assert_eq!(all.len(), 182, "nothing is skipped between short pages");
}

#[tokio::test]
async fn older_pages_follow_the_readers_rights_and_bad_queries_get_clear_errors() {
    let server = TestServer::start().await;
    let (_visitor, anna, id) = server.taken_by("anna", "Olena").await;
    let newest = anna.chat(id).await.messages.last().unwrap().id.0;
    let erin = server.operator("erin").await;
    let path = format!("/api/dialogs/{id}/messages?before={newest}");
    assert_eq!(erin.get(&path).await.status(), 404, "Erin may not open Anna's dialog");
    let page: MessagePage = common::ok(anna.get(&path).await).await;
    assert_eq!((page.messages.len(), page.has_older), (1, false), "Olena's first message");

    for bad in [
        format!("/api/dialogs/{id}/messages"),
        format!("/api/dialogs/{id}/messages?before=x"),
        format!("/api/dialogs/{id}?limit=-1"),
    ] {
        let message = common::refused(anna.get(&bad).await, 400).await;
        assert!(!message.is_empty(), "{bad}");
    }
    let r = anna.get(&format!("/api/dialogs/{id}?limit=0")).await;
    assert_eq!(r.status(), 200, "a page size out of range is brought within it");
}
