//! What every Meta webhook shares (WhatsApp's, a Facebook Page's, an Instagram
//! account's): the handshake Meta makes when the callback address is entered, and the
//! signature each delivery carries.

use crate::error::{AppError, AppResult};
use crate::tokens::{signed, token_hash};
use axum::http::HeaderMap;
use serde::Deserialize;

/// The header Meta signs deliveries in: `sha256=` and the HMAC-SHA256 of the raw body
/// with the app secret.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Meta's handshake: `hub.mode=subscribe`, the verify token, and a challenge to return.
#[derive(Debug, Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

impl Handshake {
    /// The challenge, when the handshake carries `expected` (the verify token we gave
    /// the administrator for the webhook the path names, if it names one).
    pub fn answer(self, expected: Option<&str>) -> AppResult<String> {
        let refused = || AppError::Forbidden("Unknown webhook or wrong verify token.".into());
        let expected = expected.ok_or_else(refused)?;
        let given = self.verify_token.unwrap_or_default();
        // Hashes of equal length are compared, so timing tells nothing about the token.
        let matches = token_hash(&given) == token_hash(expected);
        match (self.mode.as_deref(), self.challenge) {
            (Some("subscribe"), Some(challenge)) if matches && challenge.len() <= 256 => Ok(challenge),
            _ => Err(refused()),
        }
    }
}

/// Whether the delivery's signature is the HMAC of `body` with `app_secret`.
pub fn signed_by(headers: &HeaderMap, body: &[u8], app_secret: &str) -> bool {
    let given = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    given.strip_prefix("sha256=").is_some_and(|given| signed(app_secret, body, given))
}
