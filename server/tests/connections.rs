//! Connections: one address cannot hold more than its share open, and a request's head
//! must come in time.

mod common;

use common::TestServer;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn answers(stream: &mut TcpStream) -> String {
    stream.write_all(b"GET /api/me HTTP/1.1\r\nHost: test\r\n\r\n").await.unwrap();
    let mut head = [0u8; 64];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut head)).await.unwrap().unwrap();
    String::from_utf8_lossy(&head[..n]).lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn one_address_holds_only_its_share_of_connections() {
    let server = TestServer::start_with(|c| c.max_connections_per_address = 3).await;
    let host = server.host();
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(TcpStream::connect(&host).await.unwrap());
    }
    let mut fourth = TcpStream::connect(&host).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(5), fourth.read(&mut buf)).await.expect("closed at once");
    assert!(matches!(read, Ok(0) | Err(_)), "the fourth connection is closed: {read:?}");
    // A connection that closes frees its place.
    drop(idle.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = TcpStream::connect(&host).await.unwrap();
    assert_eq!(answers(&mut again).await, "HTTP/1.1 401 Unauthorized");
}
