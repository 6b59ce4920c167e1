//! What the messengers' API clients share: an HTTP client with the time a call may
//! take, how a request that got no answer is told (nothing sent, or perhaps sent), and
//! downloads bounded in size.

use std::time::Duration;

/// How long a call may take: one left unanswered longer is reported as unconfirmed
/// rather than waited for (the messengers answer in well under a second).
const CALL_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a download or an upload may take.
pub const TRANSFER_TIMEOUT: Duration = Duration::from_secs(120);

/// The HTTP client of a messenger's API.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(CALL_TIMEOUT)
        .build()
        .expect("an HTTP client with default TLS settings")
}

/// A request that got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lost {
    /// The connection could not be made: nothing was sent.
    Unreachable(String),
    /// It went out but no answer came back: it may or may not have taken effect.
    Unconfirmed(String),
}

/// How a failed request is told (its URL, which may hold a token, left out).
pub fn lost(e: reqwest::Error) -> Lost {
    let connect = e.is_connect();
    let why = e.without_url().to_string();
    if connect {
        Lost::Unreachable(why)
    } else {
        Lost::Unconfirmed(why)
    }
}

/// The body of an answer, or why it did not come whole.
pub async fn body(response: reqwest::Response) -> Result<axum::body::Bytes, Lost> {
    response.bytes().await.map_err(|e| Lost::Unconfirmed(e.without_url().to_string()))
}

/// A download that gave no bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    Lost(Lost),
    /// An HTTP status other than success.
    Http(u16),
}

/// The bytes `request` downloads; `None` when they are over `limit` (not read further).
pub async fn download(request: reqwest::RequestBuilder, limit: u64) -> Result<Option<Vec<u8>>, Fetch> {
    let response = request.timeout(TRANSFER_TIMEOUT).send().await.map_err(|e| Fetch::Lost(lost(e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(Fetch::Http(status.as_u16()));
    }
    if response.content_length().is_some_and(|n| n > limit) {
        return Ok(None);
    }
    let bytes = body(response).await.map_err(Fetch::Lost)?;
    Ok((bytes.len() as u64 <= limit).then(|| bytes.to_vec()))
}
