//! Events of the global log and the socket frames that carry them.
//!
//! The log stores each event once, in full. What a socket sends is the event's
//! projection for its reader: [`Event::for_user`] for operators, [`Event::for_client`]
//! for a widget visitor. Both are pure, so replay and live streaming filter alike.

use crate::api::{Author, DialogSummary, Message, TabTotals, WidgetMessage};
use crate::fields::needed;
use crate::inbox::may_open;
use crate::names::read_by_name;
use crate::permissions::Access;
use crate::{ChannelId, ClientId, DialogId, Seq, UserId};
use serde::{Deserialize, Serialize};

/// Something that happened, as stored in the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "EventFields")]
pub enum Event {
    /// A dialog was created or changed (state, members, name...): its new summary.
    DialogUpdated { dialog: DialogSummary },
    /// A message was added; `dialog` is the dialog's summary after it.
    MessageCreated { dialog: DialogSummary, message: Message },
    /// A message changed: the client edited it, or its delivery to the messenger moved on.
    MessageUpdated { dialog: DialogSummary, message: Message },
    /// Only in projections: the dialog left the reader's inbox.
    DialogRemoved { dialog_id: DialogId },
    /// `user` read the dialog up to its latest message (only `user` receives it).
    DialogRead { dialog_id: DialogId, user: UserId },
}

/// How much of an event one reader receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// The event as logged.
    Whole,
    /// Only that the dialog left the reader's reach ([`Event::DialogRemoved`]).
    Removed,
    /// Nothing.
    Nothing,
}

/// An event as one operator receives it, with their unread count for the event's
/// dialog at the time it is sent (the server's count, so replays end exact), and on the
/// last event of each batch the totals of their tabs (the client may hold only the
/// first pages of its lists, so it cannot count them itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EventFields")]
pub struct UserEvent {
    #[serde(flatten)]
    pub event: Event,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<TabTotals>,
}

impl UserEvent {
    /// An event with nothing counted alongside.
    pub fn bare(event: Event) -> Self {
        UserEvent { event, unread: None, totals: None }
    }
}

impl Event {
    /// The dialog the event is about.
    pub fn dialog_id(&self) -> DialogId {
        match self {
            Event::DialogUpdated { dialog }
            | Event::MessageCreated { dialog, .. }
            | Event::MessageUpdated { dialog, .. } => dialog.id,
            Event::DialogRemoved { dialog_id } | Event::DialogRead { dialog_id, .. } => *dialog_id,
        }
    }

    /// The dialog summary the event carries, if any.
    pub fn summary(&self) -> Option<&DialogSummary> {
        match self {
            Event::DialogUpdated { dialog }
            | Event::MessageCreated { dialog, .. }
            | Event::MessageUpdated { dialog, .. } => Some(dialog),
            Event::DialogRemoved { .. } | Event::DialogRead { .. } => None,
        }
    }

    /// How much of this event operator `user` may receive: all of it when they may
    /// open the dialog (see [`may_open`]), a removal when a dialog change takes it out of
    /// their reach, else nothing.
    pub fn share_for_user(&self, user: UserId, access: &Access) -> Share {
        if !access.has_lines() {
            return Share::Nothing;
        }
        match self {
            Event::DialogUpdated { dialog }
            | Event::MessageCreated { dialog, .. }
            | Event::MessageUpdated { dialog, .. }
                if may_open(dialog, user, access) =>
            {
                Share::Whole
            }
            Event::DialogUpdated { .. } => Share::Removed,
            Event::DialogRead { user: reader, .. } if *reader == user => Share::Whole,
            Event::MessageCreated { .. }
            | Event::MessageUpdated { .. }
            | Event::DialogRemoved { .. }
            | Event::DialogRead { .. } => Share::Nothing,
        }
    }

    /// What operator `user` may receive of this event (see [`Event::share_for_user`]).
    pub fn for_user(&self, user: UserId, access: &Access) -> Option<Event> {
        match self.share_for_user(user, access) {
            Share::Whole => Some(self.clone()),
            Share::Removed => Some(Event::DialogRemoved { dialog_id: self.dialog_id() }),
            Share::Nothing => None,
        }
    }

    /// The event with what a reader rebuilds left out, for sockets that asked for compact
    /// frames (see [`Event::restore`]): a new message's preview on its dialog's summary
    /// when it is exactly that message's text as written (the text would travel twice;
    /// a text with markdown's marks keeps its plain preview), and the
    /// sender's idempotency key, which only the sender's own request uses. `None` when
    /// nothing can be left out.
    pub fn compact(&self) -> Option<Event> {
        let Event::MessageCreated { dialog, message } = self else { return None };
        let repeated = dialog.last_message.as_ref().is_some_and(|last| *last == message.written_preview());
        if !repeated && message.client_msg_id.is_none() {
            return None;
        }
        let mut dialog = dialog.clone();
        if repeated {
            dialog.last_message = None;
        }
        Some(Event::MessageCreated { dialog, message: Message { client_msg_id: None, ..message.clone() } })
    }

    /// Rebuilds what [`Event::compact`] left out: a dialog whose new message is by the
    /// client or an operator previews that message as written.
    pub fn restore(&mut self) {
        if let Event::MessageCreated { dialog, message } = self {
            if dialog.last_message.is_none() && message.author.is_person() {
                dialog.last_message = Some(message.written_preview());
            }
        }
    }

    /// What a client may receive on one channel: messages of their own dialogs there
    /// that are meant for them (their own and operators' messages, not system notes).
    pub fn for_client(&self, client: ClientId, channel: ChannelId) -> Option<WidgetMessage> {
        match self {
            Event::MessageCreated { dialog, message } if dialog.client_id == client && dialog.channel_id == channel => {
                WidgetMessage::from_message(message)
            }
            _ => None,
        }
    }
}

impl WidgetMessage {
    /// The client's view of a message; `None` for system messages and operators' notes,
    /// which are internal.
    pub fn from_message(m: &Message) -> Option<WidgetMessage> {
        let (mine, author_name) = match &m.author {
            Author::Client { .. } => (true, None),
            Author::Operator { name, .. } => (false, Some(name.clone())),
            Author::System | Author::Note { .. } => return None,
        };
        Some(WidgetMessage {
            id: m.id,
            mine,
            author_name,
            text: m.text.clone(),
            // Images of the operators' file store are not the visitor's to load (the
            // widget shows a message's files from its own address), so no base path.
            html: crate::markdown::to_safe_html(&m.text, ""),
            created_at: m.created_at,
            client_msg_id: m.client_msg_id.clone(),
            attachments: m.attachments.clone(),
        })
    }
}

/// A frame sent by the server on a socket. `E` is [`Event`] for operators and
/// [`WidgetMessage`] for the widget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case", try_from = "FrameFields<E>")]
#[serde(bound(deserialize = "E: Deserialize<'de>"))]
pub enum Frame<E> {
    /// One event at log position `seq`.
    Event { seq: Seq, event: E },
    /// Replay is done: everything up to `seq` was sent; live events follow.
    Live { seq: Seq },
    /// The server cannot resume from the requested position: reload the snapshot.
    Resync { reason: String },
    /// `name` is typing in the dialog: a passing signal, not in the log. Shown for
    /// [`TYPING_SHOWN_MS`] unless repeated, or until their message arrives.
    Typing { dialog_id: DialogId, name: String },
}

// Reading events and frames field by field (see `crate::fields`).

/// The kinds of [`Event`], as its `"type"` names them.
#[derive(Clone, Copy)]
pub(crate) enum EventKind {
    DialogUpdated,
    MessageCreated,
    MessageUpdated,
    DialogRemoved,
    DialogRead,
}

read_by_name!(EventKind {
    DialogUpdated = "dialog_updated",
    MessageCreated = "message_created",
    MessageUpdated = "message_updated",
    DialogRemoved = "dialog_removed",
    DialogRead = "dialog_read",
});

/// The fields of every kind of [`Event`] and of a [`UserEvent`].
#[derive(Deserialize)]
pub(crate) struct EventFields {
    #[serde(rename = "type")]
    pub(crate) kind: EventKind,
    pub(crate) dialog: Option<DialogSummary>,
    pub(crate) message: Option<Message>,
    pub(crate) dialog_id: Option<DialogId>,
    pub(crate) user: Option<UserId>,
    pub(crate) unread: Option<u32>,
    pub(crate) totals: Option<TabTotals>,
}

impl TryFrom<EventFields> for Event {
    type Error = String;

    fn try_from(f: EventFields) -> Result<Event, String> {
        Ok(match f.kind {
            EventKind::DialogUpdated => Event::DialogUpdated { dialog: needed(f.dialog, "dialog")? },
            EventKind::MessageCreated => {
                Event::MessageCreated { dialog: needed(f.dialog, "dialog")?, message: needed(f.message, "message")? }
            }
            EventKind::MessageUpdated => {
                Event::MessageUpdated { dialog: needed(f.dialog, "dialog")?, message: needed(f.message, "message")? }
            }
            EventKind::DialogRemoved => Event::DialogRemoved { dialog_id: needed(f.dialog_id, "dialog_id")? },
            EventKind::DialogRead => {
                Event::DialogRead { dialog_id: needed(f.dialog_id, "dialog_id")?, user: needed(f.user, "user")? }
            }
        })
    }
}

impl TryFrom<EventFields> for UserEvent {
    type Error = String;

    fn try_from(mut f: EventFields) -> Result<UserEvent, String> {
        let (unread, totals) = (f.unread.take(), f.totals.take());
        Ok(UserEvent { event: Event::try_from(f)?, unread, totals })
    }
}

/// The kinds of [`Frame`], as its `"frame"` names them.
#[derive(Clone, Copy)]
pub(crate) enum FrameKind {
    Event,
    Live,
    Resync,
    Typing,
}

read_by_name!(FrameKind {
    Event = "event",
    Live = "live",
    Resync = "resync",
    Typing = "typing",
});

/// The fields of every kind of [`Frame`].
#[derive(Deserialize)]
pub(crate) struct FrameFields<E> {
    pub(crate) frame: FrameKind,
    pub(crate) seq: Option<Seq>,
    pub(crate) event: Option<E>,
    pub(crate) reason: Option<String>,
    pub(crate) dialog_id: Option<DialogId>,
    pub(crate) name: Option<String>,
}

impl<E> TryFrom<FrameFields<E>> for Frame<E> {
    type Error = String;

    fn try_from(f: FrameFields<E>) -> Result<Frame<E>, String> {
        Ok(match f.frame {
            FrameKind::Event => Frame::Event { seq: needed(f.seq, "seq")?, event: needed(f.event, "event")? },
            FrameKind::Live => Frame::Live { seq: needed(f.seq, "seq")? },
            FrameKind::Resync => Frame::Resync { reason: needed(f.reason, "reason")? },
            FrameKind::Typing => {
                Frame::Typing { dialog_id: needed(f.dialog_id, "dialog_id")?, name: needed(f.name, "name")? }
            }
        })
    }
}

/// How often a client says it is still typing, while it types.
pub const TYPING_EVERY_MS: u32 = 3_000;
/// How long "… is typing" shows after the last signal.
pub const TYPING_SHOWN_MS: u32 = 6_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{DialogState, MessagePreview};
    use crate::permissions::{EntityRights, ViewScope};
    use crate::MessageId;

    fn dialog(state: DialogState, members: &[i64]) -> DialogSummary {
        DialogSummary::example(DialogId(7), state, members, members)
    }

    fn full() -> Access {
        let all = EntityRights::new(true, ViewScope::All);
        Access::derive(all, all, false)
    }

    /// Seed case 4: works only with their own dialogs.
    fn own() -> Access {
        let own = EntityRights::new(true, ViewScope::Own);
        Access::derive(own, own, false)
    }

    fn message(author: Author) -> Message {
        Message {
            delivery: Default::default(),
            edit: Default::default(),
            notice: None,
            record: Default::default(),
            id: MessageId(1),
            dialog_id: DialogId(7),
            author,
            text: "hi".into(),
            created_at: 5,
            client_msg_id: None,
            attachments: vec![],
        }
    }

    #[test]
    fn unassigned_dialogs_reach_everyone_with_access() {
        let e = Event::DialogUpdated { dialog: dialog(DialogState::Unassigned, &[]) };
        assert_eq!(e.for_user(UserId(1), &full()), Some(e.clone()));
        let none =
            Access::derive(EntityRights::new(false, ViewScope::None), EntityRights::new(false, ViewScope::None), false);
        assert_eq!(e.for_user(UserId(1), &none), None);
    }

    #[test]
    fn a_taken_dialog_is_removed_for_non_members_who_may_not_open_it() {
        let e = Event::DialogUpdated { dialog: dialog(DialogState::Active, &[2]) };
        assert_eq!(e.for_user(UserId(2), &own()), Some(e.clone()));
        assert_eq!(e.for_user(UserId(1), &own()), Some(Event::DialogRemoved { dialog_id: DialogId(7) }));
        // Who may open others' dialogs keeps receiving it (their inbox drops it itself).
        assert_eq!(e.for_user(UserId(1), &full()), Some(e.clone()));
    }

    #[test]
    fn a_dialog_offered_in_turn_leaves_the_others_unassigned_tab() {
        let offered = DialogSummary {
            offer: Some(crate::api::Offer { to: UserId(2), until: 9 }),
            ..dialog(DialogState::Unassigned, &[])
        };
        let e = Event::DialogUpdated { dialog: offered.clone() };
        assert_eq!(e.for_user(UserId(2), &own()), Some(e.clone()));
        assert_eq!(e.for_user(UserId(1), &own()), Some(Event::DialogRemoved { dialog_id: DialogId(7) }));
        assert_eq!(crate::inbox::tab_of(&offered, UserId(1)), None);
        assert_eq!(crate::inbox::tab_of(&offered, UserId(2)), Some(crate::inbox::Tab::Unassigned));
        // A supervisor may still open it (and take it with Reply), though it is not in their list.
        assert_eq!(e.for_user(UserId(1), &full()), Some(e.clone()));
    }

    /// A message created with `text` and `files`, on a dialog whose summary previews `last`.
    fn created(author: Author, text: &str, files: &[&str], last: Option<MessagePreview>) -> Event {
        let attachments = files
            .iter()
            .map(|n| crate::api::Attachment {
                id: format!("f-{n}"),
                name: n.to_string(),
                content_type: "application/pdf".into(),
                size: 1,
            })
            .collect();
        let message = Message { text: text.into(), attachments, client_msg_id: Some("k-1".into()), ..message(author) };
        let last_message = last.or_else(|| Some(message.preview()));
        Event::MessageCreated { dialog: DialogSummary { last_message, ..dialog(DialogState::Active, &[2]) }, message }
    }

    #[test]
    fn a_compact_event_restores_to_the_logged_one_but_for_the_senders_key() {
        let olena = || Author::Client { name: "Olena".into() };
        let anna = || Author::Operator { user_id: UserId(2), name: "Anna".into() };
        let long = "долгий текст ".repeat(20);
        for e in [
            created(olena(), "hi", &[], None),
            created(anna(), &long, &[], None),
            created(olena(), " ", &["a.pdf", "b.pdf"], None),
        ] {
            let compact = e.compact().expect("a person's new message is compacted");
            let json = serde_json::to_string(&compact).unwrap();
            assert!(!json.contains("last_message") && !json.contains("k-1"), "{json}");
            let mut back: Event = serde_json::from_str(&json).unwrap();
            assert_eq!(crate::json::from_slice::<Event>(json.as_bytes()).as_ref(), Some(&back));
            back.restore();
            let Event::MessageCreated { dialog, message } = &e else { unreachable!() };
            let expected = Event::MessageCreated {
                dialog: dialog.clone(),
                message: Message { client_msg_id: None, ..message.clone() },
            };
            assert_eq!(back, expected);
        }
        // A long text's preview is cut, and the restored one is cut the same way.
        let Event::MessageCreated { dialog, .. } = created(anna(), &long, &[], None) else { unreachable!() };
        assert!(dialog.last_message.unwrap().text.ends_with('…'));
    }

    #[test]
    fn a_preview_without_markdown_is_rebuilt_and_one_with_it_travels_plain() {
        let olena = || Author::Client { name: "Olena".into() };
        // Line breaks and runs of spaces fold the same way in both previews.
        let written = created(olena(), "Hello,\n\nis my order   #12 on its way?", &[], None);
        let compact = written.compact().expect("the key is left out");
        assert_eq!(compact.summary().unwrap().last_message, None, "the preview is rebuilt, not sent");
        let mut back = compact;
        back.restore();
        assert_eq!(back.summary().unwrap().last_message.as_ref().unwrap().text, "Hello, is my order #12 on its way?");
        assert_eq!(back.summary(), written.summary());

        // Markdown's marks: the list shows plain words, which the reader could not
        // rebuild without a parser, so they travel.
        let marked = created(olena(), "**Urgent:** see [the invoice](https://example.com/1) _today_", &[], None);
        let Event::MessageCreated { dialog, .. } = &marked else { unreachable!() };
        assert_eq!(dialog.last_message.as_ref().unwrap().text, "Urgent: see the invoice today");
        let mut back = marked.compact().expect("the key is still left out");
        assert_eq!(back.summary(), marked.summary(), "the plain preview travels");
        back.restore();
        assert_eq!(back.summary(), marked.summary());
    }

    #[test]
    fn a_long_text_previews_plain_and_cut() {
        let long = format!("**{}** tail", "word ".repeat(1_900).trim_end());
        let preview = crate::api::preview_text(&long, None);
        assert!(preview.starts_with("word word") && preview.ends_with('…'), "{preview}");
        assert!(preview.chars().count() <= crate::api::PREVIEW_CHARS + 1, "{preview}");
    }

    #[test]
    fn a_preview_that_is_not_the_new_messages_travels_as_it_is() {
        let earlier = MessagePreview { author: Author::Client { name: "Olena".into() }, text: "earlier".into(), at: 1 };
        // A system note or a private note is not previewed: the summary keeps the last words.
        for author in [Author::System, Author::Note { user_id: UserId(2), name: "Anna".into() }] {
            let e = created(author, "Anna took the dialog", &[], Some(earlier.clone()));
            let mut back = e.compact().expect("the key is still left out");
            let Event::MessageCreated { dialog, .. } = &back else { unreachable!() };
            assert_eq!(dialog.last_message.as_ref(), Some(&earlier));
            back.restore();
            assert_eq!(back.summary(), e.summary());
        }
        // Nothing to leave out: no compact form.
        let mut plain = created(Author::System, "x", &[], Some(earlier));
        if let Event::MessageCreated { message, .. } = &mut plain {
            message.client_msg_id = None;
        }
        assert_eq!(plain.compact(), None);
        assert_eq!(Event::DialogUpdated { dialog: dialog(DialogState::Active, &[2]) }.compact(), None);
    }

    #[test]
    fn messages_of_other_peoples_dialogs_reach_only_who_may_open_them() {
        let e = Event::MessageCreated {
            dialog: dialog(DialogState::Active, &[2]),
            message: message(Author::Client { name: "Olena".into() }),
        };
        assert_eq!(e.for_user(UserId(1), &own()), None);
        assert!(e.for_user(UserId(2), &own()).is_some());
        assert!(e.for_user(UserId(1), &full()).is_some());
    }

    #[test]
    fn clients_get_their_own_conversation_without_system_or_private_notes() {
        let d = dialog(DialogState::Active, &[2]);
        let op = Event::MessageCreated {
            dialog: d.clone(),
            message: message(Author::Operator { user_id: UserId(2), name: "Anna".into() }),
        };
        let w = op.for_client(ClientId(3), ChannelId(1)).unwrap();
        assert!(!w.mine);
        assert_eq!(w.author_name.as_deref(), Some("Anna"));
        assert_eq!(op.for_client(ClientId(4), ChannelId(1)), None);
        // The same person's chat on another channel does not show in this widget.
        assert_eq!(op.for_client(ClientId(3), ChannelId(2)), None);
        let sys = Event::MessageCreated { dialog: d.clone(), message: message(Author::System) };
        assert_eq!(sys.for_client(ClientId(3), ChannelId(1)), None);
        let note = Event::MessageCreated {
            dialog: d,
            message: message(Author::Note { user_id: UserId(2), name: "Anna".into() }),
        };
        assert_eq!(note.for_client(ClientId(3), ChannelId(1)), None, "a private note stays with the operators");
    }

    /// The widget shows what the server rendered: formatting kept, no raw HTML, no
    /// unsafe links.
    #[test]
    fn clients_get_messages_rendered_safely() {
        let mut m = message(Author::Operator { user_id: UserId(2), name: "Anna".into() });
        m.text = "**Hi** <script>alert(1)</script> [pay](javascript:alert(2))".into();
        let e = Event::MessageCreated { dialog: dialog(DialogState::Active, &[2]), message: m };
        let html = e.for_client(ClientId(3), ChannelId(1)).unwrap().html;
        assert!(html.contains("<strong>Hi</strong>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "the text shows as written: {html}");
    }

    #[test]
    fn frames_have_a_stable_json_shape() {
        let f: Frame<Event> = Frame::Live { seq: 4 };
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"{"frame":"live","seq":4}"#);
        let back: Frame<Event> = serde_json::from_str(r#"{"frame":"resync","reason":"x"}"#).unwrap();
        assert_eq!(back, Frame::Resync { reason: "x".into() });
    }

    #[test]
    fn frames_and_events_read_back_what_was_written_in_any_order_of_fields() {
        let created = Event::MessageCreated {
            dialog: dialog(DialogState::Active, &[2]),
            message: message(Author::Client { name: "Olena".into() }),
        };
        let frames = [
            Frame::Event {
                seq: 9,
                event: UserEvent { event: created.clone(), unread: Some(3), totals: Some(TabTotals::default()) },
            },
            Frame::Event {
                seq: 10,
                event: UserEvent::bare(Event::DialogRead { dialog_id: DialogId(7), user: UserId(2) }),
            },
            Frame::Event { seq: 11, event: UserEvent::bare(Event::DialogRemoved { dialog_id: DialogId(7) }) },
            Frame::Event {
                seq: 12,
                event: UserEvent::bare(Event::DialogUpdated { dialog: dialog(DialogState::Ended, &[]) }),
            },
            Frame::Live { seq: 12 },
            Frame::Typing { dialog_id: DialogId(7), name: "Olena".into() },
        ];
        for frame in frames {
            let json = serde_json::to_string(&frame).unwrap();
            assert_eq!(serde_json::from_str::<Frame<UserEvent>>(&json).unwrap(), frame, "{json}");
            // The same object with its fields sorted by name (as serde_json's `Value` and
            // stores that sort keys give it back): a frame's and an event's tag come late.
            let sorted = serde_json::from_str::<serde_json::Value>(&json).unwrap().to_string();
            assert_eq!(serde_json::from_str::<Frame<UserEvent>>(&sorted).unwrap(), frame, "{sorted}");
            // The app's reader (`crate::json`) reads both alike.
            for json in [&json, &sorted] {
                assert_eq!(
                    crate::json::from_slice::<Frame<UserEvent>>(json.as_bytes()).as_ref(),
                    Some(&frame),
                    "{json}"
                );
            }
        }
        let sorted = serde_json::to_value(&created).unwrap().to_string();
        assert!(sorted.starts_with(r#"{"dialog":"#) && sorted.contains(r#""type":"message_created""#), "{sorted}");
        assert_eq!(serde_json::from_str::<Event>(&sorted).unwrap(), created);
        let json = serde_json::to_string(&created).unwrap();
        assert!(json.starts_with(r#"{"type":"message_created","#), "the tag leads: {json}");
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), created);

        // What is wrong is named.
        let error = |json: &str| {
            assert_eq!(crate::json::from_slice::<Frame<UserEvent>>(json.as_bytes()), None, "{json}");
            serde_json::from_str::<Frame<UserEvent>>(json).unwrap_err().to_string()
        };
        assert!(error(r#"{"frame":"event","seq":1,"event":{"type":"dialog_read","dialog_id":7}}"#).contains("`user`"));
        assert!(error(r#"{"frame":"live"}"#).contains("`seq`"));
        assert!(error(r#"{"frame":"gone","seq":1}"#).contains("unknown variant `gone`"));
        assert!(error(r#"{"frame":"event","seq":1,"event":{"type":"exploded"}}"#).contains("unknown variant"));
    }
}
