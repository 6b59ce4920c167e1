//! Embedding in a host web app (the Space). An administrator creates an API key for the
//! host's backend (`/api/api-keys`), naming the host origins whose pages may embed; that
//! backend asks for a short-lived embed session for one of our users
//! (`POST /api/embed/sessions`, server to server); the host's page hands its token to
//! the embedded components, which call the API and open sockets as that user, with
//! exactly the user's rights. Revoking the key ends its sessions at once.

pub mod store;

use crate::auth::{bearer, CurrentUser};
use crate::db::now_ms;
use crate::error::{AppError, AppResult};
use crate::throttle::RateLimit;
use crate::tokens::{new_token, token_hash};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::routing::{get, post};
use axum::{Json, Router};
use el_protocol::embed::{
    origin, ApiKey, ApiKeyInput, EmbedSession, EmbedSessionRequest, NewApiKey, DEFAULT_EMBED_SECONDS, EMBED_SECONDS,
    KEY_PREFIX, MAX_API_KEYS, MAX_KEY_NAME_CHARS, MAX_KEY_ORIGINS,
};
use std::time::{Duration, Instant};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api-keys", get(list).post(create))
        .route("/api-keys/{id}/revoke", post(revoke))
        .route("/embed/sessions", post(open_session))
}

/// How fast each key may open embed sessions: `per_minute`.
pub fn session_limit(per_minute: u32) -> RateLimit {
    RateLimit::new(per_minute, Duration::from_secs(60))
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<Vec<ApiKey>>> {
    user.require_admin()?;
    Ok(Json(state.db.read(store::keys).await?))
}

/// `input` with its name trimmed and its origins written one way, or why it cannot be.
fn checked(input: ApiKeyInput) -> AppResult<ApiKeyInput> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(AppError::BadRequest("Give the key a name, such as the app that uses it.".into()));
    }
    if name.chars().count() > MAX_KEY_NAME_CHARS {
        return Err(AppError::BadRequest(format!("A key's name has at most {MAX_KEY_NAME_CHARS} characters.")));
    }
    let mut origins = Vec::new();
    for text in input.origins.iter().filter(|o| !o.trim().is_empty()) {
        let origin = origin(text).map_err(AppError::BadRequest)?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    if origins.is_empty() {
        return Err(AppError::BadRequest(
            "Name at least one origin whose pages may embed, such as https://space.example.com.".into(),
        ));
    }
    if origins.len() > MAX_KEY_ORIGINS {
        return Err(AppError::BadRequest(format!("A key allows at most {MAX_KEY_ORIGINS} origins.")));
    }
    Ok(ApiKeyInput { name, origins })
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(input): Json<ApiKeyInput>,
) -> AppResult<Json<NewApiKey>> {
    user.require_admin()?;
    let input = checked(input)?;
    let (secret, hint, hash) = new_secret();
    let key = state
        .db
        .transaction(move |tx| {
            if store::count(tx)? >= MAX_API_KEYS {
                return Err(AppError::Conflict(format!("At most {MAX_API_KEYS} API keys can be kept.")));
            }
            store::insert(tx, &input, &hash, &hint, user.id(), now_ms())
        })
        .await?;
    tracing::info!(key = key.id, name = %key.name, "API key created");
    Ok(Json(NewApiKey { key, secret }))
}

/// A new key's secret, the hint that tells it apart, and the hash that is stored.
pub fn new_secret() -> (String, String, String) {
    let secret = format!("{KEY_PREFIX}{}", new_token());
    let hint = format!("{}…", &secret[..KEY_PREFIX.len() + 6]);
    let hash = token_hash(&secret);
    (secret, hint, hash)
}

async fn revoke(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Json<ApiKey>> {
    user.require_admin()?;
    let key = state.db.transaction(move |tx| store::revoke(tx, id, now_ms())).await?;
    // Sockets of its sessions close.
    state.hub.rights_changed();
    tracing::info!(key = key.id, "API key revoked");
    Ok(Json(key))
}

/// `POST /api/embed/sessions`: the host's backend, with its API key as the bearer,
/// opens an embed session for one of our users.
async fn open_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<EmbedSessionRequest>,
) -> AppResult<Json<EmbedSession>> {
    if headers.contains_key(header::ORIGIN) {
        return Err(AppError::Forbidden(
            "API keys belong on your server: ask for embed sessions from your backend, never from a web page.".into(),
        ));
    }
    let secret = bearer(&headers)
        .filter(|s| s.starts_with(KEY_PREFIX))
        .ok_or_else(|| AppError::Unauthorized("Send an API key as \"Authorization: Bearer elk_…\".".into()))?;
    let secret_hash = token_hash(secret);
    // Counted per valid key only, so made-up keys cannot use up anyone's allowance.
    let key = state
        .db
        .read(move |conn| store::active_key(conn, &secret_hash))
        .await?
        .ok_or_else(|| AppError::Unauthorized("This API key is not valid or was revoked.".into()))?;
    state.embed_sessions.hit(&key.to_string(), Instant::now()).map_err(|wait| {
        AppError::TooManyRequests(format!(
            "This key opened too many embed sessions. Try again in {} seconds.",
            wait.as_secs().max(1)
        ))
    })?;
    let seconds = body.seconds.unwrap_or(DEFAULT_EMBED_SECONDS);
    if !EMBED_SECONDS.contains(&seconds) {
        return Err(AppError::BadRequest(format!(
            "An embed session lasts from {} to {} seconds.",
            EMBED_SECONDS.start(),
            EMBED_SECONDS.end()
        )));
    }
    let login = body.login.trim().to_string();
    if login.is_empty() || login.chars().count() > 100 {
        return Err(AppError::BadRequest("Name the user by their login.".into()));
    }
    let token = new_token();
    let session_hash = token_hash(&token);
    let (user_id, expires_at) = state
        .db
        .transaction(move |tx| {
            // Revoked meanwhile?
            if !store::is_active(tx, key)? {
                return Err(AppError::Unauthorized("This API key is not valid or was revoked.".into()));
            }
            let user = store::user_by_login(tx, &login)?
                .ok_or_else(|| AppError::NotFound(format!("No user signs in as \"{login}\".")))?;
            let now = now_ms();
            let expires_at = now + i64::from(seconds) * 1000;
            store::open_session(tx, key, user.id(), &session_hash, now, expires_at)?;
            Ok((user.id(), expires_at))
        })
        .await?;
    Ok(Json(EmbedSession { token, user_id, expires_at }))
}
