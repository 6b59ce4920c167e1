//! Every user's unread counts and tab totals, and who may open each dialog now, kept in
//! memory by folding the event log: the server's socket fan-out answers them without
//! a database query per socket or per event.
//!
//! It starts from the database's facts at one log position ([`Counts::set_dialog`],
//! [`Counts::set_read`]) and then applies each later event in order ([`Counts::apply`]).
//! The events carry all it needs: every change of a dialog's state, members or linked
//! records logs the dialog's summary, every message by the client or an operator adds
//! one to its count, and reads are logged (writing in a dialog reads it).

use crate::api::{Author, DialogState, DialogSummary, TabTotals};
use crate::crm::RecordOwners;
use crate::events::Event;
use crate::inbox::{Reach, Tab};
use crate::permissions::Access;
use crate::{DialogId, UserId};
use std::collections::HashMap;

/// What the counts need to know of one dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogFacts {
    pub state: DialogState,
    pub members: Vec<UserId>,
    pub participants: Vec<UserId>,
    pub owners: RecordOwners,
    /// Messages by the client or operators (system notes do not count as unread).
    pub people: u32,
    /// The operator an Unassigned dialog is offered to in turn.
    pub offered_to: Option<UserId>,
}

impl DialogFacts {
    /// The facts of `summary`, with `people` messages by people.
    pub fn of(summary: &DialogSummary, people: u32) -> Self {
        DialogFacts {
            state: summary.state,
            members: summary.members.clone(),
            participants: summary.participants.clone(),
            owners: summary.owners.clone(),
            people,
            offered_to: summary.offer.map(|o| o.to),
        }
    }

    /// What decides who sees the dialog.
    pub fn reach(&self) -> Reach<'_> {
        Reach {
            state: self.state,
            members: &self.members,
            participants: &self.participants,
            owners: &self.owners,
            offered_to: self.offered_to,
        }
    }
}

/// One user's sums over the dialogs of their Active and Inactive tabs, what they have
/// read of the Unassigned ones that are everyone's, and the Unassigned dialogs offered
/// to them alone.
#[derive(Debug, Clone, Copy, Default)]
struct UserSums {
    active: i64,
    active_unread: i64,
    inactive: i64,
    inactive_unread: i64,
    unassigned_read: i64,
    offered: i64,
    offered_unread: i64,
}

/// Unread counts and tab totals of every user, and each dialog's current reach.
#[derive(Debug, Default)]
pub struct Counts {
    dialogs: HashMap<DialogId, DialogFacts>,
    /// Per dialog, how many of its people's messages each user has read.
    reads: HashMap<DialogId, HashMap<UserId, u32>>,
    users: HashMap<UserId, UserSums>,
    unassigned: i64,
    unassigned_people: i64,
}

impl Counts {
    /// Sets what is known of a dialog (when loading from the database).
    pub fn set_dialog(&mut self, id: DialogId, facts: DialogFacts) {
        self.account(id, -1);
        self.dialogs.insert(id, facts);
        self.account(id, 1);
    }

    /// Sets how many of a dialog's people's messages `user` has read.
    pub fn set_read(&mut self, user: UserId, dialog: DialogId, read: u32) {
        self.account(dialog, -1);
        self.reads.entry(dialog).or_default().insert(user, read);
        self.account(dialog, 1);
    }

    /// Applies the next event of the log.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::DialogUpdated { dialog } | Event::MessageUpdated { dialog, .. } => {
                let people = self.people(dialog.id);
                self.set_dialog(dialog.id, DialogFacts::of(dialog, people));
            }
            Event::MessageCreated { dialog, message } => {
                let people = self.people(dialog.id) + u32::from(message.author.is_person());
                self.set_dialog(dialog.id, DialogFacts::of(dialog, people));
                if let Author::Operator { user_id, .. } | Author::Note { user_id, .. } = message.author {
                    // Writing in a dialog reads it up to there.
                    self.set_read(user_id, dialog.id, people);
                }
            }
            Event::DialogRead { dialog_id, user } => {
                let people = self.people(*dialog_id);
                self.set_read(*user, *dialog_id, people);
            }
            Event::DialogRemoved { .. } => {}
        }
    }

    /// What is known of a dialog now.
    pub fn facts(&self, dialog: DialogId) -> Option<&DialogFacts> {
        self.dialogs.get(&dialog)
    }

    fn people(&self, dialog: DialogId) -> u32 {
        self.dialogs.get(&dialog).map_or(0, |f| f.people)
    }

    fn read(&self, user: UserId, dialog: DialogId) -> u32 {
        self.reads.get(&dialog).and_then(|r| r.get(&user)).copied().unwrap_or(0)
    }

    /// Adds (`sign` 1) or takes away (-1) what dialog `id` contributes to the sums.
    fn account(&mut self, id: DialogId, sign: i64) {
        let Some(facts) = self.dialogs.get(&id) else { return };
        let people = i64::from(facts.people);
        match (facts.state, facts.offered_to) {
            (DialogState::Unassigned, Some(to)) => {
                let unread = people - i64::from(self.read(to, id));
                let sums = self.users.entry(to).or_default();
                sums.offered += sign;
                sums.offered_unread += sign * unread;
            }
            (DialogState::Unassigned, None) => {
                self.unassigned += sign;
                self.unassigned_people += sign * people;
                for (user, read) in self.reads.get(&id).into_iter().flatten() {
                    self.users.entry(*user).or_default().unassigned_read += sign * i64::from(*read);
                }
            }
            // Active counts for its members, Ended (Inactive) for everyone who worked on it.
            (state, _) => {
                let active = state == DialogState::Active;
                for user in if active { &facts.members } else { &facts.participants } {
                    let unread =
                        people - i64::from(self.reads.get(&id).and_then(|r| r.get(user)).copied().unwrap_or(0));
                    let sums = self.users.entry(*user).or_default();
                    let (count, unread_sum) = if active {
                        (&mut sums.active, &mut sums.active_unread)
                    } else {
                        (&mut sums.inactive, &mut sums.inactive_unread)
                    };
                    *count += sign;
                    *unread_sum += sign * unread;
                }
            }
        }
    }

    /// Messages of `dialog` that `user` has not read.
    pub fn unread(&self, user: UserId, dialog: DialogId) -> u32 {
        self.people(dialog).saturating_sub(self.read(user, dialog))
    }

    /// How many dialogs, and unread messages, each of `user`'s tabs holds.
    pub fn totals(&self, user: UserId) -> TabTotals {
        let sums = self.users.get(&user).copied().unwrap_or_default();
        let n = |v: i64| v.max(0) as usize;
        let mut totals = TabTotals::default();
        for (tab, dialogs, unread) in [
            (
                Tab::Unassigned,
                self.unassigned + sums.offered,
                self.unassigned_people - sums.unassigned_read + sums.offered_unread,
            ),
            (Tab::Active, sums.active, sums.active_unread),
            (Tab::Inactive, sums.inactive, sums.inactive_unread),
        ] {
            *totals.dialogs.slot(tab) = n(dialogs);
            *totals.unread.slot(tab) = n(unread);
        }
        totals
    }

    /// May `user` open `dialog` as it is now? (Unknown dialogs: no.)
    pub fn may_open(&self, dialog: DialogId, user: UserId, access: &Access) -> bool {
        self.dialogs.get(&dialog).is_some_and(|f| f.reach().may_open(user, access))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Message;
    use crate::permissions::{EntityRights, ViewScope};
    use crate::MessageId;

    fn dialog(id: i64, state: DialogState, members: &[i64], participants: &[i64]) -> DialogSummary {
        DialogSummary::example(DialogId(id), state, members, participants)
    }

    fn said(d: &DialogSummary, author: Author) -> Event {
        let message = Message {
            delivery: Default::default(),
            edit: Default::default(),
            notice: None,
            record: Default::default(),
            id: MessageId(1),
            dialog_id: d.id,
            author,
            text: "hi".into(),
            created_at: 5,
            client_msg_id: None,
            attachments: vec![],
        };
        Event::MessageCreated { dialog: d.clone(), message }
    }

    fn client() -> Author {
        Author::Client { name: "Olena".into() }
    }

    fn operator(id: i64) -> Author {
        Author::Operator { user_id: UserId(id), name: "Anna".into() }
    }

    fn counts(t: &TabTotals) -> [(usize, usize); 3] {
        Tab::ALL.map(|tab| (t.dialogs.get(tab), t.unread.get(tab)))
    }

    #[test]
    fn a_dialog_moves_through_the_tabs_with_its_unread() {
        let mut c = Counts::default();
        let new = dialog(1, DialogState::Unassigned, &[], &[]);
        c.apply(&said(&new, client()));
        c.apply(&said(&new, client()));
        for user in [1, 2] {
            assert_eq!(counts(&c.totals(UserId(user))), [(1, 2), (0, 0), (0, 0)]);
        }
        // Anna takes it: a system note does not count; she has read nothing yet.
        let taken = dialog(1, DialogState::Active, &[1], &[1]);
        c.apply(&Event::DialogUpdated { dialog: taken.clone() });
        c.apply(&said(&taken, Author::System));
        assert_eq!(counts(&c.totals(UserId(1))), [(0, 0), (1, 2), (0, 0)]);
        assert_eq!(counts(&c.totals(UserId(2))), [(0, 0), (0, 0), (0, 0)]);
        assert_eq!(c.unread(UserId(1), DialogId(1)), 2);
        // Her answer reads it; the client's next message is new to her.
        c.apply(&said(&taken, operator(1)));
        assert_eq!(c.unread(UserId(1), DialogId(1)), 0);
        c.apply(&said(&taken, client()));
        assert_eq!(counts(&c.totals(UserId(1))), [(0, 0), (1, 1), (0, 0)]);
        // Ended: it moves to Inactive with its unread.
        let ended = dialog(1, DialogState::Ended, &[], &[1]);
        c.apply(&Event::DialogUpdated { dialog: ended });
        assert_eq!(counts(&c.totals(UserId(1))), [(0, 0), (0, 0), (1, 1)]);
        c.apply(&Event::DialogRead { dialog_id: DialogId(1), user: UserId(1) });
        assert_eq!(counts(&c.totals(UserId(1))), [(0, 0), (0, 0), (1, 0)]);
    }

    #[test]
    fn reads_of_unassigned_dialogs_are_per_user() {
        let mut c = Counts::default();
        let a = dialog(1, DialogState::Unassigned, &[], &[]);
        let b = dialog(2, DialogState::Unassigned, &[], &[]);
        c.apply(&said(&a, client()));
        c.apply(&said(&b, client()));
        c.apply(&said(&b, client()));
        c.apply(&Event::DialogRead { dialog_id: DialogId(2), user: UserId(1) });
        assert_eq!(counts(&c.totals(UserId(1))), [(2, 1), (0, 0), (0, 0)]);
        assert_eq!(counts(&c.totals(UserId(2))), [(2, 3), (0, 0), (0, 0)]);
        // Taken by user 2: user 1's read of it no longer counts in Unassigned.
        c.apply(&Event::DialogUpdated { dialog: dialog(2, DialogState::Active, &[2], &[2]) });
        assert_eq!(counts(&c.totals(UserId(1))), [(1, 1), (0, 0), (0, 0)]);
        assert_eq!(counts(&c.totals(UserId(2))), [(1, 1), (1, 2), (0, 0)]);
    }

    #[test]
    fn a_dialog_offered_in_turn_counts_only_for_the_operator_it_is_offered_to() {
        let mut c = Counts::default();
        let waiting = dialog(1, DialogState::Unassigned, &[], &[]);
        c.apply(&said(&waiting, client()));
        c.apply(&said(&waiting, client()));
        c.apply(&Event::DialogRead { dialog_id: DialogId(1), user: UserId(2) });
        let offer = |to: i64| crate::api::Offer { to: UserId(to), until: 99 };
        let to_anna = DialogSummary { offer: Some(offer(1)), ..waiting.clone() };
        c.apply(&Event::DialogUpdated { dialog: to_anna });
        assert_eq!(counts(&c.totals(UserId(1))), [(1, 2), (0, 0), (0, 0)]);
        assert_eq!(counts(&c.totals(UserId(2))), [(0, 0), (0, 0), (0, 0)]);
        assert!(!c.may_open(DialogId(1), UserId(2), &Access::derive(own(), own(), false)));
        // Passed on to Bob, who had read it all.
        c.apply(&Event::DialogUpdated { dialog: DialogSummary { offer: Some(offer(2)), ..waiting.clone() } });
        assert_eq!(counts(&c.totals(UserId(1))), [(0, 0), (0, 0), (0, 0)]);
        assert_eq!(counts(&c.totals(UserId(2))), [(1, 0), (0, 0), (0, 0)]);
        c.apply(&said(&DialogSummary { offer: Some(offer(2)), ..waiting.clone() }, client()));
        assert_eq!(counts(&c.totals(UserId(2))), [(1, 1), (0, 0), (0, 0)]);
        // Nobody left to offer it to: everyone's again.
        c.apply(&Event::DialogUpdated { dialog: waiting });
        assert_eq!(counts(&c.totals(UserId(1))), [(1, 3), (0, 0), (0, 0)]);
        assert_eq!(counts(&c.totals(UserId(2))), [(1, 1), (0, 0), (0, 0)]);
    }

    fn own() -> EntityRights {
        EntityRights::new(true, ViewScope::Own)
    }

    #[test]
    fn loading_then_applying_equals_applying_from_the_start() {
        let d = dialog(1, DialogState::Active, &[1, 2], &[1, 2]);
        let mut loaded = Counts::default();
        loaded.set_dialog(DialogId(1), DialogFacts::of(&d, 3));
        loaded.set_read(UserId(1), DialogId(1), 2);
        let mut folded = Counts::default();
        folded.apply(&Event::DialogUpdated { dialog: d.clone() });
        for _ in 0..2 {
            folded.apply(&said(&d, client()));
        }
        folded.apply(&Event::DialogRead { dialog_id: DialogId(1), user: UserId(1) });
        folded.apply(&said(&d, client()));
        for user in [1, 2, 3] {
            assert_eq!(loaded.totals(UserId(user)), folded.totals(UserId(user)), "user {user}");
            assert_eq!(loaded.unread(UserId(user), DialogId(1)), folded.unread(UserId(user), DialogId(1)));
        }
    }

    #[test]
    fn who_may_open_follows_the_latest_summary() {
        let own = EntityRights::new(true, ViewScope::Own);
        let access = Access::derive(own, own, false);
        let mut c = Counts::default();
        assert!(!c.may_open(DialogId(1), UserId(5), &access));
        c.apply(&Event::DialogUpdated { dialog: dialog(1, DialogState::Active, &[5], &[5]) });
        assert!(c.may_open(DialogId(1), UserId(5), &access));
        c.apply(&Event::DialogUpdated { dialog: dialog(1, DialogState::Active, &[6], &[5, 6]) });
        assert!(!c.may_open(DialogId(1), UserId(5), &access));
    }
}
