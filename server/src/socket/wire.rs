//! The server's side of the WebSocket protocol (RFC 6455) on an upgraded HTTP/1.1
//! connection. Frames to send are built once, header and payload together, and shared
//! by every socket that sends them: a batch leaves in one `writev` with no copy per
//! socket (500 operators receive the same frames of each new message). What peers send
//! (pongs, pings, close, nothing else that matters) is read through a buffer of a few
//! hundred bytes inside the socket, so tens of thousands of idle sockets cost little.

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use bytes::{BufMut, Bytes, BytesMut};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use sha1::{Digest, Sha1};
use std::future::Future;
use std::io::{self, IoSlice};
use std::sync::LazyLock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;

/// The largest message a peer may send (they send only control frames): a larger one
/// closes the socket with 1009.
const MAX_MESSAGE: u64 = 64 * 1024;
/// Room for a frame's head (at most 14 bytes) and a control frame's payload (125).
const READ_BUFFER: usize = 256;
/// Slices per `writev` (the kernel takes at most 1,024).
const MAX_SLICES: usize = 512;

/// The threads open sockets run on, apart from the ones that answer requests. A new
/// message wakes every operator's socket at once: on shared threads, each request
/// woken meanwhile (the client's next POST, its session look-up, its commit) waited in
/// the run queue behind hundreds of socket writes, at every step. On threads of their
/// own the kernel's scheduler interleaves the two, and a request never queues behind
/// the fan-out (500 sockets x 1,000 messages a second: the POST's p99 from 26-44 to
/// 14-20 ms, see the README). One per core, like the request threads.
static SOCKET_THREADS: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("el-sockets")
        .enable_all()
        .build()
        .expect("the socket threads start")
});

/// Starts the [`SOCKET_THREADS`] (when the server starts, so that a machine that
/// cannot start them fails there, not at the first socket).
pub fn start_socket_threads() {
    LazyLock::force(&SOCKET_THREADS);
}

/// Close codes (RFC 6455, 7.4.1).
pub const CLOSE_PROTOCOL_ERROR: u16 = 1002;
pub const CLOSE_TOO_BIG: u16 = 1009;

const OP_CONTINUATION: u8 = 0x0;
const OP_TEXT: u8 = 0x1;
const OP_BINARY: u8 = 0x2;
const OP_CLOSE: u8 = 0x8;
const OP_PING: u8 = 0x9;
const OP_PONG: u8 = 0xa;

/// A whole frame to send (the server's frames are never masked): cheap to clone and
/// to share between sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing(Bytes);

impl Outgoing {
    /// A text message in one frame.
    pub fn text(payload: &str) -> Outgoing {
        Outgoing::frame(OP_TEXT, payload.as_bytes())
    }

    /// A ping (the peer answers with a pong).
    pub fn ping() -> Outgoing {
        Outgoing::frame(OP_PING, &[])
    }

    /// The answer to a ping, with its payload.
    pub fn pong(payload: &[u8]) -> Outgoing {
        Outgoing::frame(OP_PONG, &payload[..payload.len().min(125)])
    }

    /// A close frame with its code and reason (cut to fit a control frame).
    pub fn close(code: u16, reason: &str) -> Outgoing {
        let mut end = reason.len().min(123);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(&reason.as_bytes()[..end]);
        Outgoing::frame(OP_CLOSE, &payload)
    }

    fn frame(opcode: u8, payload: &[u8]) -> Outgoing {
        let len = payload.len();
        let mut frame = BytesMut::with_capacity(len + 10);
        frame.put_u8(0x80 | opcode);
        match len {
            0..=125 => frame.put_u8(len as u8),
            126..=0xffff => {
                frame.put_u8(126);
                frame.put_u16(len as u16);
            }
            _ => {
                frame.put_u8(127);
                frame.put_u64(len as u64);
            }
        }
        frame.put_slice(payload);
        Outgoing(frame.freeze())
    }

    /// The frame as it goes on the wire.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A valid WebSocket handshake request, to be answered with [`Upgrade::on_upgrade`].
pub struct Upgrade {
    accept: HeaderValue,
    on_upgrade: OnUpgrade,
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let refuse =
            |what: &str| AppError::BadRequest(format!("This address takes only WebSocket connections: {what}."));
        if parts.method != Method::GET {
            return Err(refuse("the request must be a GET"));
        }
        if !has_token(&parts.headers, header::CONNECTION, "upgrade") {
            return Err(refuse("the Connection header must include 'upgrade'"));
        }
        if !has_token(&parts.headers, header::UPGRADE, "websocket") {
            return Err(refuse("the Upgrade header must be 'websocket'"));
        }
        if parts.headers.get(header::SEC_WEBSOCKET_VERSION).map(|v| v.as_bytes()) != Some(b"13") {
            return Err(refuse("Sec-WebSocket-Version must be 13"));
        }
        let key = parts.headers.get(header::SEC_WEBSOCKET_KEY).ok_or_else(|| refuse("Sec-WebSocket-Key is missing"))?;
        let on_upgrade =
            parts.extensions.remove::<OnUpgrade>().ok_or_else(|| refuse("this connection cannot be upgraded"))?;
        Ok(Upgrade { accept: accept_key(key.as_bytes()), on_upgrade })
    }
}

impl Upgrade {
    /// Answers `101 Switching Protocols` and runs `talk` on the socket, on the
    /// [`SOCKET_THREADS`], once the connection has switched.
    pub fn on_upgrade<F, Fut>(self, talk: F) -> Response
    where
        F: FnOnce(WebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let on_upgrade = self.on_upgrade;
        SOCKET_THREADS.spawn(async move {
            match on_upgrade.await {
                Ok(upgraded) => talk(WebSocket::new(upgraded)).await,
                Err(e) => tracing::debug!(error = %e, "a WebSocket upgrade failed"),
            }
        });
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, self.accept);
        response
    }
}

/// Does the comma-separated header `name` hold `token` (in any case)?
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// `Sec-WebSocket-Accept` for the client's key (RFC 6455, 4.2.2).
fn accept_key(key: &[u8]) -> HeaderValue {
    let mut sha1 = Sha1::new();
    sha1.update(key);
    sha1.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    let accept = base64::engine::general_purpose::STANDARD.encode(sha1.finalize());
    HeaderValue::from_str(&accept).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// What the peer sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A message or a pong: the peer is there.
    Alive,
    /// A ping, to be answered with a pong of the same payload.
    Ping(Vec<u8>),
    /// A close frame: answer with a close and stop.
    Close,
    /// Something the protocol does not allow: close with this code.
    Broken(u16),
    /// The connection ended.
    Gone,
}

/// An open WebSocket, server side.
pub struct WebSocket {
    io: TokioIo<Upgraded>,
    received: Received,
}

impl WebSocket {
    fn new(upgraded: Upgraded) -> WebSocket {
        WebSocket { io: TokioIo::new(upgraded), received: Received::default() }
    }

    /// Writes `frames` in order, in as few system calls as the kernel allows.
    pub async fn send(&mut self, frames: &[Outgoing]) -> io::Result<()> {
        let mut slices: Vec<IoSlice> = frames.iter().map(|f| IoSlice::new(&f.0)).collect();
        let mut rest = &mut slices[..];
        while !rest.is_empty() {
            let upto = rest.len().min(MAX_SLICES);
            let n = self.io.write_vectored(&rest[..upto]).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            IoSlice::advance_slices(&mut rest, n);
        }
        self.io.flush().await
    }

    /// Waits for the peer's next frame. Cancel-safe: what was read stays for the next call.
    pub async fn recv(&mut self) -> Heard {
        loop {
            if let Some(heard) = self.received.take() {
                return heard;
            }
            let received = &mut self.received;
            match self.io.read(&mut received.buf[received.len..]).await {
                Ok(0) | Err(_) => return Heard::Gone,
                Ok(n) => received.len += n,
            }
        }
    }
}

/// What was read from the peer and not taken yet: `buf[..len]`.
struct Received {
    buf: [u8; READ_BUFFER],
    len: usize,
    /// Bytes of a message's payload still to be passed over.
    skip: u64,
}

impl Default for Received {
    fn default() -> Self {
        Received { buf: [0; READ_BUFFER], len: 0, skip: 0 }
    }
}

impl Received {
    /// The next whole frame in the buffer, if there is one.
    fn take(&mut self) -> Option<Heard> {
        if self.skip > 0 {
            let n = self.skip.min(self.len as u64) as usize;
            self.consume(n);
            self.skip -= n as u64;
            if self.skip > 0 {
                return None;
            }
        }
        let buf = &self.buf[..self.len];
        if buf.len() < 2 {
            return None;
        }
        let (fin, opcode) = (buf[0] & 0x80 != 0, buf[0] & 0x0f);
        // No extension was agreed (RSV bits) and a client must mask what it sends.
        if buf[0] & 0x70 != 0 || buf[1] & 0x80 == 0 {
            return Some(Heard::Broken(CLOSE_PROTOCOL_ERROR));
        }
        let (len_size, len) = match buf[1] & 0x7f {
            126 if buf.len() >= 4 => (2, u64::from(u16::from_be_bytes([buf[2], buf[3]]))),
            127 if buf.len() >= 10 => (8, u64::from_be_bytes(buf[2..10].try_into().ok()?)),
            126 | 127 => return None,
            n => (0, u64::from(n)),
        };
        let head = 2 + len_size + 4;
        if buf.len() < head {
            return None;
        }
        match opcode {
            OP_CONTINUATION | OP_TEXT | OP_BINARY => {
                if len > MAX_MESSAGE {
                    return Some(Heard::Broken(CLOSE_TOO_BIG));
                }
                self.consume(head);
                self.skip = len;
                Some(Heard::Alive)
            }
            OP_CLOSE | OP_PING | OP_PONG => {
                if !fin || len > 125 {
                    return Some(Heard::Broken(CLOSE_PROTOCOL_ERROR));
                }
                let len = len as usize;
                if buf.len() < head + len {
                    return None;
                }
                let mask = [buf[head - 4], buf[head - 3], buf[head - 2], buf[head - 1]];
                let payload: Vec<u8> = buf[head..head + len].iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
                self.consume(head + len);
                Some(match opcode {
                    OP_PING => Heard::Ping(payload),
                    OP_PONG => Heard::Alive,
                    _ => Heard::Close,
                })
            }
            _ => Some(Heard::Broken(CLOSE_PROTOCOL_ERROR)),
        }
    }

    fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client's frame: masked with `mask`.
    fn masked(first: u8, payload: &[u8], mask: [u8; 4]) -> Vec<u8> {
        let mut frame = vec![first];
        match payload.len() {
            n @ 0..=125 => frame.push(0x80 | n as u8),
            n @ 126..=0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        frame
    }

    /// Feeds `bytes` in pieces of `step`, as reads would bring them; what was heard.
    fn hear(bytes: &[u8], step: usize) -> Vec<Heard> {
        let mut received = Received::default();
        let mut heard = Vec::new();
        for piece in bytes.chunks(step) {
            let mut piece = piece;
            while !piece.is_empty() {
                let n = piece.len().min(READ_BUFFER - received.len);
                received.buf[received.len..received.len + n].copy_from_slice(&piece[..n]);
                received.len += n;
                piece = &piece[n..];
                while let Some(h) = received.take() {
                    let stop = matches!(h, Heard::Broken(_));
                    heard.push(h);
                    if stop {
                        return heard;
                    }
                }
            }
        }
        heard
    }

    #[test]
    fn a_peers_frames_are_heard_whole_however_they_arrive() {
        let mut bytes = masked(0x89, b"are you there", [1, 2, 3, 4]);
        bytes.extend(masked(0x8a, b"", [9, 9, 9, 9]));
        // A message is passed over, also one larger than the buffer, in two fragments.
        bytes.extend(masked(0x01, &[b'x'; 3000], [5, 6, 7, 8]));
        bytes.extend(masked(0x80, &[b'y'; 70], [5, 6, 7, 8]));
        bytes.extend(masked(0x88, &[0x03, 0xe9, b'b', b'y', b'e'], [0xff, 0, 0xff, 0]));
        let expected =
            vec![Heard::Ping(b"are you there".to_vec()), Heard::Alive, Heard::Alive, Heard::Alive, Heard::Close];
        for step in [1, 7, 64, 10_000] {
            assert_eq!(hear(&bytes, step), expected, "read {step} bytes at a time");
        }
    }

    #[test]
    fn what_the_protocol_forbids_is_broken() {
        let unmasked = b"\x81\x02hi".to_vec();
        assert_eq!(hear(&unmasked, 100), vec![Heard::Broken(CLOSE_PROTOCOL_ERROR)]);
        let mut compressed = masked(0x81, b"hi", [1, 1, 1, 1]);
        compressed[0] |= 0x40;
        assert_eq!(hear(&compressed, 100), vec![Heard::Broken(CLOSE_PROTOCOL_ERROR)]);
        let fragmented_ping = masked(0x09, b"", [1, 1, 1, 1]);
        assert_eq!(hear(&fragmented_ping, 100), vec![Heard::Broken(CLOSE_PROTOCOL_ERROR)]);
        let unknown = masked(0x83, b"", [1, 1, 1, 1]);
        assert_eq!(hear(&unknown, 100), vec![Heard::Broken(CLOSE_PROTOCOL_ERROR)]);
        let too_big = masked(0x82, &vec![0; MAX_MESSAGE as usize + 1], [1, 1, 1, 1]);
        assert_eq!(hear(&too_big, 100), vec![Heard::Broken(CLOSE_TOO_BIG)]);
    }

    /// RFC 6455's own example (section 1.3).
    #[test]
    fn the_accept_key_is_the_rfcs() {
        assert_eq!(accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn frames_carry_their_length_in_the_shortest_form() {
        assert_eq!(Outgoing::text("hi").bytes(), b"\x81\x02hi");
        let medium = "a".repeat(300);
        assert_eq!(&Outgoing::text(&medium).bytes()[..4], &[0x81, 126, 1, 44]);
        let large = "a".repeat(70_000);
        let frame = Outgoing::text(&large);
        assert_eq!(&frame.bytes()[..10], &[0x81, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
        assert_eq!(frame.bytes().len(), 70_010);
    }

    #[test]
    fn a_close_reason_is_cut_at_a_character_to_fit() {
        let frame = Outgoing::close(1000, &"ї".repeat(100));
        let bytes = frame.bytes();
        assert_eq!(bytes[0], 0x88);
        assert!(bytes[1] <= 125);
        assert_eq!(&bytes[2..4], &1000u16.to_be_bytes());
        assert!(std::str::from_utf8(&bytes[4..]).is_ok());
    }
}
