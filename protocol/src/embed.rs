//! Embedding in a host web app (the Space): API keys an administrator creates for the
//! host's backend, and the short-lived embed sessions that backend asks for on behalf of
//! one of our users, which the host's page hands to the embedded components.

use crate::UserId;
use serde::{Deserialize, Serialize};

/// Longest name of an API key, in characters.
pub const MAX_KEY_NAME_CHARS: usize = 80;
/// Host origins one key may allow.
pub const MAX_KEY_ORIGINS: usize = 10;
/// Keys kept at once (revoked ones included).
pub const MAX_API_KEYS: usize = 100;
/// How long an embed session lasts when the host does not say, in seconds.
pub const DEFAULT_EMBED_SECONDS: u32 = 30 * 60;
/// Shortest and longest embed session a host may ask for (a working shift at most).
pub const EMBED_SECONDS: std::ops::RangeInclusive<u32> = 60..=8 * 60 * 60;
/// What every API key's secret starts with, so a leaked one is recognised.
pub const KEY_PREFIX: &str = "elk_";

/// `GET /api/api-keys`: a key as administrators see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The first characters of its secret, to tell keys apart.
    pub hint: String,
    /// The host origins (`https://space.example.com`) whose pages may embed with it.
    pub origins: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
    /// When it last issued an embed session.
    pub last_used_at: Option<i64>,
    /// Revoked keys issue nothing, and their embed sessions ended when revoked.
    pub revoked_at: Option<i64>,
}

/// `POST /api/api-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyInput {
    pub name: String,
    pub origins: Vec<String>,
}

/// What creating a key answers: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub key: ApiKey,
    pub secret: String,
}

/// `POST /api/embed/sessions` from the host's backend, with `Authorization: Bearer <secret>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedSessionRequest {
    /// The login of the user the embedded components act as.
    pub login: String,
    /// How long it lasts (default [`DEFAULT_EMBED_SECONDS`], within [`EMBED_SECONDS`]).
    #[serde(default)]
    pub seconds: Option<u32>,
}

/// The embed session: a token the host's page passes to the components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedSession {
    pub token: String,
    pub user_id: UserId,
    pub expires_at: i64,
}

/// `text` as a web origin (`scheme://host[:port]`, lower case, no path), or why it is
/// not one. Only `https`, and `http` for `localhost` and loopback addresses, are taken.
pub fn origin(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    let bad = || format!("\"{text}\" is not an origin such as https://space.example.com.");
    let (scheme, rest) = text.split_once("://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    let rest = rest.to_ascii_lowercase();
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ', '*', '\\']) || text.len() > 200 {
        return Err(bad());
    }
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || rest.starts_with('[') => {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
                return Err(bad());
            }
            host
        }
        _ => rest.as_str(),
    };
    let loopback = host == "localhost" || host.starts_with("127.") || host == "[::1]";
    match scheme.as_str() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(format!("\"{text}\" must use https (http is allowed only for localhost).")),
        _ => return Err(bad()),
    }
    let valid_host = !host.is_empty()
        && (host.starts_with('[') && host.ends_with(']')
            || host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
    if !valid_host {
        return Err(bad());
    }
    Ok(format!("{scheme}://{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_written_one_way() {
        assert_eq!(origin(" https://Space.Example.com/ "), Ok("https://space.example.com".into()));
        assert_eq!(origin("https://space.example.com:8443"), Ok("https://space.example.com:8443".into()));
        assert_eq!(origin("http://localhost:5173"), Ok("http://localhost:5173".into()));
        assert_eq!(origin("http://127.0.0.1:9000"), Ok("http://127.0.0.1:9000".into()));
        assert_eq!(origin("http://[::1]:9000"), Ok("http://[::1]:9000".into()));
        for wrong in [
            "space.example.com",
            "https://",
            "https://space.example.com/crm",
            "https://*.example.com",
            "https://user@space.example.com",
            "https://space.example.com:99999",
            "https://space.example.com:",
            "ftp://space.example.com",
            "javascript://x",
            "https://exa mple.com",
            "https://space.example.com?x=1",
        ] {
            assert!(origin(wrong).is_err(), "{wrong} was taken");
        }
        assert!(origin("http://space.example.com").unwrap_err().contains("https"));
    }
}
