//! What the server serves besides the API: the operator SPA (with history fallback),
//! the widget's bundle, its loader script and the demo page, with security headers.

use crate::demo::DEMO_WIDGET_KEY;
use crate::error::AppResult;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use rusqlite::OptionalExtension;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Routes for the widget's files and pages, framable by any site.
pub fn widget_router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/widget/loader.js", get(loader))
        .route("/widget/demo", get(demo_page))
        .nest_service("/widget/app", ServeDir::new(&state.config.widget_dir))
}

/// The SPA: files from its dist, and `index.html` for every other path so the
/// client-side router handles deep links. The SPA may not be framed.
pub fn spa_service(state: &AppState) -> Router<AppState> {
    let dir = &state.config.spa_dir;
    let spa = ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")));
    Router::new()
        .fallback_service(spa)
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
}

async fn loader() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        include_str!("../assets/loader.js"),
    )
}

/// A plain page with the widget on it, as a customer's website would have it.
async fn demo_page(State(state): State<AppState>) -> AppResult<Html<String>> {
    let key: Option<String> = state
        .db
        .run(|conn| {
            Ok(conn
                .query_row(
                    "SELECT public_key FROM channels WHERE kind = 'widget' AND public_key IS NOT NULL
                     ORDER BY public_key = ?1 DESC, id LIMIT 1",
                    [DEMO_WIDGET_KEY],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await?;
    let body = match key {
        Some(key) => format!(
            r#"<h1>Sunflower Garden Supplies</h1>
<p>This is a demo of a customer's website. The chat button in the corner is the
External Lines widget, added with one line:</p>
<pre><code>&lt;script src="/widget/loader.js" data-channel="{key}" async&gt;&lt;/script&gt;</code></pre>
<p>Write a message there as a client; operators answer it in the inbox.</p>
<script src="/widget/loader.js" data-channel="{key}" data-open="true" async></script>"#,
            key = html_escape(&key)
        ),
        None => "<h1>No website channel</h1><p>Add a website widget channel to try the chat.</p>".into(),
    };
    Ok(Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Widget demo · External Lines</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:40px auto;padding:0 20px;color:#1e293b}}pre{{background:#f1f5f9;padding:12px;border-radius:8px;overflow:auto}}</style>
</head><body>{body}</body></html>"#
    )))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
