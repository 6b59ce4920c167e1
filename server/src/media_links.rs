//! `GET /api/media/{key}/{id}/{signature}/{name}`: where messengers that take files only
//! by address (Viber, WhatsApp) fetch the files operators send. The signature is an
//! HMAC of the file's id with the channel's own secret, so an address opens one file,
//! and only a file of an operator's answer in that channel's own chats; the name is
//! there for the messenger, which reads the type from it.

use crate::error::{AppError, AppResult};
use crate::files;
use crate::outbox::carrier::Carrier;
use crate::tokens::{signature, signed};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{key}/{id}/{sig}/{name}", get(file))
}

/// What is signed for file `id`.
fn signed_part(id: &str) -> Vec<u8> {
    format!("file:{id}").into_bytes()
}

/// The address a messenger fetches file `id` (named `name`) from, signed with `secret`
/// (the channel's own) under the channel's webhook key.
pub fn address(public: &str, key: &str, secret: &str, id: &str, name: &str) -> String {
    let name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    format!("{public}/api/media/{key}/{id}/{}/{name}", signature(secret, &signed_part(id)))
}

async fn file(
    State(state): State<AppState>,
    Path((key, id, sig, _name)): Path<(String, String, String, String)>,
) -> AppResult<Response> {
    let not_found = || AppError::NotFound("There is no such file.".into());
    let carrier = state.db.run(move |conn| Carrier::by_key(conn, &key)).await?.ok_or_else(not_found)?;
    let secret = carrier.link_secret().ok_or_else(not_found)?;
    if !signed(secret, &signed_part(&id), &sig) {
        return Err(not_found());
    }
    files::messenger_download(&state, carrier.channel_id(), &id).await
}
