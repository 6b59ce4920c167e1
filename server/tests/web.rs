//! The app's bundle goes out precompressed and cached for good (its names carry their
//! content's hash); the page that links it is checked every time, and a bundle file that
//! is not there is not found.

mod common;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use common::TestServer;
use sha2::{Digest, Sha256};

#[tokio::test]
async fn hashed_bundle_files_are_sent_precompressed_and_cached_for_good() {
    let spa = tempfile::tempdir().unwrap();
    let wasm = "external-lines-89b6e221507757f_bg.wasm";
    std::fs::write(spa.path().join("index.html"), "<!DOCTYPE html><title>External Lines</title>").unwrap();
    std::fs::write(spa.path().join(wasm), b"\0asm plain").unwrap();
    std::fs::write(spa.path().join(format!("{wasm}.br")), b"brotli bytes").unwrap();
    let dir = spa.path().to_path_buf();
    let server = TestServer::start_with(move |c| c.spa_dir = dir).await;
    let http = reqwest::Client::new();

    let r = http.get(server.url(&format!("/{wasm}"))).header("accept-encoding", "gzip, br").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "br", "the brotli copy, not compressed again");
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let r = http.get(server.url(&format!("/{wasm}"))).header("accept-encoding", "identity").send().await.unwrap();
    assert!(r.headers().get("content-encoding").is_none(), "the file itself to who takes no compression");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\0asm plain");

    for page in ["/", "/lines/7"] {
        let r = http.get(server.url(page)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-cache", "{page}: the page is checked each time");
    }

    // A built file that is not there (a part of an older build) is not found: never
    // the page, which the browser would then keep for a year under the file's name.
    for missing in ["/split_crm-0123456789abcdef.wasm", "/external-lines-89b6e221507757e.js"] {
        let r = http.get(server.url(missing)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{missing}");
        assert!(r.headers().get("cache-control").is_none(), "{missing}");
    }
}

/// A host site gives External Lines `/space/lines`: the pages, their files, the API, the
/// sockets and the session cookie all live under it, and the pages say so to the app.
#[tokio::test]
async fn everything_lives_under_a_configured_base_path() {
    let spa = tempfile::tempdir().unwrap();
    let loader = "\nimport init from '/external-lines-89b6e221507757f.js';\nawait init();\n";
    let page = format!(
        "<html><head><link rel=\"icon\" href=\"/public/favicon.svg\" /><script type=\"module\">{loader}</script></head></html>"
    );
    std::fs::write(spa.path().join("index.html"), &page).unwrap();
    std::fs::write(spa.path().join("external-lines-89b6e221507757f.js"), "export default 1").unwrap();
    let widget = tempfile::tempdir().unwrap();
    std::fs::write(widget.path().join("index.html"), page.replace("/external-lines", "/widget/app/el-widget")).unwrap();
    let (spa_dir, widget_dir) = (spa.path().to_path_buf(), widget.path().to_path_buf());
    let server = TestServer::start_with(move |c| {
        c.spa_dir = spa_dir;
        c.widget_dir = widget_dir;
        c.base_path = "/space/lines".into();
    })
    .await;
    let origin = server.url("").trim_end_matches("/space/lines").to_string();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let r = http.get(format!("{origin}/")).send().await.unwrap();
    assert_eq!(r.status(), 307, "the root sends browsers to the inbox");
    assert_eq!(r.headers()["location"], "/space/lines/");
    for outside in ["/api/me", "/lines/7", "/widget/loader.js", "/external-lines-89b6e221507757f.js"] {
        assert_eq!(http.get(format!("{origin}{outside}")).send().await.unwrap().status(), 404, "{outside}");
    }

    for deep in ["/lines/7", "/settings/api-keys", "/index.html", "", "/"] {
        let r = http.get(server.url(deep)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{deep}");
        let policy = r.headers()["content-security-policy"].to_str().unwrap().to_string();
        let html = r.text().await.unwrap();
        assert!(html.contains(r#"<meta name="el-base" content="/space/lines" />"#), "{deep}: {html}");
        assert!(html.contains(r#"href="/space/lines/public/favicon.svg""#), "{html}");
        let served_loader = loader.replace("'/", "'/space/lines/");
        assert!(html.contains(&served_loader), "{html}");
        let hash = BASE64.encode(Sha256::digest(served_loader.as_bytes()));
        assert!(policy.contains(&format!("'sha256-{hash}'")), "the policy allows the loader as served: {policy}");
    }
    let r = http.get(server.url("/external-lines-89b6e221507757f.js")).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "export default 1");
    let r = http.get(server.url("/widget/app/?channel=x")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("from '/space/lines/widget/app/el-widget-89b6e221507757f.js'"), "{html}");
    let r = http.get(server.url("/widget/demo")).send().await.unwrap();
    assert!(r.text().await.unwrap().contains(r#"<script src="/space/lines/widget/loader.js""#));
    assert_eq!(http.get(server.url("/api/me")).send().await.unwrap().status(), 401);

    let sign_in = http
        .post(server.url("/api/auth/login"))
        .json(&serde_json::json!({"login": "anna", "password": "demo"}))
        .send()
        .await
        .unwrap();
    let cookie = sign_in.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Path=/space/lines"), "the cookie stays with External Lines: {cookie}");

    let anna = server.operator("anna").await;
    let mut socket = anna.socket(0).await;
    let visitor = server.visitor("Base path visitor").await;
    assert_eq!(visitor.send("Hello under a base path", "k1").await.status(), 200);
    let mut frames = Vec::new();
    while !frames.iter().any(|f: &String| f.contains("Hello under a base path")) && frames.len() < 20 {
        frames.push(socket.text().await);
    }
    assert!(frames.iter().any(|f| f.contains("Hello under a base path")), "live through the socket: {frames:?}");
    assert!(anna.inbox().await.dialogs().any(|d| d.client_name == "Base path visitor"));
}

#[tokio::test]
async fn without_a_build_the_pages_say_so() {
    let server = TestServer::start().await;
    for page in ["/", "/lines/7", "/widget/app/", "/embed/frame/block/lead/1"] {
        let r = reqwest::get(server.url(page)).await.unwrap();
        assert_eq!(r.status(), 404, "{page}");
        assert!(r.text().await.unwrap().contains("not built"), "{page}");
    }
}
