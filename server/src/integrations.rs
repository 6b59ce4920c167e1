//! `GET /api/integrations`: every messenger's bots for administrators, each connected
//! one with what keeps it from working, as its messenger says.

use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::{meta, telegram, viber, whatsapp, AppState};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use el_protocol::api::ChannelKind;
use el_protocol::integrations::IntegrationsOverview;

pub fn router() -> Router<AppState> {
    Router::new().route("/integrations", get(overview))
}

async fn overview(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<IntegrationsOverview>> {
    user.require_admin()?;
    let (telegram, viber, whatsapp, facebook, instagram) = tokio::join!(
        telegram::integrations::listed(&state),
        viber::integrations::listed(&state),
        whatsapp::integrations::listed(&state),
        meta::integrations::listed(&state, ChannelKind::Facebook),
        meta::integrations::listed(&state, ChannelKind::Instagram)
    );
    Ok(Json(IntegrationsOverview {
        telegram: telegram?,
        viber: viber?,
        whatsapp: whatsapp?,
        facebook: facebook?,
        instagram: instagram?,
        public_url: state.config.public_address(),
    }))
}
