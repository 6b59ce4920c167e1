//! The Integrations settings: messenger bots connected as channels.

use crate::api::ChannelKind;
use crate::{ChannelId, Millis};
use serde::{Deserialize, Serialize};

/// A messenger's bot (a Telegram bot, a Viber bot) connected, or once connected, as a
/// channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessengerBot {
    pub channel_id: ChannelId,
    #[serde(default = "telegram")]
    pub kind: ChannelKind,
    /// The bot's name in the messenger (the channel's name in the inbox).
    pub name: String,
    /// How clients find the bot: Telegram's @username without the `@`, Viber's chat URI.
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

fn telegram() -> ChannelKind {
    ChannelKind::Telegram
}

impl MessengerBot {
    pub fn is_connected(&self) -> bool {
        self.disconnected_at.is_none()
    }

    /// The bot's address in its messenger.
    pub fn link(&self) -> String {
        match self.kind {
            ChannelKind::Viber => format!("viber://pa?chatURI={}", self.username),
            _ => format!("https://t.me/{}", self.username),
        }
    }

    /// How the bot is named beside its link: `@shop_bot` in Telegram, the chat URI in Viber.
    pub fn handle(&self) -> String {
        match self.kind {
            ChannelKind::Viber => self.username.clone(),
            _ => format!("@{}", self.username),
        }
    }
}

/// What the Integrations page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationsOverview {
    /// Newest first; a reconnected bot appears once, as its newest channel.
    pub telegram: Vec<MessengerBot>,
    /// Viber bots, in the same way.
    #[serde(default)]
    pub viber: Vec<MessengerBot>,
    /// The public address messengers deliver to; `None` until the server is configured
    /// with one (bots cannot be connected before).
    pub public_url: Option<String>,
}

/// Connect a bot by its token (the one @BotFather gives, or a Viber bot's app key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectBot {
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

/// Does `token` look like a Viber bot's authentication token (app key), such as
/// `4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f`? Checked before asking Viber.
pub fn is_viber_token(token: &str) -> bool {
    let groups: Vec<&str> = token.split('-').collect();
    (2..=6).contains(&groups.len())
        && (24..=100).contains(&token.len())
        && groups.iter().all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Does `token` look like a token of a bot of `kind`?
pub fn is_token_of(kind: ChannelKind, token: &str) -> bool {
    match kind {
        ChannelKind::Telegram => is_bot_token(token),
        ChannelKind::Viber => is_viber_token(token),
        ChannelKind::Widget | ChannelKind::Whatsapp => false,
    }
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

    #[test]
    fn viber_tokens_are_recognised() {
        assert!(is_viber_token("4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f"));
        assert!(is_viber_token("445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9"));
        for bad in [
            "",
            "4453b6ac12345678e02c5f12174805f9daec9cbb5448c51f",
            "4453b6ac12345678--daec9cbb5448c51f",
            "4453b6ac-12",
            "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c5 f",
            "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        ] {
            assert!(!is_viber_token(bad), "{bad:?}");
        }
        assert!(is_token_of(ChannelKind::Telegram, "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"));
        assert!(!is_token_of(ChannelKind::Viber, "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"));
    }

    #[test]
    fn links_and_handles_follow_the_messenger() {
        let mut bot = MessengerBot {
            channel_id: ChannelId(1),
            kind: ChannelKind::Telegram,
            name: "Shop".into(),
            username: "shop_bot".into(),
            connected_at: 0,
            disconnected_at: None,
            dialogs: 0,
            problem: None,
        };
        assert_eq!((bot.link().as_str(), bot.handle().as_str()), ("https://t.me/shop_bot", "@shop_bot"));
        bot.kind = ChannelKind::Viber;
        bot.username = "shopbot".into();
        assert_eq!((bot.link().as_str(), bot.handle().as_str()), ("viber://pa?chatURI=shopbot", "shopbot"));
        let old: MessengerBot = serde_json::from_str(
            r#"{"channel_id":1,"name":"Shop","username":"shop_bot","connected_at":0,"disconnected_at":null,"dialogs":0}"#,
        )
        .unwrap();
        assert_eq!(old.kind, ChannelKind::Telegram, "bots stored before Viber are Telegram's");
    }
}
