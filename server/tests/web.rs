//! The app's bundle goes out precompressed and cached for good (its names carry their
//! content's hash); the page that links it is checked every time.

mod common;

use common::TestServer;

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
}
