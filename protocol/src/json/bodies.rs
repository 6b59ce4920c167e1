//! [`Read`] for the bodies of the app's first screen and its live part: `Me`
//! (`/api/me`, sign-in, presence, settings), `InboxSnapshot` and `DialogPage`
//! (`/api/dialogs`), the employees (`/api/users`), a dialog (Reply), `ApiError`, and the
//! socket's frames with their events, messages and notices. A default here is the
//! type's `#[serde(default ...)]`; a tagged enum is read through the struct of its
//! fields, as serde reads it (`crate::fields`).

use super::{named, read_struct, read_through, Read, Reader};
use crate::api::{
    ApiError, Attachment, Author, AuthorFields, AuthorKind, ChannelKind, Delivery, DeliveryFields, DeliveryState,
    DialogPage, DialogState, DialogSummary, Edit, Handover, InboxSnapshot, Language, Me, Message, MessagePreview,
    Offer, TabTotals, Theme, UploadLimits, UserSettings, UserSummary,
};
use crate::crm::{Entity, RecordOwners, RecordRef};
use crate::events::{Event, EventFields, EventKind, Frame, FrameFields, FrameKind, UserEvent};
use crate::inbox::{Tab, TabCounts};
use crate::notices::{Notice, NoticeFields, NoticeKind};
use crate::permissions::{Access, EntityRights, LinesAccess, Role, ViewScope};
use crate::queue::Presence;
use crate::{ChannelId, ClientId, DialogId, MessageId, RecordId, RoleId, UserId};

/// Typed ids, written as their number.
macro_rules! read_ids {
    ($($id:ident),+) => {$(
        impl Read for $id {
            fn read(r: &mut Reader) -> Option<Self> {
                r.int().map($id)
            }
        }
    )+};
}

read_ids!(UserId, RoleId, DialogId, MessageId, ChannelId, ClientId, RecordId);

/// Unit enums, written as their names.
macro_rules! read_names {
    ($($ty:ident),+) => {$(
        impl Read for $ty {
            fn read(r: &mut Reader) -> Option<Self> {
                named(r)
            }
        }
    )+};
}

read_names!(
    Tab,
    ChannelKind,
    DialogState,
    Theme,
    Language,
    Presence,
    ViewScope,
    LinesAccess,
    AuthorKind,
    DeliveryState,
    Entity,
    NoticeKind,
    EventKind,
    FrameKind
);

read_struct!(ApiError { message });
read_struct!(UserSummary { id, login, name, works_in_lines = || false });
read_struct!(EntityRights { create, view });
read_struct!(Role { id, name, leads, contacts });
read_struct!(Access { lines, leads, contacts, admin });
read_struct!(UserSettings {
    confirm_end_dialog = || true,
    notify_desktop = || true,
    notify_sound = || true,
    theme = Theme::default,
    language = Language::default,
});
read_struct!(UploadLimits { max_file_bytes, max_files });
read_struct!(Me { user, role, access, settings, limits = UploadLimits::default, presence = Presence::default });
read_struct!(Handover { from, to, note });
read_struct!(AuthorFields { kind, name, user_id });
read_struct!(MessagePreview { author, text, at });
read_struct!(RecordOwners { leads = Vec::new, contacts = Vec::new });
read_struct!(Offer { to, until });
read_struct!(DialogSummary {
    id,
    name,
    client_id,
    client_name,
    channel_id,
    channel_kind,
    channel_name,
    channel_connected = || true,
    state,
    members,
    participants,
    spam,
    handover,
    avatar,
    created_at,
    last_message,
    last_activity_at,
    owners = RecordOwners::default,
    client_read,
    client_delivered,
    reply_until,
    offer,
});
read_struct!(TabCounts { unassigned, active, inactive });
read_struct!(TabTotals { dialogs, unread });
read_struct!(DialogPage { tab, as_of, dialogs, unread = Vec::new, more, totals });
read_struct!(InboxSnapshot { as_of, pages });
read_struct!(Attachment { id, name, content_type, size });
read_struct!(RecordRef { entity, id, responsible });
read_struct!(DeliveryFields { state, reason });
read_struct!(Edit { original, at });
read_struct!(NoticeFields { kind, messenger, text, who, whom, name, entity, owner });
read_struct!(Message {
    id,
    dialog_id,
    author,
    text,
    created_at,
    client_msg_id,
    attachments = Vec::new,
    record,
    delivery,
    edit,
    notice,
});
read_struct!(EventFields { kind as "type", dialog, message, dialog_id, user, unread, totals });
read_struct!(FrameFields<E> { frame, seq, event, reason, dialog_id, name });
read_through!(
    Author <- AuthorFields,
    Delivery <- DeliveryFields,
    Notice <- NoticeFields,
    Event <- EventFields,
    UserEvent <- EventFields,
    Frame<E> <- FrameFields,
);

#[cfg(test)]
mod tests {
    use super::super::from_slice;
    use super::*;
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::{json, Value};
    use std::fmt::Debug;

    fn read<T: Read>(json: &str) -> Option<T> {
        from_slice(json.as_bytes())
    }

    /// `value` as serde writes it, read back (and the same with its keys in another
    /// order, as a store that sorts them gives them).
    fn reads_back<T: Serialize + Read + PartialEq + Debug>(value: &T) {
        let json = serde_json::to_string(value).unwrap();
        assert_eq!(read::<T>(&json).as_ref(), Some(value), "{json}");
        let pretty = serde_json::to_string_pretty(&serde_json::to_value(value).unwrap()).unwrap();
        assert_eq!(read::<T>(&pretty).as_ref(), Some(value), "{pretty}");
    }

    /// `json` refused here as serde refuses it.
    fn refused<T: Read + DeserializeOwned + Debug>(json: &str) {
        assert!(serde_json::from_str::<T>(json).is_err(), "serde reads {json}");
        assert!(read::<T>(json).is_none(), "{json}");
    }

    /// A dialog with every field the server may leave out at its unusual value.
    fn full_dialog() -> DialogSummary {
        DialogSummary {
            id: DialogId(9_007_199_254_740_993),
            name: "Олена <b>&amp;</b> \"Co\"\n\\".into(),
            client_id: ClientId(3),
            client_name: "Олена".into(),
            channel_id: ChannelId(2),
            channel_kind: ChannelKind::Whatsapp,
            channel_name: "WhatsApp".into(),
            channel_connected: false,
            state: DialogState::Active,
            members: vec![UserId(1), UserId(4)],
            participants: vec![UserId(1), UserId(2), UserId(4)],
            spam: true,
            handover: Some(Handover { from: UserId(2), to: UserId(1), note: "Call her back 🙂".into() }),
            avatar: Some("/api/files/a1".into()),
            created_at: 1_764_700_000_000,
            last_message: Some(MessagePreview {
                author: Author::Operator { user_id: UserId(1), name: "Anna".into() },
                text: "Hello\u{1} there".into(),
                at: 1_764_700_000_500,
            }),
            last_activity_at: 1_764_700_000_500,
            owners: RecordOwners { leads: vec![UserId(2)], contacts: vec![UserId(1), UserId(3)] },
            client_read: Some(MessageId(40)),
            client_delivered: Some(MessageId(41)),
            reply_until: Some(1_764_786_400_000),
            offer: Some(Offer { to: UserId(4), until: 1_764_700_030_000 }),
        }
    }

    /// The same dialog at every usual value (what the server leaves out).
    fn plain_dialog() -> DialogSummary {
        DialogSummary {
            channel_connected: true,
            handover: None,
            avatar: None,
            last_message: None,
            owners: RecordOwners::default(),
            client_read: None,
            client_delivered: None,
            reply_until: None,
            offer: None,
            state: DialogState::Unassigned,
            members: Vec::new(),
            spam: false,
            ..full_dialog()
        }
    }

    fn me() -> Me {
        let leads = EntityRights::new(true, ViewScope::Own);
        let contacts = EntityRights::new(false, ViewScope::None);
        Me {
            user: UserSummary { id: UserId(1), login: "anna".into(), name: "Anna".into(), works_in_lines: true },
            role: Role { id: RoleId(2), name: "Manager".into(), leads, contacts },
            access: Access::derive(leads, contacts, false),
            settings: UserSettings {
                confirm_end_dialog: false,
                notify_desktop: true,
                notify_sound: false,
                theme: Theme::Dark,
                language: Language::Uk,
            },
            limits: UploadLimits { max_file_bytes: 1_048_576, max_files: 3 },
            presence: Presence::Away,
        }
    }

    #[test]
    fn a_dialog_reads_back_with_every_field_and_with_every_field_left_out() {
        reads_back(&full_dialog());
        reads_back(&plain_dialog());
        for author in [
            Author::Client { name: "Олена".into() },
            Author::Note { user_id: UserId(2), name: "Ivan".into() },
            Author::System,
        ] {
            let last_message = Some(MessagePreview { author, text: "x".into(), at: 1 });
            reads_back(&DialogSummary { last_message, ..plain_dialog() });
        }
        for kind in ChannelKind::ALL {
            reads_back(&DialogSummary { channel_kind: kind, ..plain_dialog() });
        }
        let json = serde_json::to_string(&plain_dialog()).unwrap();
        assert!(!json.contains("channel_connected") && !json.contains("owners"), "left out: {json}");
        // A field this reader does not know (a newer server's) is passed over.
        let mut newer = serde_json::to_value(full_dialog()).unwrap();
        newer["labels"] = json!([{"name": "VIP", "colour": [1.5, null, true]}]);
        assert_eq!(read::<DialogSummary>(&newer.to_string()), Some(full_dialog()));
    }

    #[test]
    fn the_inbox_and_a_page_read_back() {
        let totals = TabTotals {
            dialogs: TabCounts { unassigned: 3, active: 120, inactive: 9_000 },
            unread: TabCounts { unassigned: 1, active: 0, inactive: 2 },
        };
        let page = |tab, dialogs: Vec<DialogSummary>, unread: Vec<(DialogId, u32)>| DialogPage {
            tab,
            as_of: 77,
            dialogs,
            unread,
            more: tab == Tab::Inactive,
            totals,
        };
        let snapshot = InboxSnapshot {
            as_of: 77,
            pages: vec![
                page(Tab::Unassigned, vec![plain_dialog()], vec![(plain_dialog().id, 2)]),
                page(Tab::Active, vec![full_dialog(), DialogSummary { id: DialogId(5), ..plain_dialog() }], Vec::new()),
                page(Tab::Inactive, Vec::new(), Vec::new()),
            ],
        };
        reads_back(&snapshot);
        reads_back(&snapshot.pages[1]);
        // A page with no unread dialogs may leave `unread` out.
        let json = serde_json::to_string(&snapshot.pages[2]).unwrap().replace(r#""unread":[],"#, "");
        assert!(!json.contains("unread\":[]"), "{json}");
        assert_eq!(read::<DialogPage>(&json), Some(snapshot.pages[2].clone()), "{json}");
    }

    #[test]
    fn the_user_reads_back_and_settings_left_out_are_on() {
        reads_back(&me());
        let ivan = UserSummary { id: UserId(2), login: "ivan".into(), name: "Іван".into(), works_in_lines: false };
        reads_back(&vec![me().user, ivan]);
        // An older server's `Me`: no limits, no presence, settings with none of their fields.
        let mut older = serde_json::to_value(me()).unwrap();
        let fields = older.as_object_mut().unwrap();
        fields.remove("limits");
        fields.remove("presence");
        fields.insert("settings".into(), json!({}));
        fields["user"].as_object_mut().unwrap().remove("works_in_lines");
        let read = read::<Me>(&older.to_string()).expect("an older Me");
        assert_eq!(read, serde_json::from_value::<Me>(older).unwrap());
        assert_eq!(read.settings, UserSettings::default());
        assert_eq!(read.limits, UploadLimits::default());
        assert_eq!(read.presence, Presence::Online);
        assert!(!read.user.works_in_lines);
        reads_back(&ApiError { message: "Only the dialog's members can write here.".into() });
    }

    #[test]
    fn a_message_with_everything_reads_back_in_a_frame() {
        let message = Message {
            id: MessageId(12),
            dialog_id: DialogId(7),
            author: Author::Operator { user_id: UserId(1), name: "Anna".into() },
            text: "**Price** list: <script>x</script>".into(),
            created_at: 1_764_700_000_000,
            client_msg_id: Some("k-1".into()),
            attachments: vec![Attachment {
                id: "f1".into(),
                name: "price <list>.pdf".into(),
                content_type: "application/pdf".into(),
                size: 2048,
            }],
            record: Some(RecordRef { entity: Entity::Deal, id: RecordId(4), responsible: Some(UserId(2)) }),
            delivery: Some(Delivery::Failed { reason: "The bot was blocked".into() }),
            edit: Some(Edit { original: "Price".into(), at: 1_764_700_000_900 }),
            notice: Some(Notice::RecordCreated { entity: Entity::Lead, name: Some("Олена".into()), owner: None }),
        };
        let plain = Message {
            attachments: Vec::new(),
            client_msg_id: None,
            record: None,
            delivery: None,
            edit: None,
            notice: None,
            ..message.clone()
        };
        for delivery in [None, Some(Delivery::Sending), Some(Delivery::Sent)] {
            reads_back(&Message { delivery, ..plain.clone() });
        }
        let event = UserEvent {
            event: Event::MessageUpdated { dialog: full_dialog(), message },
            unread: Some(2),
            totals: Some(TabTotals::default()),
        };
        reads_back(&Frame::Event { seq: 40, event });
        reads_back(&Frame::<UserEvent>::Resync { reason: "Your role changed".into() });
    }

    #[test]
    fn a_body_serde_refuses_is_refused() {
        let dialog = serde_json::to_value(full_dialog()).unwrap();
        let with = |key: &str, value: Value| {
            let mut d = dialog.clone();
            d[key] = value;
            d.to_string()
        };
        let without = |key: &str| {
            let mut d = dialog.clone();
            d.as_object_mut().unwrap().remove(key);
            d.to_string()
        };
        for json in [
            without("id"),
            without("spam"),
            without("members"),
            with("id", json!(1.5)),
            with("id", json!("9")),
            with("state", json!("archived")),
            with("channel_connected", Value::Null),
            with("members", json!([1, "2"])),
            with("last_message", json!({"author": {"kind": "operator", "name": "Anna"}, "text": "x", "at": 1})),
            with("last_message", json!({"author": {"kind": "robot"}, "text": "x", "at": 1})),
            with("owners", json!({"leads": 5})),
            dialog.to_string() + ",",
            dialog.to_string().replacen('{', "[", 1),
        ] {
            refused::<DialogSummary>(&json);
        }
        refused::<Vec<UserSummary>>("{}");
        refused::<Me>(&serde_json::to_string(&me()).unwrap().replace("\"away\"", "\"busy\""));
    }
}
