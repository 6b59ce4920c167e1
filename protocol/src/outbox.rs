//! Messages the operator sent that the server has not confirmed yet: sending, waiting
//! for the connection, or failed with a reason. Each keeps its idempotency key, so
//! sending it again never stores it twice.

use crate::api::Attachment;
use crate::{DialogId, Millis};

/// Where an unconfirmed message stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendState {
    /// On its way to the server.
    Sending,
    /// The connection is down: it goes out when the connection returns.
    Waiting,
    /// The server refused it; the reason is shown with a Retry button.
    Failed(String),
}

/// What the operator sends: text, files, or both; or a private note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    pub text: String,
    pub attachments: Vec<Attachment>,
    /// A private note for colleagues, not an answer to the client.
    pub note: bool,
}

impl Outgoing {
    /// Just text.
    pub fn text(text: impl Into<String>) -> Self {
        Outgoing { text: text.into(), ..Default::default() }
    }
}

/// One unconfirmed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The idempotency key (`client_msg_id`).
    pub key: String,
    pub dialog: DialogId,
    pub text: String,
    /// Files already uploaded for it.
    pub attachments: Vec<Attachment>,
    /// A private note.
    pub note: bool,
    pub state: SendState,
    pub created_at: Millis,
}

/// Unconfirmed messages, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbox {
    items: Vec<Pending>,
}

impl Outbox {
    /// Adds a message: sending at once when `online`, else waiting for the connection.
    pub fn push(&mut self, dialog: DialogId, key: String, content: Outgoing, created_at: Millis, online: bool) {
        let state = if online { SendState::Sending } else { SendState::Waiting };
        let Outgoing { text, attachments, note } = content;
        self.items.push(Pending { key, dialog, text, attachments, note, state, created_at });
    }

    /// The server stored it: it leaves the outbox.
    pub fn confirmed(&mut self, key: &str) {
        self.items.retain(|p| p.key != key);
    }

    /// Sending failed: a lost connection leaves it waiting; a refusal marks it failed.
    pub fn failed(&mut self, key: &str, connection_lost: bool, reason: &str) {
        if let Some(p) = self.items.iter_mut().find(|p| p.key == key) {
            p.state = if connection_lost { SendState::Waiting } else { SendState::Failed(reason.to_string()) };
        }
    }

    /// Marks every waiting message (and `also`, a failed one being retried) as sending,
    /// and returns them, oldest first, to be sent.
    pub fn take_for_sending(&mut self, also: Option<&str>) -> Vec<Pending> {
        let mut out = Vec::new();
        for p in &mut self.items {
            let retry = also == Some(p.key.as_str()) && matches!(p.state, SendState::Failed(_));
            if p.state == SendState::Waiting || retry {
                p.state = SendState::Sending;
                out.push(p.clone());
            }
        }
        out
    }

    /// The unconfirmed messages of one dialog, oldest first.
    pub fn for_dialog(&self, dialog: DialogId) -> impl Iterator<Item = &Pending> + '_ {
        self.items.iter().filter(move |p| p.dialog == dialog)
    }

    /// How many messages wait for the connection.
    pub fn waiting(&self) -> usize {
        self.items.iter().filter(|p| p.state == SendState::Waiting).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(o: &Outbox, dialog: i64) -> Vec<(String, SendState)> {
        o.for_dialog(DialogId(dialog)).map(|p| (p.key.clone(), p.state.clone())).collect()
    }

    #[test]
    fn offline_messages_wait_and_go_out_in_order_when_the_connection_returns() {
        let mut o = Outbox::default();
        o.push(DialogId(1), "a".into(), Outgoing::text("one"), 1, false);
        o.push(DialogId(1), "b".into(), Outgoing::text("two"), 2, false);
        o.push(DialogId(2), "c".into(), Outgoing::text("elsewhere"), 3, true);
        assert_eq!(o.waiting(), 2);
        let out: Vec<_> = o.take_for_sending(None).into_iter().map(|p| p.key).collect();
        assert_eq!(out, ["a", "b"], "oldest first, the one already sending is left alone");
        assert_eq!(o.waiting(), 0);
        assert!(o.take_for_sending(None).is_empty(), "nothing is sent twice at once");
        o.confirmed("a");
        assert_eq!(keys(&o, 1), [("b".to_string(), SendState::Sending)]);
    }

    #[test]
    fn a_lost_connection_waits_and_a_refusal_fails_until_retried() {
        let mut o = Outbox::default();
        o.push(DialogId(1), "a".into(), Outgoing::text("one"), 1, true);
        o.push(DialogId(1), "b".into(), Outgoing::text("two"), 2, true);
        o.failed("a", true, "unreachable");
        o.failed("b", false, "This dialog is closed.");
        assert_eq!(
            keys(&o, 1),
            [
                ("a".to_string(), SendState::Waiting),
                ("b".to_string(), SendState::Failed("This dialog is closed.".into()))
            ]
        );
        let out: Vec<_> = o.take_for_sending(None).into_iter().map(|p| p.key).collect();
        assert_eq!(out, ["a"], "a failed message waits for Retry");
        let out: Vec<_> = o.take_for_sending(Some("b")).into_iter().map(|p| p.key).collect();
        assert_eq!(out, ["b"]);
    }
}
