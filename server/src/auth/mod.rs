//! Sign-in with a password (argon2), sessions in an HttpOnly SameSite cookie, and the
//! extractors every protected endpoint uses to know who is calling and what they may do.

pub mod store;

pub use store::CurrentUser;

use crate::client_addr::ClientAddr;
use crate::db::{now_ms, Db};
use crate::error::{AppError, AppResult};
use crate::throttle::Backoff;
use crate::tokens::{new_token, random_bytes, token_hash};
use crate::AppState;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use el_protocol::api::{LoginRequest, Me, UserSettings};
use el_protocol::UserId;
use std::time::Duration;

/// Longest login and password accepted (a longer one is refused before any work).
const MAX_LOGIN_CHARS: usize = 100;
const MAX_PASSWORD_BYTES: usize = 1024;

/// Failed sign-ins, counted per address and login and per address over all logins.
/// After the free ones each attempt waits longer (1 s, 2 s, 4 s... up to 15 minutes),
/// and only for that address: nobody can lock a colleague out from elsewhere. The
/// counts are in the database, so every instance on it counts together.
pub struct SignInThrottle {
    by_login: Backoff,
    by_address: Backoff,
}

impl Default for SignInThrottle {
    fn default() -> Self {
        let longest = Duration::from_secs(15 * 60);
        SignInThrottle { by_login: Backoff { free: 4, longest }, by_address: Backoff { free: 30, longest } }
    }
}

impl SignInThrottle {
    fn keys(addr: ClientAddr, login: &str) -> (String, String) {
        (format!("login {addr} {}", login.to_lowercase()), format!("address {addr}"))
    }

    /// `Err(wait)` while sign-ins for `login` from `addr` must wait.
    pub async fn check(&self, db: &Db, addr: ClientAddr, login: &str) -> AppResult<Result<(), Duration>> {
        let (login_key, address_key) = Self::keys(addr, login);
        let (by_login, by_address) = db
            .read(move |conn| {
                Ok((store::sign_in_failures(conn, &login_key)?, store::sign_in_failures(conn, &address_key)?))
            })
            .await?;
        let now = now_ms();
        Ok(match (self.by_login.check(by_login, now), self.by_address.check(by_address, now)) {
            (Ok(()), Ok(())) => Ok(()),
            (a, b) => Err(a.err().unwrap_or_default().max(b.err().unwrap_or_default())),
        })
    }

    pub async fn failed(&self, db: &Db, addr: ClientAddr, login: &str) -> AppResult<()> {
        let (login_key, address_key) = Self::keys(addr, login);
        let (by_login, by_address) = (self.by_login, self.by_address);
        db.transaction(move |tx| {
            let now = now_ms();
            for (key, backoff) in [(login_key, by_login), (address_key, by_address)] {
                let count = backoff.failed(store::sign_in_failures(tx, &key)?, now);
                store::set_sign_in_failures(tx, &key, count, now)?;
            }
            Ok(())
        })
        .await
    }

    pub async fn succeeded(&self, db: &Db, addr: ClientAddr, login: &str) -> AppResult<()> {
        let (login_key, _) = Self::keys(addr, login);
        db.transaction(move |tx| store::sign_in_succeeded(tx, &login_key)).await
    }

    /// Forgets failures long quiet (they count from zero again anyway); how many keys went.
    pub async fn forget_old(&self, db: &Db) -> AppResult<usize> {
        let before = now_ms() - self.by_login.forget_after_ms().max(self.by_address.forget_after_ms());
        db.transaction(move |tx| store::forget_sign_in_failures(tx, before)).await
    }
}

/// "N seconds" or "N minutes", rounded up.
fn wait_words(wait: std::time::Duration) -> String {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let (n, unit) = if secs < 60 { (secs, "second") } else { (secs.div_ceil(60), "minute") };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "el_session";

/// Routes under `/api/auth` and `/api/me`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/me/settings", put(update_settings))
}

/// Hashes a password for storage.
pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing password: {e}")))
}

fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

impl CurrentUser {
    /// The user as `GET /api/me` describes them, with the server's upload limits.
    pub fn me(self, state: &AppState) -> Me {
        let limits = state.config.upload_limits();
        Me {
            user: self.user,
            role: self.role,
            access: self.access,
            settings: self.settings,
            limits,
            presence: self.presence,
        }
    }

    pub fn id(&self) -> UserId {
        self.user.id
    }

    /// Refuses everyone but administrators.
    pub fn require_admin(&self) -> AppResult<()> {
        if self.access.admin {
            Ok(())
        } else {
            Err(AppError::Forbidden("Only administrators can do this.".into()))
        }
    }

    /// Refuses users whose role gives no access to External Lines (seed case 2).
    pub fn require_lines(&self) -> AppResult<()> {
        if self.access.has_lines() {
            Ok(())
        } else {
            Err(AppError::Forbidden("Your role has no access to External Lines.".into()))
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or_else(|| AppError::Unauthorized("Please sign in.".into()))?;
        user_for_token(state, &token).await
    }
}

/// The token after `Authorization: Bearer `, if the request has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty())
}

/// The caller's session token: an embed session's bearer token, else the cookie's.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    bearer(headers)
        .map(str::to_string)
        .or_else(|| CookieJar::from_headers(headers).get(SESSION_COOKIE).map(|c| c.value().to_string()))
}

/// The user holding the unexpired session of `token`.
pub async fn user_for_token(state: &AppState, token: &str) -> AppResult<CurrentUser> {
    let hash = token_hash(token);
    state
        .db
        .read(move |conn| store::user_for_session(conn, &hash, now_ms()))
        .await?
        .ok_or_else(|| AppError::Unauthorized("Your session has ended. Please sign in again.".into()))
}

async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    jar: CookieJar,
    Json(body): Json<LoginRequest>,
) -> AppResult<(CookieJar, Json<Me>)> {
    let login = body.login.trim().to_string();
    if login.is_empty() || body.password.is_empty() {
        return Err(AppError::BadRequest("Enter your login and password.".into()));
    }
    if login.chars().count() > MAX_LOGIN_CHARS || body.password.len() > MAX_PASSWORD_BYTES {
        return Err(AppError::BadRequest("The login or the password is too long.".into()));
    }
    let key = login.clone();
    if let Err(wait) = state.sign_in_failures.check(&state.db, addr, &key).await? {
        return Err(AppError::TooManyRequests(format!("Too many failed sign-ins. Try again in {}.", wait_words(wait))));
    }
    let token = new_token();
    let hash = token_hash(&token);
    let days = i64::from(state.config.session_days);
    let user = check_password(&state, login, body.password, hash, days).await;
    let user = match user {
        Ok(user) => user,
        Err(e) => {
            if matches!(e, AppError::Unauthorized(_)) {
                state.sign_in_failures.failed(&state.db, addr, &key).await?;
            }
            return Err(e);
        }
    };
    state.sign_in_failures.succeeded(&state.db, addr, &key).await?;
    tracing::info!(user = %user.user.login, "signed in");
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path(state.config.cookie_path().to_string())
        .max_age(cookie::time::Duration::days(days))
        .build();
    Ok((jar.add(cookie), Json(user.me(&state))))
}

/// Password checks running at once: argon2 is deliberately slow, and a flood of
/// sign-ins must leave the other core to everyone else.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Checks `password` for `login` (argon2 on a blocking thread, holding no database
/// connection) and, when right, opens a session stored under `session_hash`.
async fn check_password(
    state: &AppState,
    login: String,
    password: String,
    session_hash: String,
    days: i64,
) -> AppResult<CurrentUser> {
    let found = state.db.read(move |conn| store::password_of(conn, &login)).await?;
    // Verify against a fixed hash when the login is unknown, so timing does not tell
    // which logins exist.
    let (id, stored) = found.map_or_else(|| (None, dummy_hash().to_string()), |(id, hash)| (Some(id), hash));
    let permit = HASHING.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let right = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .map_err(|e| AppError::Internal(format!("password check: {e}")))?;
    drop(permit);
    let Some(id) = id.filter(|_| right) else {
        return Err(AppError::Unauthorized("Wrong login or password.".into()));
    };
    state
        .db
        .transaction(move |tx| {
            let now = now_ms();
            store::open_session(tx, id, &session_hash, now, now + days * 86_400_000)
        })
        .await
}

/// A valid argon2 hash of a random password, so refusing an unknown login costs the
/// same time as refusing a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

async fn logout(State(state): State<AppState>, jar: CookieJar) -> AppResult<CookieJar> {
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        state.db.transaction(move |tx| store::end_session(tx, &token_hash(&token))).await?;
        // Its sockets close.
        state.hub.rights_changed();
    }
    Ok(jar.remove(Cookie::build((SESSION_COOKIE, "")).path(state.config.cookie_path().to_string()).build()))
}

async fn me(State(state): State<AppState>, user: CurrentUser) -> Json<Me> {
    Json(user.me(&state))
}

async fn update_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(settings): Json<UserSettings>,
) -> AppResult<Json<Me>> {
    let id = user.id();
    let updated = state
        .db
        .run(move |conn| store::save_settings(conn, id, &settings))
        .await?
        .ok_or_else(|| AppError::Unauthorized("Please sign in.".into()))?;
    Ok(Json(updated.me(&state)))
}
