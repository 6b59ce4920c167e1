//! What carries an operator's message to a messenger: the channel's bot, whichever
//! messenger it is on. The outbox plans a message's calls and makes them through it,
//! knowing nothing of any one messenger's API.

use crate::error::{AppError, AppResult};
use crate::sql::Connection;
use crate::{meta, telegram, viber, whatsapp, AppState};
use el_protocol::api::{Attachment, Message};
use el_protocol::templates::TemplateCall;
use el_protocol::ChannelId;
use std::time::Duration;

/// One call of a message's delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// The text, in the messenger's own formatting.
    Text(String),
    /// A file.
    File(Attachment),
    /// An approved WhatsApp template (the one way to write after WhatsApp's 24 hours).
    Template(TemplateCall),
}

/// Why a call did not go through, as the outbox acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartFailure {
    /// Nothing was sent and the same call can succeed later (rate limited, the
    /// messenger's own trouble, the network); after `retry_after` when it said.
    Temporary { why: String, retry_after: Option<Duration> },
    /// The call went out but no answer came back: it may have reached the client.
    Unconfirmed(String),
    /// Refused for good, for this reason (in the operator's words).
    Refused(String),
}

/// What the outbox needs to know of a messenger API's failure.
pub trait CallFailure: std::fmt::Display {
    /// The call went out but no answer came back: why.
    fn unconfirmed(&self) -> Option<&str>;
    /// Can the same call succeed later (rate limited, the messenger's own trouble)?
    fn is_temporary(&self) -> bool;
    /// How long the messenger asked us to wait, if it said.
    fn retry_after(&self) -> Option<Duration> {
        None
    }
}

/// What the outbox does with a failed call: waits when waiting helps, leaves a call that
/// may have arrived to the operator, and otherwise gives `reason`'s words.
pub fn classify<F: CallFailure>(failure: &F, reason: fn(&F) -> String) -> PartFailure {
    match failure.unconfirmed() {
        Some(why) => PartFailure::Unconfirmed(why.to_string()),
        None if failure.is_temporary() => {
            PartFailure::Temporary { why: failure.to_string(), retry_after: failure.retry_after() }
        }
        None => PartFailure::Refused(reason(failure)),
    }
}

/// The bot of a messenger channel.
#[derive(Debug, Clone)]
pub enum Carrier {
    Telegram(telegram::store::Bot),
    Viber(viber::store::Bot),
    WhatsApp(whatsapp::store::Number),
    /// A Facebook Page's Messenger, or its Instagram account.
    Meta(meta::store::Account),
}

impl Carrier {
    /// The bot of `channel`.
    pub fn of_channel(conn: &Connection, channel: ChannelId) -> AppResult<Carrier> {
        if let Some(bot) = telegram::store::bot_of_channel(conn, channel)? {
            return Ok(Carrier::Telegram(bot));
        }
        if let Some(bot) = viber::store::bot_of_channel(conn, channel)? {
            return Ok(Carrier::Viber(bot));
        }
        if let Some(number) = whatsapp::store::number_of_channel(conn, channel)? {
            return Ok(Carrier::WhatsApp(number));
        }
        match meta::store::account_of_channel(conn, channel)? {
            Some(account) => Ok(Carrier::Meta(account)),
            None => Err(AppError::Internal(format!("channel {channel} has no bot"))),
        }
    }

    /// The connected bot whose webhook path carries `key`.
    pub fn by_key(conn: &Connection, key: &str) -> AppResult<Option<Carrier>> {
        if let Some(bot) = viber::store::bot_by_key(conn, key)? {
            return Ok(Some(Carrier::Viber(bot)));
        }
        if let Some(number) = whatsapp::store::number_by_key(conn, key)? {
            return Ok(Some(Carrier::WhatsApp(number)));
        }
        if let Some(account) = meta::store::account_by_key(conn, key)? {
            return Ok(Some(Carrier::Meta(account)));
        }
        Ok(telegram::store::bot_by_key(conn, key)?.map(Carrier::Telegram))
    }

    pub fn channel_id(&self) -> ChannelId {
        match self {
            Carrier::Telegram(bot) => bot.channel_id,
            Carrier::Viber(bot) => bot.channel_id,
            Carrier::WhatsApp(number) => number.channel_id,
            Carrier::Meta(account) => account.channel_id,
        }
    }

    /// What signs the addresses of files the messenger fetches (None: it takes uploads).
    pub fn link_secret(&self) -> Option<&str> {
        match self {
            Carrier::Telegram(_) => None,
            Carrier::Viber(bot) => Some(&bot.token),
            Carrier::WhatsApp(number) => Some(&number.app_secret),
            Carrier::Meta(account) => Some(&account.app_secret),
        }
    }

    /// The messenger's name, as operators know it.
    pub fn messenger(&self) -> &'static str {
        match self {
            Carrier::Telegram(_) => "Telegram",
            Carrier::Viber(_) => "Viber",
            Carrier::WhatsApp(_) => "WhatsApp",
            Carrier::Meta(account) => account.kind.label(),
        }
    }

    /// Whether the bot is still connected.
    pub fn connected(&self) -> bool {
        match self {
            Carrier::Telegram(bot) => bot.connected,
            Carrier::Viber(bot) => bot.connected,
            Carrier::WhatsApp(number) => number.connected,
            Carrier::Meta(account) => account.connected,
        }
    }

    /// The calls that deliver `message`, in order: always the same for the same
    /// message, so a delivery resumed after a restart continues where it stopped.
    pub fn plan(&self, message: &Message) -> Vec<Part> {
        match self {
            Carrier::Telegram(_) => telegram::deliver::plan(message),
            Carrier::Viber(_) => viber::deliver::plan(message),
            Carrier::WhatsApp(_) => whatsapp::deliver::plan(message),
            Carrier::Meta(account) => meta::deliver::plan(account.kind, message),
        }
    }

    /// Makes one call to the client `chat_id`; answers the messenger's id of the
    /// message it made.
    pub async fn send(&self, state: &AppState, chat_id: &str, part: &Part) -> Result<String, PartFailure> {
        match self {
            Carrier::Telegram(bot) => telegram::deliver::send_part(state, bot, chat_id, part).await,
            Carrier::Viber(bot) => viber::deliver::send_part(state, bot, chat_id, part).await,
            Carrier::WhatsApp(number) => whatsapp::deliver::send_part(state, number, chat_id, part).await,
            Carrier::Meta(account) => meta::deliver::send_part(state, account, chat_id, part).await,
        }
    }
}

/// The calls of a message: its text in `texts` (already in the messenger's formatting
/// and pieces), then each of its files.
pub fn parts(texts: Vec<String>, message: &Message) -> Vec<Part> {
    texts.into_iter().map(Part::Text).chain(message.attachments.iter().cloned().map(Part::File)).collect()
}

/// Why a template was not sent through a messenger other than WhatsApp.
pub fn no_templates(messenger: &str) -> PartFailure {
    PartFailure::Refused(format!("Not delivered: {messenger} has no message templates; only WhatsApp does."))
}

/// Why a file that is gone from our store was not sent (no retry helps).
pub fn missing(file: &Attachment) -> PartFailure {
    PartFailure::Refused(format!("“{}” is no longer stored and could not be sent.", file.name))
}

/// Why a message still waiting when its channel's bot was disconnected was not delivered.
pub fn bot_disconnected(messenger: &str) -> String {
    format!("The {messenger} bot was disconnected before this message went out.")
}
