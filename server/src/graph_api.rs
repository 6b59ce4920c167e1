//! A client of Meta's Graph API, which carries WhatsApp's Cloud API ([`crate::whatsapp`])
//! and the Messenger Platform for Facebook Pages and Instagram ([`crate::meta`]): one
//! HTTP client at one base URL, and how an answer reads, a result or a [`Failure`] that
//! says whether trying again can help. Each messenger's calls are in its own `api`
//! module. Access tokens never appear in errors.

use crate::messenger_http::{self, lost, Fetch, Lost};
use crate::outbox::carrier::CallFailure;
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Graph API error codes every product shares
/// (<https://developers.facebook.com/docs/graph-api/guides/error-handling>,
/// <https://developers.facebook.com/docs/messenger-platform/error-codes>,
/// <https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes>).
pub mod code {
    /// The access token expired or was revoked.
    pub const TOKEN: i64 = 190;
    /// Temporary trouble on Meta's side: an unknown error, "service unavailable", the
    /// Messenger Platform's "temporary send message failure", WhatsApp's 131000/131016.
    pub const TEMPORARY: [i64; 5] = [1, 2, 1200, 131000, 131016];
    /// Rate limits: the application's, a user's, a page's, the Messenger and WhatsApp
    /// business use cases', a number's, a pair's.
    pub const RATE_LIMITS: [i64; 10] = [4, 17, 32, 613, 80006, 80007, 130429, 131056, 131048, 368];
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The Graph API answered with an error (`subcode` is `error_subcode`, 0 without).
    Refused { status: u16, code: i64, subcode: i64, message: String },
    /// An HTTP error without the Graph API's body (a proxy, Meta's own trouble).
    Http(u16),
    /// Meta was not reached: nothing was sent.
    Unreachable(String),
    /// The call went out but no answer came back: it may or may not have taken effect.
    Unconfirmed(String),
}

impl Failure {
    /// Can the same call succeed later (rate limited, Meta's own trouble, network)?
    pub fn is_temporary(&self) -> bool {
        match self {
            Failure::Refused { status, code, .. } => {
                *status >= 500 || code::RATE_LIMITS.contains(code) || code::TEMPORARY.contains(code)
            }
            Failure::Http(status) => *status == 429 || *status >= 500,
            Failure::Unreachable(_) | Failure::Unconfirmed(_) => true,
        }
    }

    /// Does Meta no longer accept the token?
    pub fn token_refused(&self) -> bool {
        matches!(self, Failure::Refused { code: code::TOKEN, .. } | Failure::Refused { status: 401, .. })
    }

    /// The Graph API's error code, if it answered with one.
    pub fn code(&self) -> Option<(i64, i64)> {
        match self {
            Failure::Refused { code, subcode, .. } => Some((*code, *subcode)),
            _ => None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused { code, message, .. } => write!(f, "{message} (code {code})"),
            Failure::Http(status) => write!(f, "HTTP {status}"),
            Failure::Unreachable(why) => write!(f, "Meta could not be reached: {why}"),
            Failure::Unconfirmed(why) => write!(f, "Meta did not answer: {why}"),
        }
    }
}

impl CallFailure for Failure {
    fn unconfirmed(&self) -> Option<&str> {
        match self {
            Failure::Unconfirmed(why) => Some(why),
            _ => None,
        }
    }

    fn is_temporary(&self) -> bool {
        Failure::is_temporary(self)
    }
}

impl From<Lost> for Failure {
    fn from(lost: Lost) -> Failure {
        match lost {
            Lost::Unreachable(why) => Failure::Unreachable(why),
            Lost::Unconfirmed(why) => Failure::Unconfirmed(why),
        }
    }
}

impl From<Fetch> for Failure {
    fn from(fetch: Fetch) -> Failure {
        match fetch {
            Fetch::Lost(lost) => lost.into(),
            Fetch::Http(status) => Failure::Http(status),
        }
    }
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: GraphError,
}

#[derive(Debug, Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: i64,
    #[serde(default)]
    error_subcode: i64,
    error_data: Option<ErrorData>,
}

#[derive(Debug, Deserialize)]
struct ErrorData {
    details: Option<String>,
}

/// The Graph API at one base URL (with its version: `https://graph.facebook.com/v21.0`).
#[derive(Clone)]
pub struct GraphApi {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
}

impl GraphApi {
    pub fn new(base: &str) -> GraphApi {
        GraphApi { http: messenger_http::client(), base: base.trim_end_matches('/').to_string() }
    }

    /// Reads an answer: the result, or the Graph API's error.
    pub(crate) async fn answer<T: DeserializeOwned>(
        response: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<T, Failure> {
        let response = response.map_err(lost)?;
        let status = response.status().as_u16();
        let bytes = messenger_http::body(response).await?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes)
                .map_err(|_| Failure::Unconfirmed("an answer that is not the Graph API's".into()));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(ErrorBody { error }) => {
                let details = error.error_data.and_then(|d| d.details).filter(|d| !d.is_empty());
                let message = match details {
                    Some(details) if details != error.message => format!("{}: {details}", error.message),
                    _ => error.message,
                };
                Err(Failure::Refused { status, code: error.code, subcode: error.error_subcode, message })
            }
            Err(_) => Err(Failure::Http(status)),
        }
    }

    /// The bytes at a media address (with the token, when Meta wants one); `None` when
    /// they are over `limit`.
    pub async fn download(&self, token: Option<&str>, url: &str, limit: u64) -> Result<Option<Vec<u8>>, Failure> {
        let request = self.http.get(url);
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        Ok(messenger_http::download(request, limit).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_say_whether_waiting_helps() {
        let refused = |status, code| Failure::Refused { status, code, subcode: 0, message: "x".into() };
        assert!(refused(400, 130429).is_temporary(), "WhatsApp's throughput limit");
        assert!(refused(400, 613).is_temporary() && refused(400, 80006).is_temporary(), "Messenger's rate limits");
        assert!(refused(400, 131000).is_temporary() && refused(400, 1200).is_temporary());
        assert!(refused(500, 100).is_temporary());
        assert!(!refused(400, 131047).is_temporary() && !refused(400, 10).is_temporary());
        assert!(refused(401, code::TOKEN).token_refused() && refused(400, code::TOKEN).token_refused());
        assert!(!refused(400, 551).token_refused());
        assert!(Failure::Http(503).is_temporary() && !Failure::Http(404).is_temporary());
    }
}
