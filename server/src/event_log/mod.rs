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

    /// Takes in the next events of the log, in order.
    fn take(&mut self, events: Vec<(Seq, Event)>) {
        for (seq, event) in events {
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
    /// The newest committed position announced by this process's writers.
    committed: watch::Sender<Seq>,
    /// What sockets wait for: one receiver each, as every receiver a task waits on is
    /// registered and dropped again at each of its wake-ups.
    fed: watch::Sender<Pulse>,
    closing: watch::Sender<bool>,
    /// Where typing signals go for the other instances on the database.
    db: Db,
    /// This instance's name among them (random, new at each start).
    instance: Arc<str>,
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
                };
                for (seq, event) in events {
                    feed.events.push_back(Arc::new(Logged::new(seq, event, Before::Unknown)));
                }
                feed.events.iter().rev().skip(FRAMES_KEPT_FOR).for_each(|old| old.forget_frames());
                Ok(feed)
            })
            .await?;
        let head = feed.head;
        Ok(Hub {
            feed: Arc::new(RwLock::new(feed)),
            committed: watch::channel(head).0,
            fed: watch::channel(Pulse { head, ..Pulse::default() }).0,
            closing: watch::channel(false).0,
            db: db.clone(),
            instance: crate::tokens::new_token().into(),
        })
    }

    /// Announces that the log has grown to `seq` (after the transaction committed).
    pub fn published(&self, seq: Seq) {
        self.committed.send_if_modified(|cur| {
            let grew = seq > *cur;
            if grew {
                *cur = seq;
            }
            grew
        });
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
        self.committed.send_modify(|_| {});
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

    /// The feed's task: reads each new event of the log once, folds it into the feed,
    /// and wakes the sockets; tells them when rights changed. Woken by this instance's
    /// writers, and every [`OTHER_INSTANCES_EVERY`] for what other instances on the same
    /// database wrote. Runs until the server stops.
    pub async fn run(self) {
        let db = self.db.clone();
        let mut committed = self.committed.subscribe();
        let mut closing = self.closing();
        let mut others = tokio::time::interval(OTHER_INSTANCES_EVERY);
        others.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut forget_typing = tokio::time::interval(TYPING_RELAYED_FOR);
        let (mut rights_seen, mut typing_seen) = (None, None);
        let mut notified = db.notified();
        let mut last_pulse = tokio::time::Instant::now();
        loop {
            committed.borrow_and_update();
            let (from, instance) = (self.feed().head, self.instance.clone());
            let read = db.read(move |conn| {
                let typing = match typing_seen {
                    Some(after) => store::typing_after(conn, after, &instance)?,
                    None => (Vec::new(), store::typing_head(conn)?),
                };
                Ok((store::after(conn, from, READ_BATCH)?, store::rights_version(conn)?, typing))
            });
            let events = read.await.map(|(events, rights, (typing, newest))| {
                // Before the events that came after the change: sockets look at rights first.
                if rights_seen.is_some_and(|seen| seen != rights) {
                    self.fed.send_modify(|pulse| pulse.rights += 1);
                }
                rights_seen = Some(rights);
                typing_seen = Some(newest);
                for signal in typing {
                    self.hear(signal);
                }
                events
            });
            match events {
                Ok(events) if !events.is_empty() => {
                    let full = events.len() == READ_BATCH;
                    let head = {
                        let mut feed = self.feed.write().unwrap_or_else(|p| p.into_inner());
                        feed.take(events);
                        feed.head
                    };
                    self.fed.send_modify(|pulse| pulse.head = head);
                    last_pulse = tokio::time::Instant::now();
                    if full {
                        continue;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "reading the event log failed");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    continue;
                }
            }
            tokio::select! {
                changed = committed.changed() => {
                    if changed.is_err() { return }
                    let sockets = u32::try_from(self.fed.receiver_count()).unwrap_or(u32::MAX);
                    let spacing = PULSE_SPACING_PER_SOCKET.saturating_mul(sockets).min(PULSE_SPACING_MAX);
                    tokio::time::sleep_until(last_pulse + spacing).await;
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
                }
                _ = closing.changed() => return,
            }
        }
    }
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
