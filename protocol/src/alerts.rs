//! Which live events alert a user (a browser notification, a sound, the unread count
//! in the page title): a new Unassigned dialog for those who see Unassigned, a dialog
//! offered to the user in turn, a new client message in a dialog the user works on, and
//! a colleague's note that mentions them (`@login` or `@Full Name`). Pure, so the rule is tested natively.

use crate::api::{truncate_chars, Author, DialogState, DialogSummary, Message, UserSummary, PREVIEW_CHARS};
use crate::events::Event;
use crate::inbox::{tab_of, Inbox, Tab};
use crate::DialogId;

/// What to tell the user (the app words it in its language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub dialog: DialogId,
    pub kind: AlertKind,
    /// The dialog's name.
    pub name: String,
    /// The message in one line; `None` for a dialog offered before any message.
    pub body: Option<String>,
}

/// Why the user is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertKind {
    /// A dialog new to the user's Unassigned.
    NewDialog,
    /// A dialog offered to the user in turn.
    Offered,
    /// A client's message in a dialog the user works on.
    Message,
    /// A colleague's note that mentions the user.
    Mention { by: String },
}

/// How text is lowercased to find mentions: `str::to_lowercase`, or in the browser its
/// own `toLowerCase` (the same Unicode rules; Rust's case tables would be 10 KB more of
/// the app's first download).
pub type Lowercase = fn(&str) -> String;

/// The alert `event` brings to user `me`, judged against the inbox as it was before the
/// event (so only a dialog that is new to Unassigned counts as new). Events come only
/// for dialogs the user may open, so a mention reaches only who may read the dialog.
pub fn alert_for(inbox: &Inbox, me: &UserSummary, event: &Event, lowercase: Lowercase) -> Option<Alert> {
    if let Event::DialogUpdated { dialog } = event {
        return offered(inbox, me, dialog);
    }
    let Event::MessageCreated { dialog, message } = event else { return None };
    if let Author::Note { user_id, name } = &message.author {
        if *user_id == me.id || !mentions(&message.text, me, lowercase) {
            return None;
        }
        let kind = AlertKind::Mention { by: name.clone() };
        return Some(Alert { dialog: dialog.id, kind, name: dialog.name.clone(), body: Some(summary(message)) });
    }
    if !matches!(message.author, Author::Client { .. }) {
        return None;
    }
    let me = me.id;
    let kind = match dialog.state {
        DialogState::Unassigned if tab_of(dialog, me) == Some(Tab::Unassigned) => {
            let known = inbox.get(dialog.id).is_some_and(|d| d.state == DialogState::Unassigned);
            if known {
                return None;
            }
            AlertKind::NewDialog
        }
        DialogState::Active if dialog.members.contains(&me) => AlertKind::Message,
        _ => return None,
    };
    Some(Alert { dialog: dialog.id, kind, name: dialog.name.clone(), body: Some(summary(message)) })
}

/// A dialog waiting in turn that has just been offered to `me` (it came as their "new
/// dialog" if it was offered as it came).
fn offered(inbox: &Inbox, me: &UserSummary, dialog: &DialogSummary) -> Option<Alert> {
    let to_me = |d: &DialogSummary| d.state == DialogState::Unassigned && d.offer.is_some_and(|o| o.to == me.id);
    if !to_me(dialog) || inbox.get(dialog.id).is_some_and(to_me) {
        return None;
    }
    let body = dialog
        .last_message
        .as_ref()
        .map(|m| truncate_chars(&m.text.split_whitespace().collect::<Vec<_>>().join(" "), PREVIEW_CHARS));
    Some(Alert { dialog: dialog.id, kind: AlertKind::Offered, name: dialog.name.clone(), body })
}

/// `text` names `user` with `@login` or `@Full Name` (any case), not as the start of a
/// longer word.
pub fn mentions(text: &str, user: &UserSummary, lowercase: Lowercase) -> bool {
    let text = lowercase(text);
    [&user.login, &user.name].into_iter().filter(|n| !n.is_empty()).any(|name| {
        let wanted = format!("@{}", lowercase(name));
        text.match_indices(&wanted).any(|(at, _)| {
            let after = text[at + wanted.len()..].chars().next();
            !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    })
}

/// A message in one line: its text, or the names of its files.
fn summary(message: &Message) -> String {
    let text = message.text.split_whitespace().collect::<Vec<_>>().join(" ");
    if !text.is_empty() {
        return truncate_chars(&text, PREVIEW_CHARS);
    }
    let files: Vec<&str> = message.attachments.iter().map(|a| a.name.as_str()).collect();
    truncate_chars(&format!("File: {}", files.join(", ")), PREVIEW_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ChannelKind, DialogSummary};
    use crate::{ChannelId, ClientId, MessageId, UserId};

    const ANNA: UserId = UserId(1);
    const BOB: UserId = UserId(2);

    fn alert_of(inbox: &Inbox, me: &UserSummary, event: &Event) -> Option<Alert> {
        alert_for(inbox, me, event, str::to_lowercase)
    }

    fn user(id: UserId) -> UserSummary {
        let (login, name) = if id == ANNA { ("anna", "Anna Kovalenko") } else { ("bob", "Bob Marchenko") };
        UserSummary { id, login: login.into(), name: name.into(), works_in_lines: true }
    }

    fn dialog(state: DialogState, members: Vec<UserId>) -> DialogSummary {
        DialogSummary {
            channel_connected: true,
            owners: Default::default(),
            client_read: None,
            client_delivered: None,
            reply_until: None,
            offer: None,
            id: DialogId(7),
            name: "Olena".into(),
            client_id: ClientId(1),
            client_name: "Olena".into(),
            channel_id: ChannelId(1),
            channel_kind: ChannelKind::Widget,
            channel_name: "Website".into(),
            state,
            participants: members.clone(),
            members,
            spam: false,
            handover: None,
            avatar: None,
            created_at: 0,
            last_message: None,
            last_activity_at: 0,
        }
    }

    fn written(author: Author, text: &str) -> Message {
        Message {
            delivery: None,
            edit: None,
            notice: None,
            record: None,
            id: MessageId(1),
            dialog_id: DialogId(7),
            author,
            text: text.into(),
            created_at: 1,
            client_msg_id: None,
            attachments: vec![],
        }
    }

    fn client(text: &str) -> Message {
        written(Author::Client { name: "Olena".into() }, text)
    }

    fn created(dialog: DialogSummary, message: Message) -> Event {
        Event::MessageCreated { dialog, message }
    }

    #[test]
    fn a_dialog_new_to_unassigned_alerts_once() {
        let mut inbox = Inbox::new(ANNA);
        let first = created(dialog(DialogState::Unassigned, vec![]), client("Hello,\n  is the  navy one in stock?"));
        let alert = alert_of(&inbox, &user(ANNA), &first).expect("a new dialog");
        assert_eq!(
            alert,
            Alert {
                dialog: DialogId(7),
                kind: AlertKind::NewDialog,
                name: "Olena".into(),
                body: Some("Hello, is the navy one in stock?".into())
            }
        );
        inbox.apply(1, &first);
        let second = created(dialog(DialogState::Unassigned, vec![]), client("Anyone there?"));
        assert_eq!(alert_of(&inbox, &user(ANNA), &second), None, "the dialog is already waiting in Unassigned");
    }

    #[test]
    fn client_messages_alert_the_members_of_an_active_dialog_only() {
        let inbox = Inbox::new(ANNA);
        let event = created(dialog(DialogState::Active, vec![ANNA]), client("Thanks!"));
        assert_eq!(
            alert_of(&inbox, &user(ANNA), &event).map(|a| (a.kind, a.name)),
            Some((AlertKind::Message, "Olena".into()))
        );
        assert_eq!(alert_of(&inbox, &user(BOB), &event), None, "Bob does not work on it");
        let mine = created(
            dialog(DialogState::Active, vec![ANNA]),
            written(Author::Operator { user_id: ANNA, name: "Anna".into() }, "You are welcome"),
        );
        assert_eq!(alert_of(&inbox, &user(ANNA), &mine), None, "nothing for the user's own messages");
        let note = created(dialog(DialogState::Active, vec![ANNA]), written(Author::System, "Bob joined the dialog"));
        assert_eq!(alert_of(&inbox, &user(ANNA), &note), None);
    }

    #[test]
    fn a_dialog_offered_in_turn_alerts_only_its_operator_once() {
        let offer = |to| Some(crate::api::Offer { to, until: 60_000 });
        let mut waiting = dialog(DialogState::Unassigned, vec![]);
        waiting.last_message = Some(crate::api::MessagePreview {
            author: Author::Client { name: "Olena".into() },
            text: "Hi\n there".into(),
            at: 1,
        });
        let to_anna = Event::DialogUpdated { dialog: DialogSummary { offer: offer(ANNA), ..waiting.clone() } };
        let mut inbox = Inbox::new(ANNA);
        let alert = alert_of(&inbox, &user(ANNA), &to_anna).expect("offered to Anna");
        assert_eq!((alert.kind, alert.body.as_deref()), (AlertKind::Offered, Some("Hi there")));
        assert_eq!(alert_of(&Inbox::new(BOB), &user(BOB), &to_anna), None, "not Bob's");
        inbox.apply(1, &to_anna);
        assert_eq!(alert_of(&inbox, &user(ANNA), &to_anna), None, "once");
        // Offered as it came: the client's first message tells only Anna.
        let first = created(DialogSummary { offer: offer(ANNA), ..waiting }, client("Hello"));
        assert_eq!(alert_of(&Inbox::new(ANNA), &user(ANNA), &first).map(|a| a.kind), Some(AlertKind::NewDialog));
        assert_eq!(alert_of(&Inbox::new(BOB), &user(BOB), &first), None);
    }

    #[test]
    fn a_message_of_files_only_names_them() {
        let mut message = client("");
        message.attachments = vec![crate::api::Attachment {
            id: "f".into(),
            name: "passport.pdf".into(),
            content_type: "application/pdf".into(),
            size: 10,
        }];
        let event = created(dialog(DialogState::Active, vec![ANNA]), message);
        assert_eq!(
            alert_of(&Inbox::new(ANNA), &user(ANNA), &event).unwrap().body.as_deref(),
            Some("File: passport.pdf")
        );
    }

    #[test]
    fn a_note_alerts_the_colleagues_it_mentions() {
        let inbox = Inbox::new(BOB);
        let note = |text: &str| {
            let author = Author::Note { user_id: ANNA, name: "Anna Kovalenko".into() };
            created(dialog(DialogState::Active, vec![ANNA]), written(author, text))
        };
        let alert = alert_of(&inbox, &user(BOB), &note("@bob can you check the refund?")).expect("mentioned");
        assert_eq!(alert.kind, AlertKind::Mention { by: "Anna Kovalenko".into() });
        assert_eq!(alert.body.as_deref(), Some("@bob can you check the refund?"));
        assert!(alert_of(&inbox, &user(BOB), &note("Ask @Bob Marchenko, he knows")).is_some(), "by name, any case");
        assert_eq!(alert_of(&inbox, &user(BOB), &note("@bobby knows")), None, "another word");
        assert_eq!(alert_of(&inbox, &user(BOB), &note("bob knows")), None, "no @");
        assert_eq!(alert_of(&inbox, &user(BOB), &note("just a note")), None);
        assert_eq!(alert_of(&inbox, &user(ANNA), &note("note to self @anna")), None, "not for one's own note");
    }
}
