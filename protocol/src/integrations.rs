//! The Integrations settings: messenger bots connected as channels.

use crate::{ChannelId, Millis};
use serde::{Deserialize, Serialize};

/// A Telegram bot connected (or once connected) as a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramBot {
    pub channel_id: ChannelId,
    /// The bot's name in Telegram (the channel's name in the inbox).
    pub name: String,
    /// The bot's @username, without the `@`.
    pub username: String,
    pub connected_at: Millis,
    /// When it was disconnected; `None` while it receives messages.
    pub disconnected_at: Option<Millis>,
    /// How many dialogs came through it.
    pub dialogs: u64,
    /// What keeps Telegram from delivering to us, as Telegram last said (a connected
    /// bot whose webhook fails: a wrong public address, a certificate...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl TelegramBot {
    pub fn is_connected(&self) -> bool {
        self.disconnected_at.is_none()
    }

    /// The bot's address in Telegram.
    pub fn link(&self) -> String {
        format!("https://t.me/{}", self.username)
    }
}

/// What the Integrations page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationsOverview {
    /// Newest first; a reconnected bot appears once, as its newest channel.
    pub telegram: Vec<TelegramBot>,
    /// The public address messengers deliver to; `None` until the server is configured
    /// with one (bots cannot be connected before).
    pub public_url: Option<String>,
}

/// Connect a Telegram bot by the token @BotFather gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectTelegram {
    pub token: String,
}

/// Does `token` look like a bot token (`123456:ABC-DEF...`)? Checked before asking
/// Telegram, so a pasted sentence gets a clear answer.
pub fn is_bot_token(token: &str) -> bool {
    let Some((id, secret)) = token.split_once(':') else { return false };
    !id.is_empty()
        && id.len() <= 20
        && id.bytes().all(|b| b.is_ascii_digit())
        && (30..=100).contains(&secret.len())
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_tokens_are_recognised() {
        assert!(is_bot_token("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"));
        assert!(is_bot_token("1:abcdefghijklmnopqrstuvwxyz_-0123"));
        for bad in [
            "",
            "123456789",
            ":AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "12a:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "123:short",
            "123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDs w",
            "123:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsa/../",
        ] {
            assert!(!is_bot_token(bad), "{bad:?}");
        }
    }
}
