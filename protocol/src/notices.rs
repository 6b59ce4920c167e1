//! System notes as data: what happened in a dialog, which each app words in its reader's
//! language. [`Notice::english`] is the text stored with the message, for search, the
//! history and readers that know no notices.

use crate::crm::Entity;
use crate::fields::needed;
use crate::names::read_by_name;
use serde::{Deserialize, Serialize};

/// What a system note says. A CRM record's `name` is `None` for a reader who may not
/// see the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "NoticeFields")]
pub enum Notice {
    /// The client wrote to the ended dialog, which opened again.
    Reopened,
    /// The client unsubscribed from the messenger's bot: nothing reaches them until
    /// they write again.
    Unsubscribed,
    /// The business answered the client in the messenger's own inbox (Meta Business
    /// Suite, the Instagram app), outside External Lines: what it said, as written.
    AnsweredElsewhere {
        messenger: String,
        text: String,
    },
    Took {
        who: String,
    },
    Joined {
        who: String,
    },
    Added {
        who: String,
        whom: String,
    },
    Left {
        who: String,
    },
    Redirected {
        who: String,
        whom: String,
    },
    Renamed {
        who: String,
        name: String,
    },
    NameRestored {
        who: String,
    },
    Ended {
        who: String,
    },
    MarkedSpam {
        who: String,
    },
    Started {
        who: String,
    },
    ImageChanged {
        who: String,
    },
    /// A record made from the chat; `owner` names the user a lead was made for on
    /// opening the chat (their own lead, as their role sees only its own).
    RecordCreated {
        entity: Entity,
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
    },
    RecordLinked {
        entity: Entity,
        name: Option<String>,
    },
    LeadConverted {
        entity: Entity,
        name: Option<String>,
    },
}

/// The kinds of [`Notice`], as its `"kind"` names them.
#[derive(Clone, Copy)]
pub(crate) enum NoticeKind {
    Reopened,
    Unsubscribed,
    AnsweredElsewhere,
    Took,
    Joined,
    Added,
    Left,
    Redirected,
    Renamed,
    NameRestored,
    Ended,
    MarkedSpam,
    Started,
    ImageChanged,
    RecordCreated,
    RecordLinked,
    LeadConverted,
}

read_by_name!(NoticeKind {
    Reopened = "reopened",
    Unsubscribed = "unsubscribed",
    AnsweredElsewhere = "answered_elsewhere",
    Took = "took",
    Joined = "joined",
    Added = "added",
    Left = "left",
    Redirected = "redirected",
    Renamed = "renamed",
    NameRestored = "name_restored",
    Ended = "ended",
    MarkedSpam = "marked_spam",
    Started = "started",
    ImageChanged = "image_changed",
    RecordCreated = "record_created",
    RecordLinked = "record_linked",
    LeadConverted = "lead_converted",
});

/// The fields of every kind of [`Notice`] (see `crate::fields`).
#[derive(Deserialize)]
pub(crate) struct NoticeFields {
    pub(crate) kind: NoticeKind,
    pub(crate) messenger: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) who: Option<String>,
    pub(crate) whom: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) entity: Option<Entity>,
    pub(crate) owner: Option<String>,
}

impl TryFrom<NoticeFields> for Notice {
    type Error = String;

    fn try_from(f: NoticeFields) -> Result<Notice, String> {
        let NoticeFields { kind, messenger, text, who, whom, name, entity, owner } = f;
        let (who, whom) = (|| needed(who, "who"), || needed(whom, "whom"));
        Ok(match kind {
            NoticeKind::Reopened => Notice::Reopened,
            NoticeKind::Unsubscribed => Notice::Unsubscribed,
            NoticeKind::AnsweredElsewhere => {
                Notice::AnsweredElsewhere { messenger: needed(messenger, "messenger")?, text: needed(text, "text")? }
            }
            NoticeKind::Took => Notice::Took { who: who()? },
            NoticeKind::Joined => Notice::Joined { who: who()? },
            NoticeKind::Added => Notice::Added { who: who()?, whom: whom()? },
            NoticeKind::Left => Notice::Left { who: who()? },
            NoticeKind::Redirected => Notice::Redirected { who: who()?, whom: whom()? },
            NoticeKind::Renamed => Notice::Renamed { who: who()?, name: needed(name, "name")? },
            NoticeKind::NameRestored => Notice::NameRestored { who: who()? },
            NoticeKind::Ended => Notice::Ended { who: who()? },
            NoticeKind::MarkedSpam => Notice::MarkedSpam { who: who()? },
            NoticeKind::Started => Notice::Started { who: who()? },
            NoticeKind::ImageChanged => Notice::ImageChanged { who: who()? },
            NoticeKind::RecordCreated => Notice::RecordCreated { entity: needed(entity, "entity")?, name, owner },
            NoticeKind::RecordLinked => Notice::RecordLinked { entity: needed(entity, "entity")?, name },
            NoticeKind::LeadConverted => Notice::LeadConverted { entity: needed(entity, "entity")?, name },
        })
    }
}

impl Notice {
    /// The note in English: "Anna took the dialog", "Deal created: Big order".
    pub fn english(&self) -> String {
        let (what, name) = self.parts();
        match name {
            Some(name) => format!("{what}: {name}"),
            None => what,
        }
    }

    /// What happened, and the record's name to link after it (CRM notes only).
    fn parts(&self) -> (String, Option<&str>) {
        let said = match self {
            Notice::Reopened => "The client wrote again: the dialog is open".to_string(),
            Notice::Unsubscribed => {
                "The client unsubscribed from the bot: messages cannot reach them until they write again".to_string()
            }
            Notice::AnsweredElsewhere { messenger, text } => {
                format!("Answered in {messenger} outside External Lines: “{text}”")
            }
            Notice::Took { who } => format!("{who} took the dialog"),
            Notice::Joined { who } => format!("{who} joined the dialog"),
            Notice::Added { who, whom } => format!("{who} added {whom} to the dialog"),
            Notice::Left { who } => format!("{who} left the dialog"),
            Notice::Redirected { who, whom } => format!("{who} redirected the dialog to {whom}"),
            Notice::Renamed { who, name } => format!("{who} renamed the dialog to \"{name}\""),
            Notice::NameRestored { who } => format!("{who} restored the dialog's name"),
            Notice::Ended { who } => format!("Dialog ended by {who}"),
            Notice::MarkedSpam { who } => format!("Marked as spam by {who}"),
            Notice::Started { who } => format!("{who} started the dialog again"),
            Notice::ImageChanged { who } => format!("{who} changed the dialog's image"),
            Notice::RecordCreated { owner: Some(owner), .. } => format!("A lead was created for {owner}"),
            Notice::RecordCreated { entity, .. } => format!("{} created", entity.label()),
            Notice::RecordLinked { entity, .. } => format!("{} linked", entity.label()),
            Notice::LeadConverted { entity, .. } => format!("Lead converted to a {}", entity.as_str()),
        };
        (said, self.record_name())
    }

    /// The CRM record's name, where the note names one the reader may see.
    pub fn record_name(&self) -> Option<&str> {
        match self {
            Notice::RecordCreated { name, .. }
            | Notice::RecordLinked { name, .. }
            | Notice::LeadConverted { name, .. } => name.as_deref(),
            _ => None,
        }
    }

    /// The note without the CRM record's name, for a reader who may not see the record.
    pub fn without_record_name(&self) -> Notice {
        let mut hidden = self.clone();
        if let Notice::RecordCreated { name, .. }
        | Notice::RecordLinked { name, .. }
        | Notice::LeadConverted { name, .. } = &mut hidden
        {
            *name = None;
        }
        hidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_in_english_with_the_record_named_after_a_colon() {
        assert_eq!(Notice::Took { who: "Anna".into() }.english(), "Anna took the dialog");
        assert_eq!(Notice::Reopened.english(), "The client wrote again: the dialog is open");
        let deal = Notice::RecordCreated { entity: Entity::Deal, name: Some("Big order".into()), owner: None };
        assert_eq!(deal.english(), "Deal created: Big order");
        assert_eq!(deal.without_record_name().english(), "Deal created");
        let own = Notice::RecordCreated { entity: Entity::Lead, name: Some("Olena".into()), owner: Some("Bob".into()) };
        assert_eq!(own.english(), "A lead was created for Bob: Olena");
        let converted = Notice::LeadConverted { entity: Entity::Contact, name: Some("Olena".into()) };
        assert_eq!(
            (converted.english().as_str(), converted.record_name()),
            ("Lead converted to a contact: Olena", Some("Olena"))
        );
    }

    #[test]
    fn notices_travel_as_tagged_json() {
        let json = serde_json::to_value(Notice::Added { who: "Anna".into(), whom: "Bob, Carol".into() }).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "added", "who": "Anna", "whom": "Bob, Carol"}));
        let hidden: Notice =
            serde_json::from_value(serde_json::json!({"kind": "record_linked", "entity": "company", "name": null}))
                .unwrap();
        assert_eq!(hidden, Notice::RecordLinked { entity: Entity::Company, name: None });
    }

    #[test]
    fn every_notice_reads_back_as_written_in_any_order_of_fields() {
        let who = || "Anna".to_string();
        let all = [
            Notice::Reopened,
            Notice::Unsubscribed,
            Notice::AnsweredElsewhere { messenger: "Instagram".into(), text: "Hi".into() },
            Notice::Took { who: who() },
            Notice::Joined { who: who() },
            Notice::Added { who: who(), whom: "Bob".into() },
            Notice::Left { who: who() },
            Notice::Redirected { who: who(), whom: "Bob".into() },
            Notice::Renamed { who: who(), name: "VIP".into() },
            Notice::NameRestored { who: who() },
            Notice::Ended { who: who() },
            Notice::MarkedSpam { who: who() },
            Notice::Started { who: who() },
            Notice::ImageChanged { who: who() },
            Notice::RecordCreated { entity: Entity::Lead, name: Some("Olena".into()), owner: Some("Bob".into()) },
            Notice::RecordCreated { entity: Entity::Deal, name: None, owner: None },
            Notice::RecordLinked { entity: Entity::Contact, name: Some("Olena".into()) },
            Notice::LeadConverted { entity: Entity::Contact, name: None },
        ];
        for notice in all {
            let json = serde_json::to_string(&notice).unwrap();
            assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), notice, "{json}");
            assert_eq!(crate::json::from_slice::<Notice>(json.as_bytes()).as_ref(), Some(&notice), "{json}");
            // Sorted by name (serde_json's `Value`): the tag comes after `entity`.
            let sorted = serde_json::from_str::<serde_json::Value>(&json).unwrap().to_string();
            assert_eq!(serde_json::from_str::<Notice>(&sorted).unwrap(), notice, "{sorted}");
        }
        let error = |json: &str| {
            assert_eq!(crate::json::from_slice::<Notice>(json.as_bytes()), None, "{json}");
            serde_json::from_str::<Notice>(json).unwrap_err().to_string()
        };
        assert!(error(r#"{"kind":"added","who":"Anna"}"#).contains("`whom`"));
        assert!(error(r#"{"kind":"record_linked","name":"x"}"#).contains("`entity`"));
        assert!(error(r#"{"kind":"exploded"}"#).contains("unknown variant `exploded`"));
        assert!(error(r#"{"who":"Anna"}"#).contains("`kind`"));
    }
}
