//! The operator's inbox as pure state: which tab a dialog belongs in, and the reducer
//! that applies socket events to a REST snapshot. The SPA's store wraps [`Inbox`]; the
//! server's tests use it to prove that snapshot + events == a fresh snapshot.

use crate::api::{Cursor, DialogPage, DialogState, DialogSummary, InboxSnapshot, TabTotals};
use crate::crm::RecordOwners;
use crate::events::{Event, UserEvent};
use crate::names::read_by_name;
use crate::permissions::Access;
use crate::{DialogId, Millis, Seq, UserId};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Bound;

/// The seed's three tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    Unassigned,
    Active,
    Inactive,
}

read_by_name!(Tab {
    Unassigned = "unassigned",
    Active = "active",
    Inactive = "inactive",
});

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Unassigned, Tab::Active, Tab::Inactive];

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

/// What decides who sees a dialog: its state, who works on it, who worked on it, and
/// who is responsible for the CRM records of its client.
#[derive(Debug, Clone, Copy)]
pub struct Reach<'a> {
    pub state: DialogState,
    pub members: &'a [UserId],
    pub participants: &'a [UserId],
    pub owners: &'a RecordOwners,
    /// The one operator an Unassigned dialog is offered to now, if it waits in turn.
    pub offered_to: Option<UserId>,
}

impl Reach<'_> {
    /// The tab the dialog appears in for `user`, or `None` when it is not in their inbox.
    /// Unassigned dialogs are everyone's, except one offered in turn: it is only in the
    /// inbox of the operator it is offered to.
    pub fn tab(&self, user: UserId) -> Option<Tab> {
        match self.state {
            DialogState::Unassigned if self.offered_to.is_none_or(|to| to == user) => Some(Tab::Unassigned),
            DialogState::Unassigned => None,
            DialogState::Active if self.members.contains(&user) => Some(Tab::Active),
            DialogState::Ended if self.participants.contains(&user) => Some(Tab::Inactive),
            DialogState::Active | DialogState::Ended => None,
        }
    }

    /// May `user` open the dialog at all: it is in their inbox, their role lets them
    /// open dialogs others work on, or they may see a CRM record linked to its client
    /// (then it opens from the record's card; read-only with the Join banner until they
    /// Join).
    pub fn may_open(&self, user: UserId, access: &Access) -> bool {
        access.has_lines()
            && (self.tab(user).is_some() || access.can_open_others_dialogs() || self.owners.visible_to(user, access))
    }
}

impl DialogSummary {
    /// What decides who sees this dialog.
    pub fn reach(&self) -> Reach<'_> {
        Reach {
            state: self.state,
            members: &self.members,
            participants: &self.participants,
            owners: &self.owners,
            offered_to: self.offer.map(|o| o.to),
        }
    }
}

/// The tab `dialog` appears in for `user`, or `None` when it is not in their inbox.
pub fn tab_of(dialog: &DialogSummary, user: UserId) -> Option<Tab> {
    dialog.reach().tab(user)
}

/// May `user` open `dialog` at all (see [`Reach::may_open`]).
pub fn may_open(dialog: &DialogSummary, user: UserId, access: &Access) -> bool {
    dialog.reach().may_open(user, access)
}

/// Number of dialogs (or unread messages) in each tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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

    /// The count of `tab`, to change.
    pub fn slot(&mut self, tab: Tab) -> &mut usize {
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

/// How much of a tab the inbox has loaded, from its top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Loaded {
    /// Down to this dialog (included); more follow on the server.
    Down(OrderKey),
    /// The whole tab.
    All,
}

/// One user's inbox: the loaded part of each tab, ordered by last activity, and the
/// server's totals for the whole tabs.
///
/// The server sends the first page of each tab and more pages on demand; socket
/// events keep everything current. Moving a dialog to the top on a new message costs
/// O(log n). Dialogs that events bring below the loaded part of a tab are kept and
/// shown once paging reaches them. Each dialog remembers the log position of what is
/// known about it, so a page read before a later event cannot undo that event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    me: UserId,
    as_of: Seq,
    dialogs: HashMap<DialogId, (Tab, DialogSummary)>,
    order: HashMap<Tab, BTreeSet<OrderKey>>,
    loaded: HashMap<Tab, Loaded>,
    known_at: HashMap<DialogId, Seq>,
    /// The log position of the snapshot this inbox was built from: of a dialog no page
    /// or event has told about, nothing is known until then.
    built_at: Seq,
    totals: TabTotals,
    totals_at: Seq,
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
            loaded: HashMap::new(),
            known_at: HashMap::new(),
            built_at: 0,
            totals: TabTotals::default(),
            totals_at: 0,
            unread: HashMap::new(),
        }
    }

    /// The inbox described by a REST snapshot.
    pub fn from_snapshot(me: UserId, snapshot: InboxSnapshot) -> Self {
        let mut inbox = Inbox::new(me);
        inbox.as_of = snapshot.as_of;
        inbox.built_at = snapshot.as_of;
        for page in snapshot.pages {
            inbox.apply_page(page);
        }
        inbox
    }

    /// Whose inbox this is.
    pub fn me(&self) -> UserId {
        self.me
    }

    /// The log position this state reflects.
    pub fn as_of(&self) -> Seq {
        self.as_of
    }

    /// Whether dialog `id` may have changed after log position `seq` (an event about it
    /// came later, or this inbox was built later and has not heard of it): what was read
    /// of it at `seq` (a chat, say) may then miss something.
    pub fn changed_since(&self, id: DialogId, seq: Seq) -> bool {
        self.known_at.get(&id).map_or(self.built_at, |at| *at) > seq
    }

    /// Applies the event at log position `seq`. Events at or before [`Inbox::as_of`]
    /// are already reflected and are ignored, so replays are harmless.
    pub fn apply(&mut self, seq: Seq, event: &Event) {
        self.apply_user_event(seq, &UserEvent::bare(event.clone()));
    }

    /// Applies an event as the operator socket sends it, with the counts.
    pub fn apply_user_event(&mut self, seq: Seq, user_event: &UserEvent) {
        if seq <= self.as_of {
            return;
        }
        self.as_of = seq;
        let event = &user_event.event;
        self.known_at.insert(event.dialog_id(), seq);
        match event {
            Event::DialogUpdated { dialog }
            | Event::MessageCreated { dialog, .. }
            | Event::MessageUpdated { dialog, .. } => self.upsert(dialog.clone()),
            Event::DialogRemoved { dialog_id } => self.remove(*dialog_id),
            Event::DialogRead { dialog_id, .. } => self.set_unread(*dialog_id, 0),
        }
        if let Some(n) = user_event.unread {
            self.set_unread(event.dialog_id(), n);
        }
        if let Some(totals) = user_event.totals {
            self.set_totals(seq, totals);
        }
    }

    /// Takes in a page of a tab. What an event already told about a dialog after the
    /// page was read wins over the page.
    pub fn apply_page(&mut self, page: DialogPage) {
        let floor = match (page.more, page.dialogs.last()) {
            (true, Some(last)) => Loaded::Down(order_key(last)),
            (true, None) => return,
            (false, _) => Loaded::All,
        };
        let mut taken = HashSet::new();
        for dialog in page.dialogs {
            if self.known_at.get(&dialog.id).is_some_and(|at| *at > page.as_of) {
                continue;
            }
            self.known_at.insert(dialog.id, page.as_of);
            taken.insert(dialog.id);
            self.upsert(dialog);
        }
        for (id, n) in page.unread {
            if taken.contains(&id) {
                self.set_unread(id, n);
            }
        }
        let loaded = self.loaded.entry(page.tab).or_insert(floor);
        *loaded = (*loaded).max(floor);
        self.set_totals(page.as_of, page.totals);
    }

    fn set_totals(&mut self, at: Seq, totals: TabTotals) {
        if at >= self.totals_at {
            self.totals = totals;
            self.totals_at = at;
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

    /// Unread messages per tab (the server's count, over whole tabs).
    pub fn unread_counts(&self) -> TabCounts {
        self.totals.unread
    }

    /// Inserts or replaces a dialog, placing it in its tab (or dropping it when it is
    /// no longer in this user's inbox).
    fn upsert(&mut self, dialog: DialogSummary) {
        let unread = self.unread.get(&dialog.id).copied();
        self.remove(dialog.id);
        if let Some(tab) = tab_of(&dialog, self.me) {
            self.order.entry(tab).or_default().insert(order_key(&dialog));
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

    /// The loaded dialogs of `tab`, newest activity first.
    pub fn list(&self, tab: Tab) -> impl Iterator<Item = &DialogSummary> + '_ {
        self.loaded_ids(tab).filter_map(|id| self.get(id))
    }

    /// The ids of [`Inbox::list`], read from the order alone.
    fn loaded_ids(&self, tab: Tab) -> impl Iterator<Item = DialogId> + '_ {
        let upto = match self.loaded(tab) {
            Loaded::Down(key) => Bound::Included(key),
            Loaded::All => Bound::Unbounded,
        };
        self.order
            .get(&tab)
            .into_iter()
            .flat_map(move |set| set.range((Bound::Unbounded, upto)))
            .map(|(_, Reverse(id))| *id)
    }

    /// How many dialogs [`Inbox::list`] yields, without walking them (only the few that
    /// events brought below the loaded part are counted one by one).
    pub fn loaded_len(&self, tab: Tab) -> usize {
        let Some(set) = self.order.get(&tab) else { return 0 };
        match self.loaded(tab) {
            Loaded::All => set.len(),
            Loaded::Down(key) => set.len() - set.range((Bound::Excluded(key), Bound::Unbounded)).count(),
        }
    }

    /// The ids of the loaded dialogs of `tab` from position `first` up to `end`
    /// (excluded): the rows a list shows, without collecting the rest.
    pub fn window(&self, tab: Tab, first: usize, end: usize) -> Vec<DialogId> {
        self.loaded_ids(tab).skip(first).take(end.saturating_sub(first)).collect()
    }

    fn loaded(&self, tab: Tab) -> Loaded {
        self.loaded.get(&tab).copied().unwrap_or(Loaded::All)
    }

    /// Where the next page of `tab` starts, or `None` when the whole tab is loaded.
    pub fn next_page(&self, tab: Tab) -> Option<Cursor> {
        match self.loaded(tab) {
            Loaded::Down((Reverse(at), Reverse(id))) => Some(Cursor { at, id }),
            Loaded::All => None,
        }
    }

    /// How many dialogs each tab holds on the server.
    pub fn counts(&self) -> TabCounts {
        self.totals.dialogs
    }

    /// Every dialog with its unread count, in id order: a canonical form for comparing
    /// two inboxes.
    pub fn sorted(&self) -> Vec<(&DialogSummary, u32)> {
        let mut all: Vec<_> = self.dialogs.values().map(|(_, d)| (d, self.unread(d.id))).collect();
        all.sort_by_key(|(d, _)| d.id);
        all
    }
}

/// The snapshot of a whole inbox, counted here: what the server sends when every tab
/// fits in one page (tests build their inboxes with it).
pub fn whole_snapshot(
    me: UserId,
    as_of: Seq,
    dialogs: Vec<DialogSummary>,
    unread: Vec<(DialogId, u32)>,
) -> InboxSnapshot {
    let mut totals = TabTotals::default();
    let mut pages: Vec<DialogPage> = Tab::ALL
        .into_iter()
        .map(|tab| DialogPage { tab, as_of, dialogs: vec![], unread: vec![], more: false, totals })
        .collect();
    let unread_of = |id| unread.iter().find(|(d, _)| *d == id).map_or(0, |(_, n)| *n);
    for dialog in dialogs {
        let Some(tab) = tab_of(&dialog, me) else { continue };
        let n = unread_of(dialog.id);
        *totals.dialogs.slot(tab) += 1;
        *totals.unread.slot(tab) += n as usize;
        let page = &mut pages[Tab::ALL.iter().position(|t| *t == tab).unwrap_or(0)];
        if n > 0 {
            page.unread.push((dialog.id, n));
        }
        page.dialogs.push(dialog);
    }
    for page in &mut pages {
        page.dialogs.sort_by_key(order_key);
        page.totals = totals;
    }
    InboxSnapshot { as_of, pages }
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
            channel_connected: true,
            owners: Default::default(),
            client_read: None,
            client_delivered: None,
            reply_until: None,
            offer: None,
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

    /// The ids `tab` lists; also checks that its length and windows agree with them.
    fn ids(inbox: &Inbox, tab: Tab) -> Vec<i64> {
        let listed: Vec<i64> = inbox.list(tab).map(|d| d.id.0).collect();
        assert_eq!(inbox.loaded_len(tab), listed.len(), "the length of {listed:?}");
        for (first, end) in [(0, listed.len()), (0, 1), (1, 3), (2, 100), (3, 2)] {
            let window: Vec<i64> = inbox.window(tab, first, end).iter().map(|id| id.0).collect();
            let want: Vec<i64> = listed.iter().copied().skip(first).take(end.saturating_sub(first)).collect();
            assert_eq!(window, want, "rows {first}..{end} of {listed:?}");
        }
        listed
    }

    fn counts(unassigned: usize, active: usize, inactive: usize) -> TabCounts {
        TabCounts { unassigned, active, inactive }
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
        let dialogs = vec![
            dialog(1, DialogState::Unassigned, &[], 100),
            dialog(2, DialogState::Unassigned, &[], 300),
            dialog(3, DialogState::Unassigned, &[], 200),
        ];
        let mut inbox = Inbox::from_snapshot(ME, whole_snapshot(ME, 10, dialogs, vec![]));
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![2, 3, 1]);
        assert_eq!(inbox.counts(), counts(3, 0, 0));

        let mut d1 = dialog(1, DialogState::Unassigned, &[], 400);
        d1.last_message =
            Some(MessagePreview { author: Author::Client { name: "c".into() }, text: "again".into(), at: 400 });
        let message = Message {
            delivery: Default::default(),
            edit: Default::default(),
            notice: None,
            record: Default::default(),
            id: MessageId(9),
            dialog_id: DialogId(1),
            author: Author::Client { name: "c".into() },
            text: "again".into(),
            created_at: 400,
            client_msg_id: None,
            attachments: vec![],
        };
        inbox.apply(11, &Event::MessageCreated { dialog: d1, message });
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![1, 2, 3]);
        assert_eq!(inbox.get(DialogId(1)).unwrap().last_message.as_ref().unwrap().text, "again");
        assert_eq!(inbox.as_of(), 11);
    }

    #[test]
    fn dialogs_move_between_tabs_and_the_servers_totals_are_the_counts() {
        let mut inbox = Inbox::new(ME);
        inbox.apply(1, &Event::DialogUpdated { dialog: dialog(1, DialogState::Unassigned, &[], 1) });
        inbox.apply(2, &Event::DialogUpdated { dialog: dialog(2, DialogState::Unassigned, &[], 2) });
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![2, 1]);

        let totals = TabTotals { dialogs: counts(1, 1, 0), unread: counts(0, 2, 0) };
        let claimed = Event::DialogUpdated { dialog: dialog(1, DialogState::Active, &[ME], 1) };
        inbox.apply_user_event(3, &UserEvent { event: claimed, unread: Some(2), totals: Some(totals) });
        assert_eq!((ids(&inbox, Tab::Unassigned), ids(&inbox, Tab::Active)), (vec![2], vec![1]));
        assert_eq!((inbox.counts(), inbox.unread_counts()), (totals.dialogs, totals.unread));
        assert_eq!(inbox.unread(DialogId(1)), 2);

        // Somebody else took dialog 2: their update arrives, and it leaves my inbox.
        inbox.apply(4, &Event::DialogUpdated { dialog: dialog(2, DialogState::Active, &[OTHER], 2) });
        assert!(inbox.get(DialogId(2)).is_none());
        assert_eq!(ids(&inbox, Tab::Unassigned), Vec::<i64>::new());

        inbox.apply(5, &Event::DialogRemoved { dialog_id: DialogId(1) });
        assert!(inbox.sorted().is_empty());
        // Events without totals leave the last ones in place.
        assert_eq!(inbox.counts(), totals.dialogs);
    }

    #[test]
    fn events_already_in_the_snapshot_are_ignored() {
        let snapshot = whole_snapshot(ME, 5, vec![dialog(1, DialogState::Active, &[ME], 1)], vec![]);
        let mut inbox = Inbox::from_snapshot(ME, snapshot);
        inbox.apply(4, &Event::DialogUpdated { dialog: dialog(1, DialogState::Unassigned, &[], 1) });
        assert_eq!(ids(&inbox, Tab::Active), vec![1]);
        assert_eq!(inbox.as_of(), 5);
    }

    #[test]
    fn unread_counts_follow_the_server_and_reads() {
        let dialogs = vec![dialog(1, DialogState::Active, &[ME], 1), dialog(2, DialogState::Unassigned, &[], 2)];
        let mut inbox = Inbox::from_snapshot(ME, whole_snapshot(ME, 1, dialogs, vec![(DialogId(1), 2)]));
        assert_eq!((inbox.unread(DialogId(1)), inbox.unread_counts()), (2, counts(0, 2, 0)));
        let update = |id, n| UserEvent {
            event: Event::DialogUpdated { dialog: dialog(id, DialogState::Unassigned, &[], 3) },
            unread: Some(n),
            totals: None,
        };
        inbox.apply_user_event(2, &update(2, 1));
        assert_eq!(inbox.unread(DialogId(2)), 1);
        inbox.apply(3, &Event::DialogRead { dialog_id: DialogId(1), user: ME });
        assert_eq!(inbox.unread(DialogId(1)), 0);
        // A dialog that leaves the inbox takes its count with it.
        inbox.apply(4, &Event::DialogRemoved { dialog_id: DialogId(2) });
        assert_eq!(inbox.unread(DialogId(2)), 0);
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

    /// Page `n` (of `size`) of the whole Unassigned tab `all`, read at `as_of`.
    fn page(all: &[DialogSummary], n: usize, size: usize, as_of: Seq) -> DialogPage {
        let dialogs: Vec<_> = all.iter().skip(n * size).take(size).cloned().collect();
        let more = all.len() > (n + 1) * size;
        let totals = TabTotals { dialogs: counts(all.len(), 0, 0), unread: TabCounts::default() };
        DialogPage { tab: Tab::Unassigned, as_of, dialogs, unread: vec![], more, totals }
    }

    fn unassigned(newest: i64) -> Vec<DialogSummary> {
        (1..=newest).rev().map(|id| dialog(id, DialogState::Unassigned, &[], id * 10)).collect()
    }

    #[test]
    fn pages_extend_a_tab_until_it_is_whole() {
        let all = unassigned(5);
        let mut inbox = Inbox::new(ME);
        inbox.apply_page(page(&all, 0, 2, 0));
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![5, 4]);
        assert_eq!(inbox.counts().get(Tab::Unassigned), 5, "the total counts the whole tab");
        assert_eq!(inbox.next_page(Tab::Unassigned), Some(Cursor { at: 40, id: DialogId(4) }));
        inbox.apply_page(page(&all, 1, 2, 0));
        inbox.apply_page(page(&all, 2, 2, 0));
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![5, 4, 3, 2, 1]);
        assert_eq!(inbox.next_page(Tab::Unassigned), None);
        // The same page again (a repeated request) changes nothing.
        let before = inbox.clone();
        inbox.apply_page(page(&all, 1, 2, 0));
        assert_eq!(inbox, before);
    }

    #[test]
    fn a_dialog_an_event_brings_below_the_loaded_part_waits_for_its_page() {
        let all = unassigned(5);
        let mut inbox = Inbox::new(ME);
        inbox.apply_page(page(&all, 0, 2, 0));
        // Dialog 1 changes (renamed: its activity time stays old).
        let mut renamed = dialog(1, DialogState::Unassigned, &[], 10);
        renamed.name = "Renamed".into();
        inbox.apply(1, &Event::DialogUpdated { dialog: renamed });
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![5, 4], "not shown above the gap");
        // Pages read before the rename arrive afterwards: the rename is kept.
        inbox.apply_page(page(&all, 1, 2, 0));
        inbox.apply_page(page(&all, 2, 2, 0));
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![5, 4, 3, 2, 1]);
        assert_eq!(inbox.get(DialogId(1)).unwrap().name, "Renamed");
    }

    #[test]
    fn a_page_read_before_an_event_does_not_undo_it() {
        let all = unassigned(4);
        let mut inbox = Inbox::new(ME);
        inbox.apply_page(page(&all, 0, 2, 0));
        // Dialog 2 is taken by someone else, then a page read earlier arrives.
        inbox.apply(7, &Event::DialogRemoved { dialog_id: DialogId(2) });
        inbox.apply_page(page(&all, 1, 2, 6));
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![4, 3, 1]);
        // A page read after the event is newer than it and is taken as it is.
        let later = vec![dialog(3, DialogState::Unassigned, &[], 30), dialog(2, DialogState::Unassigned, &[], 20)];
        inbox.apply_page(DialogPage { as_of: 8, ..page(&later, 0, 2, 8) });
        assert_eq!(ids(&inbox, Tab::Unassigned), vec![4, 3, 2, 1]);
    }

    #[test]
    fn an_event_about_a_dialog_dates_what_was_read_of_it_before() {
        let mut inbox = Inbox::new(ME);
        inbox.apply(5, &Event::DialogUpdated { dialog: dialog(1, DialogState::Unassigned, &[], 1) });
        inbox.apply(6, &Event::DialogRemoved { dialog_id: DialogId(2) });
        assert!(inbox.changed_since(DialogId(1), 4), "read before the event");
        assert!(!inbox.changed_since(DialogId(1), 5), "read with the event in it");
        assert!(inbox.changed_since(DialogId(2), 5));
        assert!(!inbox.changed_since(DialogId(3), 0), "nothing was heard of it");

        // An inbox built later (a resync) knows nothing of dialog 3 between 4 and 9.
        let rebuilt = Inbox::from_snapshot(ME, whole_snapshot(ME, 9, vec![], vec![]));
        assert!(rebuilt.changed_since(DialogId(3), 4));
        assert!(!rebuilt.changed_since(DialogId(3), 9));
    }

    #[test]
    fn a_whole_snapshot_counts_every_tab() {
        let dialogs = vec![
            dialog(1, DialogState::Unassigned, &[], 1),
            dialog(2, DialogState::Active, &[ME], 2),
            dialog(3, DialogState::Active, &[OTHER], 3),
            dialog(4, DialogState::Ended, &[ME], 4),
        ];
        let snapshot = whole_snapshot(ME, 1, dialogs, vec![(DialogId(2), 3), (DialogId(3), 5)]);
        let inbox = Inbox::from_snapshot(ME, snapshot);
        assert_eq!((inbox.counts(), inbox.unread_counts()), (counts(1, 1, 1), counts(0, 3, 0)));
        assert!(Tab::ALL.iter().all(|t| inbox.next_page(*t).is_none()));
    }
}
