//! `/api/dialogs/{id}/whatsapp-templates`: the approved templates of the WhatsApp number
//! a dialog's client writes to (`GET`), and sending one (`POST`), the only way to reach
//! the client more than 24 hours after they last wrote. Whoever may write in the dialog
//! may send one; the template is checked against the business account's list and its
//! values against what WhatsApp takes before anything is stored.

use super::store::{self as numbers, Number};
use crate::auth::CurrentUser;
use crate::dialogs::store::{self as dialogs, NewAuthor};
use crate::dialogs::{require_writer, visible_dialog};
use crate::error::{AppError, AppResult};
use crate::outbox::store::destination;
use crate::validate;
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use el_protocol::api::Message;
use el_protocol::templates::{SendTemplate, TemplateCall, WhatsAppTemplate};
use el_protocol::DialogId;

pub fn router() -> Router<AppState> {
    Router::new().route("/dialogs/{id}/whatsapp-templates", get(list).post(send))
}

/// The number of dialog `id`, and its business account, for a user who may write there.
async fn number_of_dialog(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(Number, String)> {
    let user = user.clone();
    state
        .db
        .run(move |conn| {
            let dialog = visible_dialog(conn, DialogId(id), &user)?;
            require_writer(conn, &dialog, &user)?;
            let (channel, _) = destination(conn, dialog.id)?;
            let number = numbers::number_of_channel(conn, channel)?;
            let found = number.zip(numbers::waba_of(conn, channel)?);
            found
                .ok_or_else(|| AppError::BadRequest("Templates are WhatsApp's: this client is not on WhatsApp.".into()))
        })
        .await
}

/// The approved templates of the business account, as Meta lists them now.
async fn approved(state: &AppState, number: &Number, waba_id: &str) -> AppResult<Vec<WhatsAppTemplate>> {
    state.graph_api.templates(&number.token, waba_id).await.map_err(|f| match f {
        f if f.token_refused() => AppError::BadGateway(
            "Meta no longer accepts the number's access token: an administrator must connect it again.".into(),
        ),
        f => AppError::BadGateway(format!("WhatsApp's templates could not be listed: {f}")),
    })
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<WhatsAppTemplate>>> {
    let (number, waba_id) = number_of_dialog(&state, &user, id).await?;
    Ok(Json(approved(&state, &number, &waba_id).await?))
}

async fn send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<SendTemplate>,
) -> AppResult<Json<Message>> {
    let key = validate::client_msg_id(&body.client_msg_id)?;
    let (number, waba_id) = number_of_dialog(&state, &user, id).await?;
    let template = approved(&state, &number, &waba_id)
        .await?
        .into_iter()
        .find(|t| t.name == body.name && t.language == body.language)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "There is no approved template “{}” ({}) for this number.",
                body.name, body.language
            ))
        })?;
    let params: Vec<String> = body.params.iter().map(|p| p.trim().to_string()).collect();
    if let Some(problem) = template.params_problem(&params) {
        return Err(AppError::BadRequest(problem));
    }
    let text = template.message_text(&params);
    let call = TemplateCall { name: template.name, language: template.language, params };
    let call = serde_json::to_string(&call).map_err(|e| AppError::Internal(e.to_string()))?;
    let added = state
        .db
        .transaction(move |tx| {
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            require_writer(tx, &dialog, &user)?;
            dialogs::add_message(tx, dialog.id, NewAuthor::Template(user.id(), call), &text, Some(&key), &[])
        })
        .await?;
    if let Some(seq) = added.seq {
        state.hub.published(seq);
    }
    Ok(Json(added.message))
}
