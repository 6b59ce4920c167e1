//! The operator's inbox as pure state: which tab a dialog belongs in, and the reducer
//! that applies socket events to a REST snapshot. The SPA's store wraps [`Inbox`]; the
//! server's tests use it to prove that snapshot + events == a fresh snapshot.

use crate::api::{DialogState, DialogSummary, InboxSnapshot};
use crate::events::{Event, UserEvent};
use crate::permissions::Access;
use crate::{DialogId, Millis, Seq, UserId};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

/// The seed's three tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    Unassigned,
    Active,
    Inactive,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Unassigned, Tab::Active, Tab::Inactive];

    /// The tab's label as users see it.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Unassigned => "Unassigned",
            Tab::Active => "Active",
            Tab::Inactive => "Inactive",
        }
    }

    /// Stable name for URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Unassigned => "unassigned",
            Tab::Active => "active",
            Tab::Inactive => "inactive",
        }
    }

    pub fn parse(s: &str) -> Option<Tab> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// The tab `dialog` appears in for `user`, or `None` when it is not in their inbox.
pub fn tab_of(dialog: &DialogSummary, user: UserId) -> Option<Tab> {
    match dialog.state {
        DialogState::Unassigned => Some(Tab::Unassigned),
        DialogState::Active if dialog.members.contains(&user) => Some(Tab::Active),
        DialogState::Ended if dialog.participants.contains(&user) => Some(Tab::Inactive),
        DialogState::Active | DialogState::Ended => None,
    }
}

/// May `user` open `dialog` at all: it is in their inbox, or their role lets them open
/// dialogs others work on (shown read-only with the Join banner).
pub fn may_open(dialog: &DialogSummary, user: UserId, access: &Access) -> bool {
    access.has_lines() && (tab_of(dialog, user).is_some() || access.can_open_others_dialogs())
}

/// Number of dialogs in each tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TabCounts {
    pub unassigned: usize,
    pub active: usize,
    pub inactive: usize,
}

impl TabCounts {
    pub fn get(&self, tab: Tab) -> usize {
        match tab {
            Tab::Unassigned => self.unassigned,
            Tab::Active => self.active,
            Tab::Inactive => self.inactive,
        }
    }

    fn slot(&mut self, tab: Tab) -> &mut usize {
        match tab {
            Tab::Unassigned => &mut self.unassigned,
            Tab::Active => &mut self.active,
            Tab::Inactive => &mut self.inactive,
        }
    }
}

/// Sort key: newest activity first, then the newest dialog first on ties.
type OrderKey = (Reverse<Millis>, Reverse<DialogId>);

fn order_key(d: &DialogSummary) -> OrderKey {
    (Reverse(d.last_activity_at), Reverse(d.id))
}

/// One user's inbox: dialogs by id, kept ordered by last activity per tab.
///
/// Moving a dialog to the top on a new message costs O(log n); counts are kept as
/// dialogs move between tabs, so nothing scans the whole list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    me: UserId,
    as_of: Seq,
    dialogs: HashMap<DialogId, (Tab, DialogSummary)>,
    order: HashMap<Tab, BTreeSet<OrderKey>>,
    counts: TabCounts,
    unread: HashMap<DialogId, u32>,
}

impl Inbox {
    /// An empty inbox for `me`, at log position 0.
    pub fn new(me: UserId) -> Self {
        Inbox {
            me,
            as_of: 0,
            dialogs: HashMap::new(),
            order: HashMap::new(),
            counts: TabCounts::default(),
            unread: HashMap::new(),
        }
    }

    /// The inbox described by a REST snapshot.
    pub fn from_snapshot(me: UserId, snapshot: InboxSnapshot) -> Self {
        let mut inbox = Inbox::new(me);
        inbox.as_of = snapshot.as_of;
        for d in snapshot.dialogs {
            inbox.upsert(d);
        }
        for (id, n) in snapshot.unread {
            inbox.set_unread(id, n);
        }
        inbox
    }

    /// The log position this state reflects.
    pub fn as_of(&self) -> Seq {
        self.as_of
    }

    /// Applies the event at log position `seq`. Events at or before [`Inbox::as_of`]
    /// are already reflected and are ignored, so replays are harmless.
    pub fn apply(&mut self, seq: Seq, event: &Event) {
        self.apply_user_event(seq, &UserEvent { event: event.clone(), unread: None });
    }

    /// Applies an event as the operator socket sends it, with the unread count.
    pub fn apply_user_event(&mut self, seq: Seq, user_event: &UserEvent) {
        if seq <= self.as_of {
            return;
        }
        self.as_of = seq;
        let event = &user_event.event;
        match event {
            Event::DialogUpdated { dialog } | Event::MessageCreated { dialog, .. } => self.upsert(dialog.clone()),
            Event::DialogRemoved { dialog_id } => self.remove(*dialog_id),
            Event::DialogRead { dialog_id, .. } => self.set_unread(*dialog_id, 0),
        }
        if let Some(n) = user_event.unread {
            self.set_unread(event.dialog_id(), n);
        }
    }

    /// Sets a dialog's unread count (kept only for dialogs in this inbox).
    pub fn set_unread(&mut self, id: DialogId, n: u32) {
        if n == 0 || !self.dialogs.contains_key(&id) {
            self.unread.remove(&id);
        } else {
            self.unread.insert(id, n);
        }
    }

    /// Unread messages in a dialog.
    pub fn unread(&self, id: DialogId) -> u32 {
        self.unread.get(&id).copied().unwrap_or(0)
    }

    /// Unread messages per tab.
    pub fn unread_counts(&self) -> TabCounts {
        let mut counts = TabCounts::default();
        for (id, n) in &self.unread {
            if let Some((tab, _)) = self.dialogs.get(id) {
                *counts.slot(*tab) += *n as usize;
            }
        }
        counts
    }

    /// Inserts or replaces a dialog, placing it in its tab (or dropping it when it is
    /// no longer in this user's inbox).
    fn upsert(&mut self, dialog: DialogSummary) {
        let unread = self.unread.get(&dialog.id).copied();
        self.remove(dialog.id);
        if let Some(tab) = tab_of(&dialog, self.me) {
            self.order.entry(tab).or_default().insert(order_key(&dialog));
            *self.counts.slot(tab) += 1;
            if let Some(n) = unread {
                self.unread.insert(dialog.id, n);
            }
            self.dialogs.insert(dialog.id, (tab, dialog));
        }
    }

    fn remove(&mut self, id: DialogId) {
        self.unread.remove(&id);
        if let Some((tab, old)) = self.dialogs.remove(&id) {
            if let Some(set) = self.order.get_mut(&tab) {
                set.remove(&order_key(&old));
            }
            *self.counts.slot(tab) -= 1;
        }
    }

    /// Takes in a dialog summary the server returned for our own action, ahead of its
    /// event. The log position does not move, so the event still applies when it comes.
    pub fn observe(&mut self, dialog: DialogSummary) {
        self.upsert(dialog);
    }

    /// A dialog in this inbox.
    pub fn get(&self, id: DialogId) -> Option<&DialogSummary> {
        self.dialogs.get(&id).map(|(_, d)| d)
    }

    /// The dialogs of `tab`, newest activity first.
    pub fn list(&self, tab: Tab) -> impl Iterator<Item = &DialogSummary> + '_ {
        self.order.get(&tab).into_iter().flat_map(|set| set.iter()).filter_map(|(_, Reverse(id))| self.get(*id))
    }

    /// How many dialogs each tab holds.
    pub fn counts(&self) -> TabCounts {
        self.counts
    }

    /// Every dialog with its unread count, in id order: a canonical form for comparing
    /// two inboxes.
    pub fn sorted(&self) -> Vec<(&DialogSummary, u32)> {
        let mut all: Vec<_> = self.dialogs.values().map(|(_, d)| (d, self.unread(d.id))).collect();
        all.sort_by_key(|(d, _)| d.id);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Author, ChannelKind, Message, MessagePreview};
    use crate::{ChannelId, ClientId, MessageId};

    const ME: UserId = UserId(1);
    const OTHER: UserId = UserId(2);

    fn dialog(id: i64, state: DialogState, members: &[UserId], at: Millis) -> DialogSummary {
        DialogSummary {
            id: DialogId(id),
            name: format!("Client {id}"),
            client_id: ClientId(id),
            client_name: format!("Client {id}"),
            channel_id: ChannelId(1),
            channel_kind: ChannelKind::Widget,
            channel_name: "Website".into(),
            state,
            members: members.to_vec(),
            participants: members.to_vec(),
            spam: false,
            handover: None,
            avatar: None,
            created_at: 0,
            last_message: None,
            last_activity_at: at,
        }
    }

    fn ids(inbox: &Inbox, tab: Tab) -> Vec<i64> {
        inbox.list(tab).map(|d| d.id.0).collect()
    }

    #[test]
    fn tabs_follow_state_and_membership() {
        assert_eq!(tab_of(&dialog(1, DialogState::Unassigned, &[], 0), ME), Some(Tab::Unassigned));
        assert_eq!(tab_of(&dialog(1, DialogState::Active, &[ME], 0), ME), Some(Tab::Active));
        assert_eq!(tab_of(&dialog(1, DialogState::Active, &[OTHER], 0), ME), None);
        assert_eq!(tab_of(&dialog(1, DialogState::Ended, &[ME], 0), ME), Some(Tab::Inactive));
        assert_eq!(tab_of(&dialog(1, DialogState::Ended, &[OTHER], 0), ME), None);
    }

    #[test]
    fn lists_are_newest_first_and_a_new_message_moves_a_dialog_to_the_top() {
        let snapshot = InboxSnapshot {
            as_of: 10,
            dialogs: vec![
                dialog(1, DialogState::Unassigned, &[], 100),
                dialog(2, DialogState::Unassigned, &[], 300),
                dialog(3, DialogState::Unassigned, &[], 200),
            ],
            unread: vec![],
        };
        let mut inbox = Inbox::from_snapshot(ME, snapshot);
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![2, 3, 1]);

        let mut d1 = dialog(1, DialogState::Unassigned, &[], 400);
        d1.last_message =
            Some(MessagePreview { author: Author::Client { name: "c".into() }, text: "again".into(), at: 400 });
        let message = Message {
            id: MessageId(9),
            dialog_id: DialogId(1),
            author: Author::Client { name: "c".into() },
            text: "again".into(),
            created_at: 400,
            client_msg_id: None,
        };
        inbox.apply(11, &Event::MessageCreated { dialog: d1, message });
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![1, 2, 3]);
        assert_eq!(inbox.get(DialogId(1)).unwrap().last_message.as_ref().unwrap().text, "again");
        assert_eq!(inbox.as_of(), 11);
    }

    #[test]
    fn claiming_moves_between_tabs_and_counts_follow() {
        let mut inbox = Inbox::new(ME);
        inbox.apply(1, &Event::DialogUpdated { dialog: dialog(1, DialogState::Unassigned, &[], 1) });
        inbox.apply(2, &Event::DialogUpdated { dialog: dialog(2, DialogState::Unassigned, &[], 2) });
        assert_eq!(inbox.counts(), TabCounts { unassigned: 2, active: 0, inactive: 0 });

        inbox.apply(3, &Event::DialogUpdated { dialog: dialog(1, DialogState::Active, &[ME], 1) });
        assert_eq!(inbox.counts(), TabCounts { unassigned: 1, active: 1, inactive: 0 });
        assert_eq!(ids(&inbox, Tab::Active), vec![1]);

        // Somebody else took dialog 2: their update arrives, and it leaves my inbox.
        inbox.apply(4, &Event::DialogUpdated { dialog: dialog(2, DialogState::Active, &[OTHER], 2) });
        assert_eq!(inbox.counts(), TabCounts { unassigned: 0, active: 1, inactive: 0 });
        assert!(inbox.get(DialogId(2)).is_none());

        inbox.apply(5, &Event::DialogRemoved { dialog_id: DialogId(1) });
        assert_eq!(inbox.counts(), TabCounts::default());
    }

    #[test]
    fn events_already_in_the_snapshot_are_ignored() {
        let snapshot =
            InboxSnapshot { as_of: 5, dialogs: vec![dialog(1, DialogState::Active, &[ME], 1)], unread: vec![] };
        let mut inbox = Inbox::from_snapshot(ME, snapshot);
        inbox.apply(4, &Event::DialogUpdated { dialog: dialog(1, DialogState::Unassigned, &[], 1) });
        assert_eq!(ids(&inbox, Tab::Active), vec![1]);
        assert_eq!(inbox.as_of(), 5);
    }

    #[test]
    fn unread_counts_follow_the_server_and_reads() {
        let snapshot = InboxSnapshot {
            as_of: 1,
            dialogs: vec![dialog(1, DialogState::Active, &[ME], 1), dialog(2, DialogState::Unassigned, &[], 2)],
            unread: vec![(DialogId(1), 2)],
        };
        let mut inbox = Inbox::from_snapshot(ME, snapshot);
        assert_eq!((inbox.unread(DialogId(1)), inbox.unread_counts().get(Tab::Active) as u32), (2, 2));
        let update = |id, n| UserEvent {
            event: Event::DialogUpdated { dialog: dialog(id, DialogState::Unassigned, &[], 3) },
            unread: Some(n),
        };
        inbox.apply_user_event(2, &update(2, 1));
        assert_eq!(inbox.unread_counts().get(Tab::Unassigned) as u32, 1);
        inbox.apply_user_event(
            3,
            &UserEvent { event: Event::DialogRead { dialog_id: DialogId(1), user: ME }, unread: None },
        );
        assert_eq!(inbox.unread(DialogId(1)), 0);
        // A dialog that leaves the inbox takes its count with it.
        inbox.apply(4, &Event::DialogRemoved { dialog_id: DialogId(2) });
        assert_eq!(inbox.unread_counts().get(Tab::Unassigned) as u32, 0);
        // Counts for dialogs not in the inbox are not kept.
        inbox.set_unread(DialogId(9), 4);
        assert_eq!(inbox.unread(DialogId(9)), 0);
    }

    #[test]
    fn ties_on_time_put_the_newer_dialog_first() {
        let mut inbox = Inbox::new(ME);
        for id in 1..=3 {
            inbox.apply(id, &Event::DialogUpdated { dialog: dialog(id, DialogState::Unassigned, &[], 50) });
        }
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![3, 2, 1]);
    }
}
