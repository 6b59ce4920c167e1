//! Cross-site request protection: state-changing requests and socket upgrades must
//! come from the server's own origin (or one configured as allowed). Requests without
//! an `Origin` header are not from a browser page and carry no ambient cookies risk.

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;

/// Is the request's origin acceptable?
pub fn check(headers: &HeaderMap, config: &Config) -> AppResult<()> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or_default();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let own = !host.is_empty() && (origin == format!("http://{host}") || origin == format!("https://{host}"));
    if own || config.allowed_origins.iter().any(|o| o.trim_end_matches('/') == origin) {
        Ok(())
    } else {
        tracing::warn!(%origin, %host, "cross-origin request refused");
        Err(AppError::Forbidden("Requests from another site are not allowed.".into()))
    }
}

/// Middleware: checks the origin of every request that can change state.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Result<Response, AppError> {
    if !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        check(request.headers(), &state.config)?;
    }
    Ok(next.run(request).await)
}
