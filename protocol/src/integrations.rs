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
    /// What the administrator enters in the messenger's own console so it delivers to
    /// us, where the messenger is not told by API (WhatsApp, in Meta's App Dashboard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<WebhookSetup>,
}

/// A webhook as Meta's App Dashboard asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSetup {
    /// The callback URL.
    pub url: String,
    /// The verify token Meta sends back on its handshake.
    pub verify_token: String,
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
            ChannelKind::Whatsapp => {
                format!("https://wa.me/{}", self.username.chars().filter(char::is_ascii_digit).collect::<String>())
            }
            ChannelKind::Facebook => format!("https://m.me/{}", self.username),
            ChannelKind::Instagram => format!("https://ig.me/m/{}", self.username),
            ChannelKind::Telegram | ChannelKind::Widget => format!("https://t.me/{}", self.username),
        }
    }

    /// How the bot is named beside its link: `@shop_bot` in Telegram and Instagram, the
    /// chat URI in Viber, the phone number in WhatsApp, the m.me address of a Facebook Page.
    pub fn handle(&self) -> String {
        match self.kind {
            ChannelKind::Telegram | ChannelKind::Widget | ChannelKind::Instagram => format!("@{}", self.username),
            ChannelKind::Facebook => format!("m.me/{}", self.username),
            ChannelKind::Viber | ChannelKind::Whatsapp => self.username.clone(),
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
    /// WhatsApp Business numbers, in the same way.
    #[serde(default)]
    pub whatsapp: Vec<MessengerBot>,
    /// Facebook Pages answering in Messenger, in the same way.
    #[serde(default)]
    pub facebook: Vec<MessengerBot>,
    /// Instagram professional accounts, in the same way.
    #[serde(default)]
    pub instagram: Vec<MessengerBot>,
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

/// Connect a WhatsApp Business number of the Cloud API, with what Meta's App Dashboard
/// shows: the phone number's id, the business account's id, an access token (a system
/// user's, which does not expire) and the app's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectWhatsApp {
    pub phone_number_id: String,
    pub waba_id: String,
    pub access_token: String,
    pub app_secret: String,
}

impl ConnectWhatsApp {
    /// What is wrong with the fields, in words, before Meta is asked.
    pub fn problem(&self) -> Option<&'static str> {
        let id = |s: &str| (5..=25).contains(&s.trim().len()) && s.trim().bytes().all(|b| b.is_ascii_digit());
        if !id(&self.phone_number_id) {
            Some("The phone number ID is the number Meta shows under the phone number (digits only), not the phone number itself.")
        } else if !id(&self.waba_id) {
            Some("The WhatsApp Business Account ID is digits only, as Meta's App Dashboard shows it.")
        } else {
            access_problem(&self.access_token, &self.app_secret)
        }
    }
}

/// Connect a Facebook Page's Messenger, or the Instagram professional account linked to
/// the page, with what Meta's App Dashboard shows: the page's access token (one that
/// does not expire, from a system user) and the app's secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectPage {
    pub page_access_token: String,
    pub app_secret: String,
}

impl ConnectPage {
    /// What is wrong with the fields, in words, before Meta is asked.
    pub fn problem(&self) -> Option<&'static str> {
        access_problem(&self.page_access_token, &self.app_secret)
    }
}

/// What is wrong with a Meta access token and app secret as pasted, if anything.
fn access_problem(token: &str, secret: &str) -> Option<&'static str> {
    let (token, secret) = (token.trim(), secret.trim());
    if token.len() < 20 || token.len() > 1000 || token.contains(char::is_whitespace) {
        Some("Paste the whole access token (a system user's token does not expire).")
    } else if secret.len() != 32 || !secret.bytes().all(|b| b.is_ascii_hexdigit()) {
        Some("The app secret is 32 characters (App settings → Basic → App secret).")
    } else {
        None
    }
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
        ChannelKind::Widget | ChannelKind::Whatsapp | ChannelKind::Facebook | ChannelKind::Instagram => false,
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
    fn whatsapp_connections_are_checked_field_by_field() {
        let good = ConnectWhatsApp {
            phone_number_id: "106540352242922".into(),
            waba_id: "102290129340398".into(),
            access_token: "EAAJB3lZBZA0ZBsBAKzZCZAtestTOKEN1234567890".into(),
            app_secret: "0123456789abcdef0123456789abcdef".into(),
        };
        assert_eq!(good.problem(), None);
        let with = |f: fn(&mut ConnectWhatsApp)| {
            let mut c = good.clone();
            f(&mut c);
            c.problem().unwrap_or_default()
        };
        assert!(with(|c| c.phone_number_id = "+1 555 0100".into()).contains("phone number ID"));
        assert!(with(|c| c.waba_id = "".into()).contains("Business Account ID"));
        assert!(with(|c| c.access_token = "short".into()).contains("access token"));
        assert!(with(|c| c.app_secret = "not-a-secret".into()).contains("app secret"));
        let page = ConnectPage { page_access_token: good.access_token.clone(), app_secret: good.app_secret.clone() };
        assert_eq!(page.problem(), None);
        let pasted = ConnectPage { page_access_token: "EAAG token".into(), ..page.clone() };
        assert!(pasted.problem().unwrap().contains("access token"));
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
            setup: None,
        };
        assert_eq!((bot.link().as_str(), bot.handle().as_str()), ("https://t.me/shop_bot", "@shop_bot"));
        bot.kind = ChannelKind::Viber;
        bot.username = "shopbot".into();
        assert_eq!((bot.link().as_str(), bot.handle().as_str()), ("viber://pa?chatURI=shopbot", "shopbot"));
        bot.kind = ChannelKind::Whatsapp;
        bot.username = "+1 555-010-0200".into();
        assert_eq!((bot.link().as_str(), bot.handle().as_str()), ("https://wa.me/15550100200", "+1 555-010-0200"));
        bot.kind = ChannelKind::Facebook;
        bot.username = "shoppage".into();
        assert_eq!((bot.link().as_str(), bot.handle().as_str()), ("https://m.me/shoppage", "m.me/shoppage"));
        bot.kind = ChannelKind::Instagram;
        bot.username = "shop.ua".into();
        assert_eq!((bot.link().as_str(), bot.handle().as_str()), ("https://ig.me/m/shop.ua", "@shop.ua"));
        let old: MessengerBot = serde_json::from_str(
            r#"{"channel_id":1,"name":"Shop","username":"shop_bot","connected_at":0,"disconnected_at":null,"dialogs":0}"#,
        )
        .unwrap();
        assert_eq!(old.kind, ChannelKind::Telegram, "bots stored before Viber are Telegram's");
    }
}
