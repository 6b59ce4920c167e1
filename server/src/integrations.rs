//! `GET /api/integrations`: every messenger's bots for administrators, each connected
//! one with what keeps it from working, as its messenger says.

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::{telegram, viber, whatsapp, AppState};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use el_protocol::integrations::IntegrationsOverview;

pub fn router() -> Router<AppState> {
    Router::new().route("/integrations", get(overview))
}

async fn overview(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<IntegrationsOverview>> {
    user.require_admin()?;
    let (telegram, viber, whatsapp) = tokio::join!(
        telegram::integrations::listed(&state),
        viber::integrations::listed(&state),
        whatsapp::integrations::listed(&state)
    );
    Ok(Json(IntegrationsOverview {
        telegram: telegram?,
        viber: viber?,
        whatsapp: whatsapp?,
        public_url: state.config.public_address(),
    }))
}
