//! Accepting connections: each is served by hyper with a timer, so a client that does
//! not send a request's head within [`HEADER_READ_TIMEOUT`] (a stalled or idle keep-alive
//! connection included) is closed; at most `--max-connections-per-address` connections
//! from one address are open at once, the rest are closed at once; `TCP_NODELAY` is set
//! so frames leave without waiting for the peer's delayed acknowledgement.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// How long a client may take to send a request's head (and a keep-alive connection
/// may stay idle).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// Open connections per address.
#[derive(Clone, Default)]
struct Open(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One open connection, counted until dropped.
struct Counted {
    open: Open,
    addr: IpAddr,
}

impl Open {
    /// Counts a connection from `addr`, unless `cap` are open already.
    fn admit(&self, addr: IpAddr, cap: Option<usize>) -> Option<Counted> {
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.entry(addr).or_insert(0);
        if cap.is_some_and(|cap| *n >= cap) {
            return None;
        }
        *n += 1;
        Some(Counted { open: self.clone(), addr })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.addr) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.addr);
            }
        }
    }
}

/// Serves `app` on `listener` until `stop` resolves, then waits for the requests in
/// flight. `per_address`: the most connections one address may hold open.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    per_address: Option<usize>,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let open = Open::default();
    // Connections watch `closing` and finish what they serve when it turns true; each
    // holds a `done` receiver, so `done.closed()` resolves once all have ended.
    let (closing, _) = tokio::sync::watch::channel(false);
    let (done, _) = tokio::sync::watch::channel(());
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, go on.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let Some(counted) = open.admit(peer.ip(), per_address) else {
            tracing::warn!(peer = %peer.ip(), "too many connections from one address: refused");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = app.clone().map_request(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let (mut closing, done) = (closing.subscribe(), done.subscribe());
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            loop {
                tokio::select! {
                    ended = connection.as_mut() => {
                        if let Err(e) = ended {
                            tracing::debug!(error = %e, "connection ended");
                        }
                        break;
                    }
                    _ = closing.changed() => connection.as_mut().graceful_shutdown(),
                }
            }
            drop((counted, done));
        });
    }
    drop(listener);
    closing.send_replace(true);
    done.closed().await;
    Ok(())
}

/// Raises this process's limit of open files to the most allowed, so that thousands of
/// sockets fit (the usual soft limit is 1,024).
pub fn raise_open_files_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_per_address_are_capped_and_released() {
        let open = Open::default();
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        let first = open.admit(a, Some(2)).unwrap();
        let _second = open.admit(a, Some(2)).unwrap();
        assert!(open.admit(a, Some(2)).is_none(), "the third is refused");
        assert!(open.admit(b, Some(2)).is_some(), "per address");
        drop(first);
        assert!(open.admit(a, Some(2)).is_some(), "a closed one frees its place");
        assert!(open.admit(a, None).is_some(), "no cap");
    }
}
