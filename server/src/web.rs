//! What the server serves besides the API: the operator SPA (with history fallback),
//! the widget's bundle, its loader script and the demo page, with security and caching
//! headers.

use crate::demo::DEMO_WIDGET_KEY;
use crate::error::AppResult;
use crate::{widget, AppState};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Routes for the widget's files and pages. The widget app may be framed by any site.
pub fn widget_router(state: &AppState) -> Router<AppState> {
    let dir = &state.config.widget_dir;
    let app = Router::new()
        .nest_service("/widget/app", bundle_dir(dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(&dir.join("index.html"), "*"),
        ))
        .layer(middleware::map_response(cache_control));
    Router::new().route("/widget/loader.js", get(loader)).route("/widget/demo", get(demo_page)).merge(app)
}

/// The SPA: files from its dist, and `index.html` for every other path so the
/// client-side router handles deep links. The SPA may not be framed.
pub fn spa_service(state: &AppState) -> Router<AppState> {
    let dir = &state.config.spa_dir;
    let index = dir.join("index.html");
    let spa = bundle_dir(dir).fallback(ServeFile::new(&index));
    Router::new()
        .fallback_service(spa)
        .layer(middleware::map_response(cache_control))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(&index, "'none'"),
        ))
}

/// Routes for embedding in a host web app: the ES module and the Module Federation
/// container hosts load (any page may load them: they hold no secret), and the frames
/// they mount, which only the origins of unrevoked API keys may frame.
pub fn embed_router(state: &AppState) -> Router<AppState> {
    // The app's page, read once like the SPA's own policy is.
    let page: Arc<str> = std::fs::read_to_string(state.config.spa_dir.join("index.html")).unwrap_or_default().into();
    Router::new()
        .route("/embed/lines.js", get(|| embed_script(include_str!("../assets/embed/lines.js"))))
        .route("/embed/remoteEntry.js", get(|| embed_script(include_str!("../assets/embed/remoteEntry.js"))))
        .route("/embed/frame/{*view}", get(move |state| embed_frame(state, page.clone())))
}

async fn embed_script(script: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        script,
    )
}

/// The app's page for an embedded component, framed by a host whose origin an
/// unrevoked API key names (by no one when there is none).
async fn embed_frame(State(state): State<AppState>, page: Arc<str>) -> AppResult<Response> {
    let origins = state.db.read(crate::embed::store::allowed_origins).await?;
    let ancestors = if origins.is_empty() { "'none'".to_string() } else { origins.join(" ") };
    let headers = [
        (header::CONTENT_SECURITY_POLICY, policy_for_page(&page, &ancestors)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    Ok((headers, Html(page.to_string())).into_response())
}

/// A Trunk bundle's files, with the brotli and gzip copies `scripts/build.sh` made of
/// them sent to browsers that accept them (nothing is compressed per request).
fn bundle_dir(dir: &Path) -> ServeDir {
    ServeDir::new(dir).precompressed_br().precompressed_gzip()
}

/// Trunk names bundle files by their content's hash (`app-0123456789abcdef_bg.wasm`):
/// those never change and are cached for a year; anything else (the page itself, whose
/// links change with each build) is checked with the server every time.
async fn cache_control(uri: Uri, mut response: Response) -> Response {
    let hashed = uri.path().rsplit('/').next().is_some_and(is_hashed_name);
    let value = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// `name-<hash>[_bg].ext`, as Trunk names what it builds (the hash is a 64-bit number in
/// hex without leading zeros: 12 to 16 digits but for one build in 16 million).
fn is_hashed_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A Content-Security-Policy for a page built by Trunk: scripts only from our origin,
/// plus Trunk's inline loader by its hash (read from the built `index.html`), and
/// WebAssembly; `frame_ancestors` says who may frame the page.
pub fn content_security_policy(index_html: &Path, frame_ancestors: &str) -> HeaderValue {
    policy_for_page(&std::fs::read_to_string(index_html).unwrap_or_default(), frame_ancestors)
}

/// [`content_security_policy`] of a page's text.
fn policy_for_page(html: &str, frame_ancestors: &str) -> HeaderValue {
    let hashes: String = inline_scripts(html)
        .map(|script| format!(" 'sha256-{}'", BASE64.encode(Sha256::digest(script.as_bytes()))))
        .collect();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {frame_ancestors}"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// The contents of the inline `<script>` elements of a page.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (open, body) = rest.split_once('>')?;
        if open.contains("src=") {
            return None;
        }
        body.split_once("</script>").map(|(script, _)| script)
    })
}

async fn loader() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        include_str!("../assets/loader.js"),
    )
}

/// `?channel=KEY`: which widget channel the demo page shows; `?lang=en|uk`: the
/// widget's language (its `data-lang`), else the visitor's browser chooses.
#[derive(Debug, serde::Deserialize)]
struct DemoQuery {
    channel: Option<String>,
    lang: Option<String>,
}

/// A plain page with the widget on it, as a customer's website would have it
/// (`?channel=` picks another of the site's widget channels).
async fn demo_page(State(state): State<AppState>, Query(q): Query<DemoQuery>) -> AppResult<Html<String>> {
    let wanted = q.channel.unwrap_or_else(|| DEMO_WIDGET_KEY.to_string());
    let lang = match q.lang.as_deref() {
        Some(lang @ ("en" | "uk")) => format!(r#" data-lang="{lang}""#),
        _ => String::new(),
    };
    let key: Option<String> =
        state.db.run(move |conn| widget::store::key_to_show(conn, &wanted, DEMO_WIDGET_KEY)).await?;
    let body = match key {
        Some(key) => format!(
            r#"<h1>Sunflower Garden Supplies</h1>
<p>This is a demo of a customer's website. The chat button in the corner is the
External Lines widget, added with one line:</p>
<pre tabindex="0"><code>&lt;script src="/widget/loader.js" data-channel="{key}" async&gt;&lt;/script&gt;</code></pre>
<p>Write a message there as a client; operators answer it in the inbox.</p>
<script src="/widget/loader.js" data-channel="{key}"{lang} data-open="true" async></script>"#,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_pages_inline_loader() {
        let dir = std::env::temp_dir().join(format!("el-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let index = dir.join("index.html");
        let loader = "\nimport init from '/app.js';\nawait init();\n";
        std::fs::write(
            &index,
            format!("<head><script type=\"module\">{loader}</script><script src=\"/x.js\"></script></head>"),
        )
        .unwrap();
        let policy = content_security_policy(&index, "'none'");
        let policy = policy.to_str().unwrap();
        let expected = BASE64.encode(Sha256::digest(loader.as_bytes()));
        assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';")), "{policy}");
        assert!(policy.ends_with("frame-ancestors 'none'"));
        let script_src = policy.split(';').find(|d| d.trim_start().starts_with("script-src")).unwrap();
        assert!(!script_src.contains("'unsafe-inline'") && !script_src.contains("'unsafe-eval'"), "{script_src}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn only_trunks_hashed_names_are_cached_for_good() {
        for name in
            ["external-lines-89b6e221507757f.js", "external-lines-89b6e221507757f_bg.wasm", "main-525898e51544c0bd.css"]
        {
            assert!(is_hashed_name(name), "{name}");
        }
        for name in
            ["index.html", "favicon.svg", "loader.js", "el-widget.js", "my-photo-2024.png", "a-xyz9e221507757f.js"]
        {
            assert!(!is_hashed_name(name), "{name}");
        }
    }
}
