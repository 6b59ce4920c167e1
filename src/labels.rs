//! What the app calls the protocol's kinds and choices, in its current language.

use el_protocol::api::Language;
use el_protocol::api::{ChannelKind, Receipt, Theme};
use el_protocol::crm::{DealStage, Entity, SortKey};
use el_protocol::inbox::Tab;
use el_protocol::markdown::edit::Format;
use el_protocol::notices::Notice;
use el_protocol::permissions::ViewScope;
use el_protocol::queue::{Presence, Routing};

/// The name users read for a kind or a choice.
pub trait Text {
    fn text(self) -> &'static str;
}

macro_rules! texts {
    ($($ty:ty { $($variant:ident => $key:ident),+ $(,)? })+) => {
        $(impl Text for $ty {
            fn text(self) -> &'static str {
                match self {
                    $(<$ty>::$variant => tr!($key)),+
                }
            }
        })+
    };
}

texts! {
    Tab { Unassigned => tab_unassigned, Active => tab_active, Inactive => tab_inactive }
    Theme { System => theme_system, Light => theme_light, Dark => theme_dark }
    Language { Browser => language_browser, En => language_en, Uk => language_uk }
    ChannelKind { Widget => channel_widget, Telegram => channel_telegram, Viber => channel_viber, Whatsapp => channel_whatsapp, Facebook => channel_facebook, Instagram => channel_instagram }
    Receipt { Delivered => receipt_delivered, Seen => receipt_seen }
    Entity { Lead => entity_lead, Contact => entity_contact, Company => entity_company, Deal => entity_deal }
    DealStage { New => stage_new, Negotiation => stage_negotiation, Invoice => stage_invoice, Won => stage_won, Lost => stage_lost }
    SortKey { Updated => sort_updated, Created => sort_created, Name => sort_name }
    ViewScope { All => scope_all, Own => scope_own, None => scope_none }
    Routing { Everyone => routing_everyone, InTurn => routing_in_turn }
    Presence { Online => presence_online, Away => presence_away }
    Format {
        Bold => format_bold, Italic => format_italic, Strikethrough => format_strikethrough,
        InlineCode => format_inline_code, CodeBlock => format_code_block,
        BulletedList => format_bulleted_list, NumberedList => format_numbered_list, Quote => format_quote,
    }
}

/// The names of a CRM entity's list, its main field and its New button.
pub trait EntityText {
    fn plural_text(self) -> &'static str;
    fn title_text(self) -> &'static str;
    fn new_text(self) -> &'static str;
}

impl EntityText for Entity {
    fn plural_text(self) -> &'static str {
        match self {
            Entity::Lead => tr!(entity_leads),
            Entity::Contact => tr!(entity_contacts),
            Entity::Company => tr!(entity_companies),
            Entity::Deal => tr!(entity_deals),
        }
    }

    fn title_text(self) -> &'static str {
        match self {
            Entity::Deal => tr!(field_title),
            _ => tr!(field_name),
        }
    }

    fn new_text(self) -> &'static str {
        match self {
            Entity::Lead => tr!(new_lead),
            Entity::Contact => tr!(new_contact),
            Entity::Company => tr!(new_company),
            Entity::Deal => tr!(new_deal),
        }
    }
}

/// What a system note says, in the app's language, without the CRM record's name (the
/// chat links that after a colon).
pub fn notice(notice: &Notice) -> String {
    match notice {
        Notice::Reopened => tr!(notice_reopened).to_string(),
        Notice::Unsubscribed => tr!(notice_unsubscribed).to_string(),
        Notice::AnsweredElsewhere { messenger, text } => tr!(notice_answered_elsewhere, messenger, text).to_string(),
        Notice::Took { who } => tr!(notice_took, who).to_string(),
        Notice::Joined { who } => tr!(notice_joined, who).to_string(),
        Notice::Added { who, whom } => tr!(notice_added, who, whom).to_string(),
        Notice::Left { who } => tr!(notice_left, who).to_string(),
        Notice::Redirected { who, whom } => tr!(notice_redirected, who, whom).to_string(),
        Notice::Renamed { who, name } => tr!(notice_renamed, who, name).to_string(),
        Notice::NameRestored { who } => tr!(notice_name_restored, who).to_string(),
        Notice::Ended { who } => tr!(notice_ended, who).to_string(),
        Notice::MarkedSpam { who } => tr!(notice_spam, who).to_string(),
        Notice::Started { who } => tr!(notice_started, who).to_string(),
        Notice::ImageChanged { who } => tr!(notice_image, who).to_string(),
        Notice::RecordCreated { owner: Some(owner), .. } => tr!(notice_lead_for, owner).to_string(),
        Notice::RecordCreated { entity, .. } => match entity {
            Entity::Lead => tr!(notice_lead_created),
            Entity::Contact => tr!(notice_contact_created),
            Entity::Company => tr!(notice_company_created),
            Entity::Deal => tr!(notice_deal_created),
        }
        .to_string(),
        Notice::RecordLinked { entity, .. } => match entity {
            Entity::Lead => tr!(notice_lead_linked),
            Entity::Contact => tr!(notice_contact_linked),
            Entity::Company => tr!(notice_company_linked),
            Entity::Deal => tr!(notice_deal_linked),
        }
        .to_string(),
        Notice::LeadConverted { entity, .. } => match entity {
            Entity::Lead => tr!(notice_converted_lead),
            Entity::Contact => tr!(notice_converted_contact),
            Entity::Company => tr!(notice_converted_company),
            Entity::Deal => tr!(notice_converted_deal),
        }
        .to_string(),
    }
}
