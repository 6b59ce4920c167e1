//! The open chat's messages as pure state: a REST snapshot of the newest page, older
//! pages as the reader scrolls up, and the messages that arrive afterwards (from the
//! socket or from our own send's answer), each once.

use crate::api::{Author, ChatSnapshot, DialogSummary, Message, MessagePage, Receipt};
use crate::events::Event;
use crate::MessageId;
use std::collections::BTreeMap;

/// One dialog's messages, ordered by id, never duplicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatLog {
    pub dialog: DialogSummary,
    messages: BTreeMap<MessageId, Message>,
    /// Messages older than the oldest one held exist on the server.
    has_older: bool,
}

impl ChatLog {
    pub fn from_snapshot(snapshot: ChatSnapshot) -> Self {
        ChatLog {
            dialog: snapshot.dialog,
            messages: snapshot.messages.into_iter().map(|m| (m.id, m)).collect(),
            has_older: snapshot.has_older,
        }
    }

    /// Which operators' answers show how far the client got: the newest one they have
    /// seen ("Seen"), and the newest one their device received after it ("Delivered").
    /// Only answers to the client count (not notes, not system lines).
    pub fn receipts(&self) -> Vec<(MessageId, Receipt)> {
        let newest_up_to = |up_to: Option<MessageId>| {
            let up_to = up_to?;
            let answers = self.messages.range(..=up_to).rev().map(|(_, m)| m);
            answers.into_iter().find(|m| matches!(m.author, Author::Operator { .. })).map(|m| m.id)
        };
        let seen = newest_up_to(self.dialog.client_read);
        let delivered =
            newest_up_to(self.dialog.client_delivered.max(self.dialog.client_read)).filter(|d| Some(*d) > seen);
        delivered.map(|d| (d, Receipt::Delivered)).into_iter().chain(seen.map(|s| (s, Receipt::Seen))).collect()
    }

    /// Where the next older page ends (it holds messages before this one), unless the
    /// chat is whole.
    pub fn older_page(&self) -> Option<MessageId> {
        self.messages.keys().next().copied().filter(|_| self.has_older)
    }

    /// Takes in the page of messages before `before`, unless the chat has changed since
    /// it was asked for (it would then leave a gap or repeat messages).
    pub fn prepend(&mut self, before: MessageId, page: MessagePage) {
        if self.older_page() != Some(before) {
            return;
        }
        self.has_older = page.has_older;
        for message in page.messages.into_iter().filter(|m| m.dialog_id == self.dialog.id && m.id < before) {
            self.messages.entry(message.id).or_insert(message);
        }
    }

    /// The message lies before the held pages (an update to it is read with its page).
    fn is_before_held(&self, id: MessageId) -> bool {
        self.older_page().is_some_and(|oldest| id < oldest)
    }

    /// Adds a message of this dialog (a second copy of the same id is ignored).
    pub fn add(&mut self, message: Message) {
        if message.dialog_id == self.dialog.id {
            self.messages.entry(message.id).or_insert(message);
        }
    }

    /// Applies a socket event: new messages and dialog changes of this dialog.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::MessageCreated { dialog, message } if dialog.id == self.dialog.id => {
                self.dialog = dialog.clone();
                self.add(message.clone());
            }
            Event::MessageUpdated { dialog, message } if dialog.id == self.dialog.id => {
                self.dialog = dialog.clone();
                if !self.is_before_held(message.id) {
                    self.messages.insert(message.id, message.clone());
                }
            }
            Event::DialogUpdated { dialog } if dialog.id == self.dialog.id => self.dialog = dialog.clone(),
            _ => {}
        }
    }

    /// Messages, oldest first.
    pub fn messages(&self) -> impl DoubleEndedIterator<Item = &Message> + '_ {
        self.messages.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ChannelKind, DialogState};
    use crate::UserId;
    use crate::{ChannelId, ClientId, DialogId};

    fn dialog(id: i64, state: DialogState) -> DialogSummary {
        DialogSummary {
            channel_connected: true,
            owners: Default::default(),
            client_read: None,
            client_delivered: None,
            reply_until: None,
            offer: None,
            id: DialogId(id),
            name: "Olena".into(),
            client_id: ClientId(1),
            client_name: "Olena".into(),
            channel_id: ChannelId(1),
            channel_kind: ChannelKind::Widget,
            channel_name: "Website".into(),
            state,
            members: vec![],
            participants: vec![],
            spam: false,
            handover: None,
            avatar: None,
            created_at: 0,
            last_message: None,
            last_activity_at: 0,
        }
    }

    fn msg(id: i64, dialog: i64) -> Message {
        Message {
            delivery: Default::default(),
            edit: Default::default(),
            notice: None,
            record: Default::default(),
            id: MessageId(id),
            dialog_id: DialogId(dialog),
            author: Author::System,
            text: format!("m{id}"),
            created_at: id,
            client_msg_id: None,
            attachments: vec![],
        }
    }

    #[test]
    fn answers_show_how_far_the_client_got() {
        let answer =
            |id| Message { author: Author::Operator { user_id: UserId(2), name: "Anna".into() }, ..msg(id, 1) };
        let note = Message { author: Author::Note { user_id: UserId(2), name: "Anna".into() }, ..msg(4, 1) };
        let client = Message { author: Author::Client { name: "Olena".into() }, ..msg(5, 1) };
        let mut log = ChatLog::from_snapshot(ChatSnapshot {
            as_of: 1,
            dialog: dialog(1, DialogState::Active),
            messages: vec![answer(1), answer(2), answer(3), note, client, answer(6)],
            has_older: false,
        });
        assert_eq!(log.receipts(), vec![], "nothing known");
        log.dialog.client_delivered = Some(MessageId(6));
        log.dialog.client_read = Some(MessageId(2));
        assert_eq!(log.receipts(), vec![(MessageId(6), Receipt::Delivered), (MessageId(2), Receipt::Seen)]);
        // A note or the client's own line is never marked: the answer before it is.
        log.dialog.client_read = Some(MessageId(5));
        assert_eq!(log.receipts(), vec![(MessageId(6), Receipt::Delivered), (MessageId(3), Receipt::Seen)]);
        // Seen the newest: no Delivered beside it; seen without a delivery report counts as both.
        log.dialog.client_delivered = None;
        log.dialog.client_read = Some(MessageId(6));
        assert_eq!(log.receipts(), vec![(MessageId(6), Receipt::Seen)]);
    }

    #[test]
    fn messages_arrive_once_in_order_and_only_for_this_dialog() {
        let mut log = ChatLog::from_snapshot(ChatSnapshot {
            as_of: 3,
            dialog: dialog(1, DialogState::Unassigned),
            messages: vec![msg(1, 1), msg(3, 1)],
            has_older: false,
        });
        log.add(msg(2, 1));
        log.add(msg(3, 1));
        log.add(msg(4, 2));
        log.apply(&Event::MessageCreated { dialog: dialog(1, DialogState::Active), message: msg(5, 1) });
        log.apply(&Event::MessageCreated { dialog: dialog(1, DialogState::Active), message: msg(5, 1) });
        let ids: Vec<i64> = log.messages().map(|m| m.id.0).collect();
        assert_eq!(ids, [1, 2, 3, 5]);
        assert_eq!(log.dialog.state, DialogState::Active);
        log.apply(&Event::DialogUpdated { dialog: dialog(9, DialogState::Ended) });
        assert_eq!(log.dialog.state, DialogState::Active);
    }

    #[test]
    fn an_updated_message_replaces_the_one_shown() {
        use crate::api::{Delivery, Edit};
        let mut log = ChatLog::from_snapshot(ChatSnapshot {
            as_of: 3,
            dialog: dialog(1, DialogState::Active),
            messages: vec![],
            has_older: false,
        });
        let mut sending = msg(1, 1);
        sending.delivery = Some(Delivery::Sending);
        log.add(sending.clone());
        let mut sent = sending.clone();
        sent.delivery = Some(Delivery::Sent);
        log.apply(&Event::MessageUpdated { dialog: dialog(1, DialogState::Active), message: sent.clone() });
        // The send's own answer arriving late does not bring the old state back.
        log.add(sending);
        assert_eq!(log.messages().next().unwrap().delivery, Some(Delivery::Sent));
        let mut edited = sent;
        edited.text = "m1, corrected".into();
        edited.edit = Some(Edit { original: "m1".into(), at: 9 });
        log.apply(&Event::MessageUpdated { dialog: dialog(2, DialogState::Active), message: edited.clone() });
        assert_eq!(log.messages().next().unwrap().text, "m1", "another dialog's update is ignored");
        log.apply(&Event::MessageUpdated { dialog: dialog(1, DialogState::Active), message: edited.clone() });
        assert_eq!(log.messages().collect::<Vec<_>>(), [&edited]);
    }

    #[test]
    fn older_pages_go_before_the_held_ones_once_and_updates_wait_for_their_page() {
        let mut log = ChatLog::from_snapshot(ChatSnapshot {
            as_of: 9,
            dialog: dialog(1, DialogState::Active),
            messages: vec![msg(5, 1), msg(6, 1)],
            has_older: true,
        });
        assert_eq!(log.older_page(), Some(MessageId(5)));
        // An edit of a message not held yet is not shown out of place.
        let mut edited = msg(2, 1);
        edited.text = "m2, corrected".into();
        log.apply(&Event::MessageUpdated { dialog: dialog(1, DialogState::Active), message: edited.clone() });
        assert_eq!(log.messages().count(), 2);
        // A page asked for before another one landed is dropped.
        log.prepend(MessageId(9), MessagePage { messages: vec![msg(1, 1)], has_older: false });
        assert_eq!(log.older_page(), Some(MessageId(5)));
        log.prepend(MessageId(5), MessagePage { messages: vec![msg(3, 1), edited, msg(4, 1)], has_older: true });
        let ids: Vec<i64> = log.messages().map(|m| m.id.0).collect();
        assert_eq!(ids, [2, 3, 4, 5, 6]);
        assert_eq!(log.messages().next().unwrap().text, "m2, corrected");
        assert_eq!(log.older_page(), Some(MessageId(2)));
        log.prepend(MessageId(2), MessagePage { messages: vec![msg(1, 1)], has_older: false });
        assert_eq!(log.older_page(), None, "the chat is whole");
        assert_eq!(log.messages().count(), 6);
        // Now every message is held: an update to any of them shows.
        let mut first = msg(1, 1);
        first.text = "m1, corrected".into();
        log.apply(&Event::MessageUpdated { dialog: dialog(1, DialogState::Active), message: first });
        assert_eq!(log.messages().next().unwrap().text, "m1, corrected");
    }
}
