//! What the server serves besides the API: the operator SPA (with history fallback),
//! the widget's bundle, its loader script and the demo page, with security and caching
//! headers.

use crate::demo::DEMO_WIDGET_KEY;
use crate::error::AppResult;
use crate::{widget, AppState};
use axum::extract::{Query, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::future::{ready, Ready};
use std::path::Path;
use std::sync::Arc;
use tower_http::services::ServeDir;

/// Routes for the widget's files and pages. The widget app may be framed by any site.
pub fn widget_router(state: &AppState) -> Router<AppState> {
    let dir = &state.config.widget_dir;
    let page = Page::load(dir, &state.config.base_path);
    // The frame's page at `/widget/app/`; a file that is not there is not found.
    let at_root = page_where(page.handler("*"), |uri| uri.path() == "/");
    let files = bundle_dir(dir).append_index_html_on_directories(false).fallback(at_root.clone().into_service());
    let app = Router::new()
        .route("/widget/app/index.html", get(move || at_root(Uri::from_static("/"))))
        .nest_service("/widget/app", files)
        .layer(middleware::map_response(cache_control));
    Router::new().route("/widget/loader.js", get(loader)).route("/widget/demo", get(demo_page)).merge(app)
}

/// The SPA: files from its dist, and its page for every other path so the client-side
/// router handles deep links, but a built file that is not there (one of an older build)
/// is not found: never the page, which would be cached for good under the file's name.
/// The SPA may not be framed.
pub fn spa_service(state: &AppState) -> Router<AppState> {
    let dir = &state.config.spa_dir;
    let index = spa_page(state);
    let deep_link = page_where(index.clone(), |uri| !is_hashed_name(file_name(uri)));
    let spa = bundle_dir(dir).append_index_html_on_directories(false).fallback(deep_link.into_service());
    Router::new().route("/index.html", get(index)).fallback_service(spa).layer(middleware::map_response(cache_control))
}

/// A handler answering with the SPA's page (for `{base}/`, which a router nested at the
/// base path does not reach).
pub fn spa_page(state: &AppState) -> impl Fn() -> Ready<Response> + Clone + Send + Sync {
    Page::app(&state.config.spa_dir, &state.config.base_path).handler("'none'")
}

/// Routes for embedding in a host web app: the ES module and the Module Federation
/// container hosts load (any page may load them: they hold no secret), and the frames
/// they mount, which only the origins of unrevoked API keys may frame.
pub fn embed_router(state: &AppState) -> Router<AppState> {
    let page = Page::load(&state.config.spa_dir, &state.config.base_path);
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
async fn embed_frame(State(state): State<AppState>, page: Page) -> AppResult<Response> {
    let origins = state.db.read(crate::embed::store::allowed_origins).await?;
    let ancestors = if origins.is_empty() { "'none'".to_string() } else { origins.join(" ") };
    let policy = page.policy(&ancestors);
    Ok(page.serve(policy))
}

/// A page Trunk built (`index.html` of a bundle), read once when the server starts and
/// rebased onto the server's base path.
#[derive(Clone)]
struct Page(Arc<str>);

impl Page {
    /// The `index.html` in `dir` (empty when there is no build), for `base`.
    fn load(dir: &Path, base: &str) -> Page {
        Page(rebase_page(&built_page(dir), base).into())
    }

    /// The operator app's page, whose head also asks for the user's session while the
    /// app downloads: the app's own request for it (its first) takes that answer, one round
    /// trip less before the inbox. Embedded frames sign in with a token and do not ask.
    fn app(dir: &Path, base: &str) -> Page {
        Page(rebase_page(&asking_for_session(&built_page(dir)), base).into())
    }

    /// Its Content-Security-Policy when `frame_ancestors` may frame it.
    fn policy(&self, frame_ancestors: &str) -> HeaderValue {
        policy_for_page(&self.0, frame_ancestors)
    }

    /// A handler answering with the page, which `frame_ancestors` may frame.
    fn handler(self, frame_ancestors: &str) -> impl Fn() -> Ready<Response> + Clone + Send + Sync {
        let policy = self.policy(frame_ancestors);
        move || ready(self.clone().serve(policy.clone()))
    }

    /// The page with its policy, checked with the server on every load (its links
    /// change with each build); older browsers are told not to frame it unless the
    /// policy lets someone. Without a build, a clear 404.
    fn serve(self, policy: HeaderValue) -> Response {
        if self.0.is_empty() {
            let missing = "The External Lines app is not built on this server (scripts/build.sh builds it).";
            return (StatusCode::NOT_FOUND, missing).into_response();
        }
        let framed = !policy.as_bytes().ends_with(b"frame-ancestors 'none'");
        let mut response = Html(self.0.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if !framed {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        response
    }
}

/// A Trunk page for the server's base path: its links to its own files (`="/..."`, and
/// `'/...'` in the inline loader) start with `base`, and `<meta name="el-base">` tells the
/// app where it lives. `base` is a checked base path (`""` or `/a/b`, URL-safe).
pub fn rebase_page(html: &str, base: &str) -> String {
    let html = html.replace("=\"/", &format!("=\"{base}/")).replace("'/", &format!("'{base}/"));
    html.replacen("<head>", &format!("<head>\n    <meta name=\"el-base\" content=\"{base}\" />"), 1)
}

/// The `index.html` Trunk built in `dir`, empty when there is none.
fn built_page(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("index.html")).unwrap_or_default()
}

/// `html` with a preload of `/api/me` in its head, made as the app's `fetch` makes it
/// (CORS mode, same-origin credentials, no headers of its own) so that the browser hands
/// the answer to that fetch.
fn asking_for_session(html: &str) -> String {
    const PRELOAD: &str = r#"<link rel="preload" href="/api/me" as="fetch" crossorigin="anonymous" />"#;
    html.replacen("</head>", &format!("{PRELOAD}\n  </head>"), 1)
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
    let hashed = is_hashed_name(file_name(&uri));
    let value = if hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// `page` for the paths `serves_page` accepts, 404 for the others.
fn page_where(
    page: impl Fn() -> Ready<Response> + Clone + Send + Sync,
    serves_page: fn(&Uri) -> bool,
) -> impl Fn(Uri) -> Ready<Response> + Clone + Send + Sync {
    move |uri| if serves_page(&uri) { page() } else { ready(StatusCode::NOT_FOUND.into_response()) }
}

/// The last segment of the path.
fn file_name(uri: &Uri) -> &str {
    uri.path().rsplit('/').next().unwrap_or_default()
}

/// `name-<hash>[_bg].ext`, as Trunk (and scripts/split-wasm.mjs) names what it builds (the hash is a 64-bit number in
/// hex without leading zeros: 12 to 16 digits but for one build in 16 million).
fn is_hashed_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A Content-Security-Policy for a page built by Trunk: scripts only from our origin,
/// plus Trunk's inline loader by its hash (read from the page), and WebAssembly;
/// `frame_ancestors` says who may frame the page.
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
<pre tabindex="0"><code>&lt;script src="{loader}" data-channel="{key}" async&gt;&lt;/script&gt;</code></pre>
<p>Write a message there as a client; operators answer it in the inbox.</p>
<script src="{loader}" data-channel="{key}"{lang} data-open="true" async></script>"#,
            key = html_escape(&key),
            loader = format!("{}/widget/loader.js", state.config.base_path)
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
        let loader = "\nimport init from '/app.js';\nawait init();\n";
        let page = format!("<head><script type=\"module\">{loader}</script><script src=\"/x.js\"></script></head>");
        let policy = policy_for_page(&page, "'none'");
        let policy = policy.to_str().unwrap();
        let expected = BASE64.encode(Sha256::digest(loader.as_bytes()));
        assert!(policy.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';")), "{policy}");
        assert!(policy.ends_with("frame-ancestors 'none'"));
        let script_src = policy.split(';').find(|d| d.trim_start().starts_with("script-src")).unwrap();
        assert!(!script_src.contains("'unsafe-inline'") && !script_src.contains("'unsafe-eval'"), "{script_src}");
    }

    #[test]
    fn a_rebased_page_loads_its_files_under_the_base_path() {
        let built = r#"<html><head>
<link rel="icon" href="/public/favicon.svg" />
<script type="module">
import init, * as bindings from '/app-0123456789abcdef.js';
const wasm = await init({ module_or_path: '/app-0123456789abcdef_bg.wasm' });
</script>
<link rel="modulepreload" href="/app-0123456789abcdef.js"></head><body></body></html>"#;
        let page = rebase_page(built, "/space/lines");
        for link in [
            r#"href="/space/lines/public/favicon.svg""#,
            "from '/space/lines/app-0123456789abcdef.js'",
            "module_or_path: '/space/lines/app-0123456789abcdef_bg.wasm'",
            r#"<link rel="modulepreload" href="/space/lines/app-0123456789abcdef.js">"#,
            r#"<meta name="el-base" content="/space/lines" />"#,
        ] {
            assert!(page.contains(link), "{link} in {page}");
        }
        assert!(!page.contains("=\"/public") && !page.contains("'/app"), "{page}");
        // At the root, only the base's meta is added.
        assert_eq!(rebase_page(built, "").replace("\n    <meta name=\"el-base\" content=\"\" />", ""), built);
        // The loader changed, and the policy follows the page as served.
        let loader_hash = |html: &str| policy_for_page(html, "'none'").to_str().unwrap().to_string();
        assert_ne!(loader_hash(&page), loader_hash(built));
    }

    #[test]
    fn the_apps_page_asks_for_the_session_and_an_embedded_frames_page_does_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<html><head>\n<title>EL</title>\n</head><body></body></html>")
            .unwrap();
        let app = Page::app(dir.path(), "/space/lines");
        let preload = r#"<link rel="preload" href="/space/lines/api/me" as="fetch" crossorigin="anonymous" />"#;
        let (head, _) = app.0.split_once("</head>").unwrap();
        assert!(head.contains(preload), "{}", app.0);
        assert!(!Page::load(dir.path(), "/space/lines").0.contains("api/me"));
        // Without a build there is still no page (the server says the app is not built).
        assert!(Page::app(tempfile::tempdir().unwrap().path(), "").0.is_empty());
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
