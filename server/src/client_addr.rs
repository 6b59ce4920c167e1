//! The address a request comes from: the connection's peer, or, behind a reverse proxy
//! the configuration names (`--trusted-proxy-header`), the address that proxy reports.
//! Throttles and rate limits count per address.

use crate::error::AppError;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Where a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// From the trusted proxy's header (the last address in it: the one our proxy
    /// added; earlier ones the client may have written itself), else the peer.
    pub fn of(parts: &Parts, trusted_header: Option<&str>) -> ClientAddr {
        let proxied = trusted_header
            .and_then(|name| parts.headers.get(name))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        ClientAddr(proxied.or(peer).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)))
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(parts, state.config.trusted_proxy_header.as_deref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(forwarded: Option<&str>, peer: Option<&str>) -> Parts {
        let mut request = Request::builder();
        if let Some(f) = forwarded {
            request = request.header("x-forwarded-for", f);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        if let Some(p) = peer {
            parts.extensions.insert(ConnectInfo::<SocketAddr>(p.parse().unwrap()));
        }
        parts
    }

    #[test]
    fn the_proxy_header_counts_only_when_trusted() {
        let p = parts(Some("1.1.1.1, 203.0.113.7"), Some("10.0.0.2:5000"));
        assert_eq!(ClientAddr::of(&p, None).to_string(), "10.0.0.2", "a header anyone can send is ignored");
        assert_eq!(ClientAddr::of(&p, Some("x-forwarded-for")).to_string(), "203.0.113.7", "the proxy's own entry");
        let bad = parts(Some("not an address"), Some("10.0.0.2:5000"));
        assert_eq!(ClientAddr::of(&bad, Some("x-forwarded-for")).to_string(), "10.0.0.2");
    }
}
