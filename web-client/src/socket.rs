//! A WebSocket to the server that yields typed frames.

use el_protocol::events::Frame;
use el_protocol::json::{self, Read};
use futures::StreamExt;
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, WebSocketError};

/// Why a socket ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The server closed it with this code (4401: the session is no longer valid).
    Closed(u16),
    /// The connection failed or dropped.
    Lost,
}

/// An open socket.
pub struct Socket {
    ws: WebSocket,
}

/// `ws://` or `wss://` URL for a path on the page's own server (under its base path).
pub fn url(path_and_query: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let host = location.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let secure = location.and_then(|l| l.protocol().ok()).is_some_and(|p| p == "https:");
    format!("{}://{host}{}", if secure { "wss" } else { "ws" }, crate::base::at(path_and_query))
}

impl Socket {
    /// Opens a socket to `path_and_query` on the page's own server.
    pub fn open(path_and_query: &str) -> Result<Socket, Ended> {
        WebSocket::open(&url(path_and_query)).map(|ws| Socket { ws }).map_err(|_| Ended::Lost)
    }

    /// The next frame; frames this client cannot read are skipped.
    pub async fn next<E: Read>(&mut self) -> Result<Frame<E>, Ended> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Text(text))) => match json::from_slice(text.as_bytes()) {
                    Some(frame) => return Ok(frame),
                    None => continue,
                },
                Some(Ok(Message::Bytes(_))) => continue,
                Some(Err(WebSocketError::ConnectionClose(close))) => return Err(Ended::Closed(close.code)),
                Some(Err(_)) | None => return Err(Ended::Lost),
            }
        }
    }
}
