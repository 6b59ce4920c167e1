//! WhatsApp (the Cloud API) as a channel: administrators connect a business phone number
//! on the Integrations page ([`integrations`]) and enter the callback address and verify
//! token it shows in Meta's App Dashboard; clients' messages and our messages' statuses
//! arrive at the webhook ([`webhook`]); operators' answers leave through the outbox
//! ([`crate::outbox`] calling [`deliver`]) within WhatsApp's 24 hours, and approved
//! templates ([`templates`]) at any time.

pub mod api;
pub mod deliver;
pub mod format;
pub mod integrations;
pub mod payload;
pub mod store;
pub mod templates;
pub mod webhook;

use crate::error::AppResult;
use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    integrations::router().merge(webhook::router()).merge(templates::router())
}

/// Forgets message ids older than a week (Meta retries for up to seven days).
pub async fn prune_messages(state: &AppState) -> AppResult<usize> {
    let before = crate::db::now_ms() - 8 * 24 * 60 * 60 * 1000;
    state.db.run(move |conn| store::prune_messages(conn, before)).await
}
