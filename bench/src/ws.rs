//! The operator sockets' client side under load, kept cheap: the generator reads
//! 500,000 frames a second on the same two cores as the server, and tungstenite's reader
//! zero-fills its whole read buffer before every read and checks every text as UTF-8
//! (together about a fifth of the generator's CPU in a profile). Frames from a server
//! are never masked, so reading one is a header and a length; pings are answered.

use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Room for a few batches of frames; grows for a larger frame.
const BUFFER: usize = 64 * 1024;

pub struct RawSocket {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
}

impl RawSocket {
    /// Opens the WebSocket at `path` on `127.0.0.1:port`, sending `cookie`.
    pub async fn open(port: u16, path: &str, cookie: &str) -> io::Result<RawSocket> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await?;
        let mut socket = RawSocket { stream, buf: vec![0; BUFFER], start: 0, end: 0 };
        let head_end = loop {
            if let Some(at) = memchr::memmem::find(&socket.buf[..socket.end], b"\r\n\r\n") {
                break at + 4;
            }
            if socket.fill().await? == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed during the handshake"));
            }
        };
        if !socket.buf.starts_with(b"HTTP/1.1 101") {
            let head = String::from_utf8_lossy(&socket.buf[..head_end]).into_owned();
            return Err(io::Error::other(format!("the upgrade was refused: {head}")));
        }
        socket.start = head_end;
        Ok(socket)
    }

    /// Calls `each` with the payload of every complete text frame that has arrived, in
    /// order, waiting for some first if none has; answers pings. `Ok(false)` once the
    /// server closed.
    pub async fn read(&mut self, mut each: impl FnMut(&[u8])) -> io::Result<bool> {
        loop {
            let mut any = false;
            while let Some((opcode, (from, to))) = self.next_frame() {
                any = true;
                match opcode {
                    0x1 => each(&self.buf[from..to]),
                    0x8 => return Ok(false),
                    0x9 => {
                        let ping = self.buf[from..to].to_vec();
                        self.pong(&ping).await?;
                    }
                    0x0 => return Err(io::Error::other("a fragmented message (the server sends whole ones)")),
                    _ => {}
                }
            }
            if any {
                return Ok(true);
            }
            if self.fill().await? == 0 {
                return Ok(false);
            }
        }
    }

    /// The next complete frame's opcode and payload range, taken from the buffer.
    fn next_frame(&mut self) -> Option<(u8, (usize, usize))> {
        let bytes = &self.buf[self.start..self.end];
        if bytes.len() < 2 {
            return None;
        }
        let (opcode, short) = (bytes[0] & 0x0f, (bytes[1] & 0x7f) as usize);
        let (head, len) = match short {
            126 if bytes.len() >= 4 => (4, u16::from_be_bytes([bytes[2], bytes[3]]) as usize),
            127 if bytes.len() >= 10 => (10, u64::from_be_bytes(bytes[2..10].try_into().ok()?) as usize),
            126 | 127 => return None,
            n => (2, n),
        };
        if bytes.len() < head + len {
            // Make room for the rest of a frame larger than the buffer.
            if head + len > self.buf.len() {
                self.buf.resize(head + len, 0);
            }
            return None;
        }
        let payload = (self.start + head, self.start + head + len);
        self.start += head + len;
        Some((opcode, payload))
    }

    /// Reads more into the buffer (first moving what is left to its start).
    async fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            (self.start, self.end) = (0, self.end - self.start);
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n)
    }

    /// A client's frames are masked: with a zero mask the payload stays as it is.
    async fn pong(&mut self, payload: &[u8]) -> io::Result<()> {
        let mut frame = vec![0x8a, 0x80 | payload.len().min(125) as u8, 0, 0, 0, 0];
        frame.extend_from_slice(&payload[..payload.len().min(125)]);
        self.stream.write_all(&frame).await
    }

    /// Says goodbye with a close frame (masked, empty).
    pub async fn close(mut self) {
        let _ = self.stream.write_all(&[0x88, 0x80, 0, 0, 0, 0]).await;
    }
}
