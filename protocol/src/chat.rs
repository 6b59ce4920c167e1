//! The open chat's messages as pure state: a REST snapshot plus the messages that
//! arrive afterwards (from the socket or from our own send's answer), each once.

use crate::api::{ChatSnapshot, DialogSummary, Message};
use crate::events::Event;
use crate::MessageId;
use std::collections::BTreeMap;

/// One dialog's messages, ordered by id, never duplicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatLog {
    pub dialog: DialogSummary,
    messages: BTreeMap<MessageId, Message>,
}

impl ChatLog {
    pub fn from_snapshot(snapshot: ChatSnapshot) -> Self {
        ChatLog { dialog: snapshot.dialog, messages: snapshot.messages.into_iter().map(|m| (m.id, m)).collect() }
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
                self.messages.insert(message.id, message.clone());
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
    use crate::api::{Author, ChannelKind, DialogState};
    use crate::{ChannelId, ClientId, DialogId};

    fn dialog(id: i64, state: DialogState) -> DialogSummary {
        DialogSummary {
            channel_connected: true,
            owners: Default::default(),
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
    fn messages_arrive_once_in_order_and_only_for_this_dialog() {
        let mut log = ChatLog::from_snapshot(ChatSnapshot {
            as_of: 3,
            dialog: dialog(1, DialogState::Unassigned),
            messages: vec![msg(1, 1), msg(3, 1)],
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
        let mut log =
            ChatLog::from_snapshot(ChatSnapshot { as_of: 3, dialog: dialog(1, DialogState::Active), messages: vec![] });
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
}
