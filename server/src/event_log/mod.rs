//! The global event log (append inside the caller's transaction, read in order) and
//! the hub: each server process reads each new event from the log once, keeps the
//! newest ones in memory with the counts they imply ([`Feed`]), and wakes the sockets,
//! which take what they need from there without touching the database.

pub mod store;

pub use store::{Typing, Typist};

use crate::db::{now_ms, Db};
use crate::error::AppResult;
use crate::socket::Outgoing;
use el_protocol::api::TabTotals;
use el_protocol::counts::{Counts, DialogFacts};
use el_protocol::events::Event;
use el_protocol::permissions::Access;
use el_protocol::{Seq, UserId};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use tokio::sync::watch;

/// Events read from the log per database call.
const READ_BATCH: usize = 1000;
/// How often the feed looks for what other instances on the same database wrote (and
/// for changes of rights they made).
const OTHER_INSTANCES_EVERY: std::time::Duration = std::time::Duration::from_millis(50);
/// The least time between two wake-ups of the sockets for new events, per open socket,
/// up to [`PULSE_SPACING_MAX`]: about what one write costs. Waking them sooner
/// only makes more, smaller writes; under load the events of a few milliseconds leave
/// in one write per socket instead. At 1,000 messages a second to 500 operators the
/// server made some 130,000 writes a second, most of its CPU, and p99 delivery fell
/// from 20.5 to 16 ms (`scripts/bench.sh`, see the README). A lone message, long after
/// the last, waits for nothing.
const PULSE_SPACING_PER_SOCKET: std::time::Duration = std::time::Duration::from_micros(10);
const PULSE_SPACING_MAX: std::time::Duration = std::time::Duration::from_millis(5);
/// How long typing signals stay in the database for other instances to take.
const TYPING_RELAYED_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// One event of the log as the sockets share it: parsed once, serialized once.
#[derive(Debug)]
pub struct Logged {
    pub seq: Seq,
    pub event: Event,
    /// `event` as JSON, the same for every reader that receives it whole.
    pub json: String,
    /// [`Event::compact`] as JSON, for sockets that asked for it, when it differs.
    pub compact_json: Option<String>,
    /// The event's dialog as it was just before the event.
    pub before: Before,
    /// Frames already built of this event, shared by every reader whose frame is the
    /// same (most operators have the same counts for a dialog they all see); `None`
    /// once the event is older than the newest [`FRAMES_KEPT_FOR`], when only a reader
    /// catching up still needs it.
    frames: Mutex<Option<Vec<(FrameKey, Outgoing)>>>,
}

/// What makes one operator's frame of an event differ from another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameKey {
    pub compact: bool,
    pub unread: Option<u32>,
    pub totals: Option<TabTotals>,
}

/// Different frames kept per event; readers with yet other counts build their own.
const FRAMES_SHARED: usize = 8;
/// How many of the newest events keep their frames (at most some 6 MB in all).
const FRAMES_KEPT_FOR: usize = 1000;

/// What the feed knew of an event's dialog just before the event.
#[derive(Debug)]
pub enum Before {
    /// Not known: the event was loaded from the log at start.
    Unknown,
    /// The dialog did not exist yet.
    New,
    Known(DialogFacts),
}

impl Logged {
    fn new(seq: Seq, event: Event, before: Before) -> Logged {
        let json = serde_json::to_string(&event).unwrap_or_else(|_| "{}".into());
        let compact_json = event.compact().and_then(|c| serde_json::to_string(&c).ok());
        Logged { seq, event, json, compact_json, before, frames: Mutex::new(Some(Vec::new())) }
    }

    /// The frame of this event for `key`, built by `build` once and then shared.
    pub fn frame(&self, key: FrameKey, build: impl FnOnce() -> String) -> Outgoing {
        let mut frames = self.frames.lock().unwrap_or_else(|p| p.into_inner());
        let Some(frames) = frames.as_mut() else { return Outgoing::text(&build()) };
        if let Some((_, frame)) = frames.iter().find(|(k, _)| *k == key) {
            return frame.clone();
        }
        let frame = Outgoing::text(&build());
        if frames.len() < FRAMES_SHARED {
            frames.push((key, frame.clone()));
        }
        frame
    }

    /// Lets go of the frames built of this event; later readers build their own.
    fn forget_frames(&self) {
        *self.frames.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Could `user` open the event's dialog just before it? (When unknown, yes: a reader
    /// is then told of a removal it may not need.)
    pub fn could_open_before(&self, user: UserId, access: &Access) -> bool {
        match &self.before {
            Before::Unknown => true,
            Before::New => false,
            Before::Known(facts) => facts.reach().may_open(user, access),
        }
    }
}

/// The reader was further behind than the feed keeps: it must reload its snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behind;

/// What the process knows of the log: its newest events and the counts as of `head`.
#[derive(Debug)]
pub struct Feed {
    events: VecDeque<Arc<Logged>>,
    /// Every event after `floor` up to `head` is in `events`.
    floor: Seq,
    head: Seq,
    capacity: usize,
    pub counts: Counts,
    /// The newest typing signals, numbered from 1 as they came.
    typing: VecDeque<(u64, Arc<Typing>)>,
    typing_count: u64,
    /// The [`store::rights_version`] last read with the log.
    rights: i64,
}

impl Feed {
    /// How many typing signals have come: a socket hears those after this number.
    pub fn typing_count(&self) -> u64 {
        self.typing_count
    }

    /// The typing signals after number `seen` (those kept), and the newest number.
    pub fn typing_after(&self, seen: u64) -> (impl Iterator<Item = &Typing>, u64) {
        let newer = self.typing.iter().filter(move |(n, _)| *n > seen).map(|(_, t)| t.as_ref());
        (newer, self.typing_count)
    }

    /// The newest log position the feed has taken in.
    pub fn head(&self) -> Seq {
        self.head
    }

    /// Up to `limit` events after `since`, oldest first.
    pub fn after(&self, since: Seq, limit: usize) -> Result<impl Iterator<Item = &Logged>, Behind> {
        if since < self.floor {
            return Err(Behind);
        }
        let start = self.events.partition_point(|e| e.seq <= since);
        Ok(self.events.range(start..).take(limit).map(|e| e.as_ref()))
    }

    /// Takes in the next events of the log, in order (those it has are skipped: the
    /// feed's task and the writer's hook may read the same ones).
    fn take(&mut self, events: Vec<(Seq, Event)>) {
        for (seq, event) in events {
            if seq <= self.head {
                continue;
            }
            let before = match self.counts.facts(event.dialog_id()) {
                Some(facts) => Before::Known(facts.clone()),
                None => Before::New,
            };
            self.counts.apply(&event);
            self.events.push_back(Arc::new(Logged::new(seq, event, before)));
            self.head = seq;
            if let Some(old) = self.events.len().checked_sub(FRAMES_KEPT_FOR + 1).and_then(|i| self.events.get(i)) {
                old.forget_frames();
            }
        }
        while self.events.len() > self.capacity {
            if let Some(old) = self.events.pop_front() {
                self.floor = old.seq;
            }
        }
    }
}

/// Wakes the feed when the log grows and the sockets when the feed does, and tells
/// sockets when rights change and when the server stops.
#[derive(Clone)]
pub struct Hub {
    feed: Arc<RwLock<Feed>>,
    /// What wakes the feed's task: the newest committed position announced by this
    /// process, and asks to look at the database (after a change of rights).
    committed: watch::Sender<Committed>,
    /// What sockets wait for: one receiver each, as every receiver a task waits on is
    /// registered and dropped again at each of its wake-ups.
    fed: watch::Sender<Pulse>,
    closing: watch::Sender<bool>,
    /// Where typing signals go for the other instances on the database.
    db: Db,
    /// This instance's name among them (random, new at each start).
    instance: Arc<str>,
}

/// What wakes the feed's task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Committed {
    seq: Seq,
    /// Bumped to have the feed read the database even when it has every event.
    looks: u64,
}

/// What wakes the sockets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pulse {
    /// The feed's head.
    pub head: Seq,
    /// Bumped when users' rights or sessions change (before the events that follow).
    pub rights: u64,
    /// The server is shutting down.
    pub closing: bool,
}

/// Typing signals kept for sockets to take (one further behind misses some: they only
/// say "still typing").
const TYPING_KEPT: usize = 256;

impl Hub {
    /// Loads the counts and the newest `capacity` events, all as of one log position.
    pub async fn load(db: &Db, capacity: usize) -> AppResult<Hub> {
        let capacity = capacity.max(1);
        let feed = db
            .read(move |conn| {
                let head = store::head(conn)?;
                let counts = crate::dialogs::store::counts(conn)?;
                let events = store::newest(conn, head, capacity)?;
                let floor = events.first().map_or(head, |(seq, _)| seq - 1);
                let mut feed = Feed {
                    events: VecDeque::new(),
                    floor,
                    head,
                    capacity,
                    counts,
                    typing: VecDeque::new(),
                    typing_count: 0,
                    rights: store::rights_version(conn)?,
                };
                for (seq, event) in events {
                    feed.events.push_back(Arc::new(Logged::new(seq, event, Before::Unknown)));
                }
                feed.events.iter().rev().skip(FRAMES_KEPT_FOR).for_each(|old| old.forget_frames());
                Ok(feed)
            })
            .await?;
        let head = feed.head;
        let hub = Hub {
            feed: Arc::new(RwLock::new(feed)),
            committed: watch::channel(Committed { seq: head, looks: 0 }).0,
            fed: watch::channel(Pulse { head, ..Pulse::default() }).0,
            closing: watch::channel(false).0,
            db: db.clone(),
            instance: crate::tokens::new_token().into(),
        };
        let (feed, fed, committed) = (hub.feed.clone(), hub.fed.clone(), hub.committed.clone());
        db.after_commit(Box::new(move |conn| {
            // What the writer just committed, read on its own connection (its pages are
            // at hand): the feed has it before the feed's task wakes to pass it on.
            let from = feed.read().unwrap_or_else(|p| p.into_inner()).head;
            match store::after(conn, from, READ_BATCH).and_then(|events| Ok((events, store::rights_version(conn)?))) {
                Ok((events, rights)) => {
                    let head = take(&feed, &fed, events, rights);
                    announce(&committed, head);
                }
                Err(e) => tracing::warn!(error = %e, "reading the event log after a commit failed"),
            }
        }))?;
        Ok(hub)
    }

    /// Announces that the log has grown to `seq` (after the transaction committed).
    pub fn published(&self, seq: Seq) {
        announce(&self.committed, seq);
    }

    /// Tells the sockets that someone is typing, here at once and on the other instances
    /// through the database (not waited for: a signal only says "still typing").
    pub fn typing(&self, typing: Typing) {
        let (db, instance, relayed) = (self.db.clone(), self.instance.clone(), typing.clone());
        tokio::spawn(async move {
            let stored = db.transaction(move |tx| store::add_typing(tx, &instance, &relayed, now_ms())).await;
            if let Err(e) = stored {
                tracing::warn!(error = %e, "passing a typing signal to other instances failed");
            }
        });
        self.hear(typing);
    }

    /// Keeps a typing signal in the feed beside the events, taken with them when the
    /// sockets wake (whoever has no socket open misses it).
    fn hear(&self, typing: Typing) {
        let head = {
            let mut feed = self.feed.write().unwrap_or_else(|p| p.into_inner());
            feed.typing_count += 1;
            let n = feed.typing_count;
            feed.typing.push_back((n, Arc::new(typing)));
            if feed.typing.len() > TYPING_KEPT {
                feed.typing.pop_front();
            }
            feed.head
        };
        self.fed.send_modify(|pulse| pulse.head = head);
    }

    /// A transaction that marked a change of rights or sessions
    /// ([`store::rights_changed`]) committed: the feed looks at once, and every socket
    /// re-reads its reader's rights before it sends anything that came after.
    pub fn rights_changed(&self) {
        self.committed.send_modify(|c| c.looks += 1);
    }

    /// The feed, to read from (briefly: the feed task waits while it is held).
    pub fn feed(&self) -> RwLockReadGuard<'_, Feed> {
        self.feed.read().unwrap_or_else(|p| p.into_inner())
    }

    /// A receiver that changes whenever the feed grows, rights change or the server
    /// begins to shut down.
    pub fn subscribe(&self) -> watch::Receiver<Pulse> {
        self.fed.subscribe()
    }

    /// A receiver that turns true when the server shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Asks every socket to close.
    pub fn close_all(&self) {
        self.closing.send_replace(true);
        self.fed.send_modify(|pulse| pulse.closing = true);
    }

    /// The feed's task: wakes the sockets, spaced, when the feed grew; tells them when
    /// rights changed. On SQLite the writer's hook (see [`Hub::load`]) has usually put
    /// this instance's new events in the feed already; the task reads the log itself
    /// when it lacks what was announced, after a change of rights, on PostgreSQL's
    /// notice, and every [`OTHER_INSTANCES_EVERY`] for what other instances on the same
    /// database wrote. Runs until the server stops.
    pub async fn run(self) {
        let db = self.db.clone();
        let mut committed = self.committed.subscribe();
        let mut closing = self.closing();
        let mut others = tokio::time::interval(OTHER_INSTANCES_EVERY);
        others.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut forget_typing = tokio::time::interval(TYPING_RELAYED_FOR);
        let mut typing_seen = None;
        let mut notified = db.notified();
        let mut last_pulse = tokio::time::Instant::now();
        let (mut pulsed, mut looks) = (self.feed().head, committed.borrow_and_update().looks);
        let mut look = true;
        loop {
            let mut full = false;
            if look {
                let (from, instance) = (self.feed().head, self.instance.clone());
                let read = db.read(move |conn| {
                    let typing = match typing_seen {
                        Some(after) => store::typing_after(conn, after, &instance)?,
                        None => (Vec::new(), store::typing_head(conn)?),
                    };
                    Ok((store::after(conn, from, READ_BATCH)?, store::rights_version(conn)?, typing))
                });
                match read.await {
                    Ok((events, rights, (typing, newest))) => {
                        typing_seen = Some(newest);
                        for signal in typing {
                            self.hear(signal);
                        }
                        full = events.len() == READ_BATCH;
                        take(&self.feed, &self.fed, events, rights);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "reading the event log failed");
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                        continue;
                    }
                }
            }
            let head = self.feed().head;
            if head > pulsed {
                self.fed.send_modify(|pulse| pulse.head = head);
                (pulsed, last_pulse) = (head, tokio::time::Instant::now());
            }
            if full {
                continue;
            }
            look = true;
            tokio::select! {
                changed = committed.changed() => {
                    if changed.is_err() { return }
                    let sockets = u32::try_from(self.fed.receiver_count()).unwrap_or(u32::MAX);
                    let spacing = PULSE_SPACING_PER_SOCKET.saturating_mul(sockets).min(PULSE_SPACING_MAX);
                    tokio::time::sleep_until(last_pulse + spacing).await;
                    // The writer's hook has usually taken the new events already.
                    let now = *committed.borrow_and_update();
                    look = now.looks != looks || now.seq > self.feed().head;
                    looks = now.looks;
                }
                _ = others.tick() => {}
                _ = async {
                    match notified.as_mut() {
                        Some(n) => { let _ = n.changed().await; }
                        None => std::future::pending().await,
                    }
                } => {}
                _ = forget_typing.tick() => {
                    let before = now_ms() - TYPING_RELAYED_FOR.as_millis() as i64;
                    if let Err(e) = db.transaction(move |tx| store::forget_typing(tx, before)).await {
                        tracing::warn!(error = %e, "forgetting old typing signals failed");
                    }
                    look = false;
                }
                _ = closing.changed() => return,
            }
        }
    }
}

/// Wakes the feed's task when the log grew past what it was told of.
fn announce(committed: &watch::Sender<Committed>, seq: Seq) {
    committed.send_if_modified(|c| {
        let grew = seq > c.seq;
        if grew {
            c.seq = seq;
        }
        grew
    });
}

/// Folds `events` read from the log, with the [`store::rights_version`] read after
/// them, into the feed; returns its head. A change of rights is told to the sockets
/// before they can see an event that followed it (they read up to the head of the pulse
/// they woke for, and the next pulse carries the change).
fn take(feed: &RwLock<Feed>, fed: &watch::Sender<Pulse>, events: Vec<(Seq, Event)>, rights: i64) -> Seq {
    let mut feed = feed.write().unwrap_or_else(|p| p.into_inner());
    // Versions only grow; a read older than one already taken changes nothing.
    if rights > feed.rights {
        fed.send_modify(|pulse| pulse.rights += 1);
        feed.rights = rights;
    }
    feed.take(events);
    feed.head
}

#[cfg(test)]
mod tests {
    use super::*;
    use el_protocol::DialogId;

    fn key(unread: u32) -> FrameKey {
        FrameKey { compact: false, unread: Some(unread), totals: None }
    }

    /// Readers with the same counts share one frame; others get their own, also once
    /// the shared ones are full.
    #[test]
    fn a_frame_is_built_once_per_key() {
        let logged = Logged::new(3, Event::DialogRemoved { dialog_id: DialogId(1) }, Before::New);
        let mut built = 0;
        let mut frame = |unread: u32| {
            logged.frame(key(unread), || {
                built += 1;
                format!("frame {unread}")
            })
        };
        let first = frame(1);
        assert_eq!(first, Outgoing::text("frame 1"));
        assert_eq!(frame(1).bytes().as_ptr(), first.bytes().as_ptr(), "the same bytes, shared");
        for unread in 2..20 {
            assert_eq!(frame(unread), Outgoing::text(&format!("frame {unread}")));
        }
        assert_eq!(frame(19), Outgoing::text("frame 19"), "past the shared ones, still its own frame");
        assert_eq!(built, 20, "1, then 2..20 once each up to {FRAMES_SHARED}, then 19 again");
    }

    /// What the writer commits is in the feed without the feed's task (which is not
    /// running here): its hook reads it on the writer's connection, with a change of
    /// rights committed in the same group told to the sockets.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_writer_hands_what_it_commits_to_the_feed() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("f.db")).unwrap();
        let hub = Hub::load(&db, 100).await.unwrap();
        let pulse = hub.subscribe();
        let removed = Event::DialogRemoved { dialog_id: DialogId(9) };
        let seq = db
            .transaction(move |tx| {
                store::rights_changed(tx)?;
                store::append(tx, &removed)
            })
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while hub.feed().head() < seq {
            assert!(std::time::Instant::now() < deadline, "the hook never took the event");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let feed = hub.feed();
        let taken: Vec<_> = feed.after(0, 10).unwrap().map(|e| (e.seq, e.event.clone())).collect();
        assert_eq!(taken, vec![(seq, Event::DialogRemoved { dialog_id: DialogId(9) })]);
        assert_eq!(pulse.borrow().rights, 1, "the change of rights, before the event");
        assert_eq!(pulse.borrow().head, 0, "the sockets are woken by the feed's task, spaced");
    }

    /// Reads folded in out of order (the feed's task and the writer's hook race) take
    /// each event once, and a change of rights is told once, before the events after it.
    #[test]
    fn a_late_read_changes_nothing() {
        let feed = RwLock::new(Feed {
            events: VecDeque::new(),
            floor: 0,
            head: 0,
            capacity: 10,
            counts: Counts::default(),
            typing: VecDeque::new(),
            typing_count: 0,
            rights: 3,
        });
        let fed = watch::channel(Pulse::default()).0;
        let removed = |n| (n, Event::DialogRemoved { dialog_id: DialogId(n) });
        assert_eq!(take(&feed, &fed, vec![removed(1), removed(2)], 4), 2);
        assert_eq!(fed.borrow().rights, 1, "3 -> 4 is a change");
        assert_eq!(take(&feed, &fed, vec![removed(1)], 3), 2, "an older read: nothing new");
        assert_eq!(fed.borrow().rights, 1, "and an older version is no change");
        assert_eq!(take(&feed, &fed, vec![removed(2), removed(3)], 4), 3);
        let seqs: Vec<Seq> = feed.read().unwrap().after(0, 10).unwrap().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3], "each once, in order");
        assert_eq!(fed.borrow().rights, 1);
    }

    /// An event that left the newest ones keeps no frames: each reader builds its own.
    #[test]
    fn an_old_event_lets_go_of_its_frames() {
        let logged = Logged::new(3, Event::DialogRemoved { dialog_id: DialogId(1) }, Before::New);
        let first = logged.frame(key(1), || "frame 1".into());
        logged.forget_frames();
        let again = logged.frame(key(1), || "frame 1".into());
        assert_eq!(again, Outgoing::text("frame 1"));
        assert_ne!(again.bytes().as_ptr(), first.bytes().as_ptr(), "built anew");
        assert!(logged.frames.lock().unwrap().is_none(), "and not kept");
    }
}
