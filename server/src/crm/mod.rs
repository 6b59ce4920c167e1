//! `/api/crm`: lists and cards of leads, contacts, companies and deals, lead
//! conversion, a card's dialog block; and `/api/dialogs/{id}/crm`: the chat's CRM
//! connections. Every call is checked against the caller's role (see `el_protocol::crm`).

pub mod connections;
pub mod store;

use crate::auth::CurrentUser;
use crate::dialogs::visible_dialog;
use crate::error::{AppError, AppResult};
use crate::sql::Connection;
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use el_protocol::api::DialogSummary;
use el_protocol::crm::{Connections, Convert, Entity, LinkRecord, ListQuery, NewDeal, Record, RecordInput, RecordList};
use el_protocol::{DialogId, RecordId, Seq};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/crm/{entity}", get(list).post(create))
        .route("/crm/{entity}/{id}", get(card).put(update))
        .route("/crm/{entity}/{id}/convert", post(convert))
        .route("/crm/{entity}/{id}/dialogs", get(dialogs))
        .route("/dialogs/{id}/crm", get(chat_connections))
        .route("/dialogs/{id}/crm/open", post(open_connections))
        .route("/dialogs/{id}/crm/lead", post(create_lead))
        .route("/dialogs/{id}/crm/deals", post(create_deal))
        .route("/dialogs/{id}/crm/link", post(link))
}

fn entity(name: &str) -> AppResult<Entity> {
    Entity::parse(name).ok_or_else(|| AppError::NotFound("No such kind of CRM record.".into()))
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> AppResult<Json<RecordList>> {
    let entity = entity(&name)?;
    let Query(query) = query.map_err(|e| AppError::BadRequest(e.body_text()))?;
    Ok(Json(state.db.run(move |conn| store::list(conn, &user, entity, &query)).await?))
}

async fn card(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((name, id)): Path<(String, i64)>,
) -> AppResult<Json<Record>> {
    let entity = entity(&name)?;
    Ok(Json(state.db.run(move |conn| store::card(conn, &user, entity, RecordId(id))).await?))
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    Json(input): Json<RecordInput>,
) -> AppResult<Json<Record>> {
    let entity = entity(&name)?;
    let record = state
        .db
        .transaction(move |tx| {
            let id = store::create(tx, &user, entity, input, None)?;
            // A role that creates without viewing (seed case 3) gets back what it typed.
            store::card(tx, &user, entity, id).or_else(|_| store::bare(tx, id))
        })
        .await?;
    Ok(Json(record))
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((name, id)): Path<(String, i64)>,
    Json(input): Json<RecordInput>,
) -> AppResult<Json<Record>> {
    let entity = entity(&name)?;
    let (seq, record) = state
        .db
        .transaction(move |tx| {
            let seq = store::update(tx, &user, entity, RecordId(id), input)?;
            // A user who handed the record to someone else may no longer see it.
            Ok((seq, store::card(tx, &user, entity, RecordId(id)).ok()))
        })
        .await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    record.map(Json).ok_or_else(|| {
        AppError::Forbidden(format!(
            "Saved. The {} now belongs to someone you cannot see.",
            entity.label().to_lowercase()
        ))
    })
}

async fn convert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((name, id)): Path<(String, i64)>,
    Json(body): Json<Convert>,
) -> AppResult<Json<Record>> {
    if entity(&name)? != Entity::Lead {
        return Err(AppError::BadRequest("Only leads can be converted.".into()));
    }
    let (seq, lead) = state
        .db
        .transaction(move |tx| {
            let (_, seq) = store::convert(tx, &user, RecordId(id), body.contact, body.company)?;
            Ok((seq, store::card(tx, &user, Entity::Lead, RecordId(id))?))
        })
        .await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    Ok(Json(lead))
}

async fn dialogs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((name, id)): Path<(String, i64)>,
) -> AppResult<Json<Vec<DialogSummary>>> {
    let entity = entity(&name)?;
    Ok(Json(state.db.run(move |conn| store::dialogs(conn, &user, entity, RecordId(id))).await?))
}

/// Runs a change of a chat's connections in one transaction (the dialog must be one the
/// user may open), wakes sockets, and answers the connections as they are now.
async fn change<F>(state: AppState, user: CurrentUser, id: i64, change: F) -> AppResult<Json<Connections>>
where
    F: FnOnce(&Connection, &CurrentUser, &DialogSummary) -> AppResult<Option<Seq>> + Send + 'static,
{
    let (seq, connections) = state
        .db
        .transaction(move |tx| {
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            let seq = change(tx, &user, &dialog)?;
            let dialog = visible_dialog(tx, DialogId(id), &user)?;
            Ok((seq, connections::connections(tx, &user, &dialog)?))
        })
        .await?;
    if let Some(seq) = seq {
        state.hub.published(seq);
    }
    Ok(Json(connections))
}

async fn chat_connections(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Connections>> {
    change(state, user, id, |_, _, _| Ok(None)).await
}

async fn open_connections(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Connections>> {
    change(state, user, id, connections::open).await
}

async fn create_lead(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Connections>> {
    change(state, user, id, |tx, user, dialog| connections::create_lead(tx, user, dialog).map(Some)).await
}

async fn create_deal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(deal): Json<NewDeal>,
) -> AppResult<Json<Connections>> {
    change(state, user, id, move |tx, user, dialog| connections::create_deal(tx, user, dialog, deal).map(Some)).await
}

async fn link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(body): Json<LinkRecord>,
) -> AppResult<Json<Connections>> {
    change(state, user, id, move |tx, user, dialog| connections::link(tx, user, dialog, body).map(Some)).await
}
