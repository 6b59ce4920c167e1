//! The first download is the inbox: Settings and the CRM come when first opened, and a
//! part the network fails to bring says so and opens on Retry.

use el_e2e::{Browser, Harness};
use std::path::{Path, PathBuf};

/// The names of the app's files the page has fetched so far.
async fn fetched(b: &Browser) -> Vec<String> {
    let names = b
        .js(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname.split('/').pop())",
            vec![],
        )
        .await;
    serde_json::from_value(names).unwrap()
}

/// The files of `dist` that hold the part named `part` (`split_crm-<hash>.wasm` and its
/// compressed copies).
fn part_files(dist: &Path, part: &str) -> Vec<PathBuf> {
    let prefix = format!("split_{part}-");
    let files: Vec<PathBuf> = std::fs::read_dir(dist)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().starts_with(&prefix))
        .collect();
    assert!(!files.is_empty(), "scripts/build.sh made no {prefix}* file in {}", dist.display());
    files
}

/// Moves the files of `part` from `dist` to `away` (the network cannot bring them),
/// and returns what puts them back.
fn hide_part(dist: &Path, away: &Path, part: &str) -> impl FnOnce() {
    let files = part_files(dist, part);
    for file in &files {
        std::fs::rename(file, away.join(file.file_name().unwrap())).unwrap();
    }
    let away = away.to_path_buf();
    move || {
        for file in &files {
            std::fs::rename(away.join(file.file_name().unwrap()), file).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_and_the_crm_are_downloaded_when_first_opened() {
    // A copy of the built app, so that its parts can go missing.
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(el_e2e::repo_root().join("dist")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, copy.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let away = tempfile::tempdir().unwrap();
    let spa = copy.path().to_path_buf();
    let h = Harness::start_with(|config| config.spa_dir = spa).await;
    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.goto("/lines").await;
    admin.wait_text("[role=tab]", "Unassigned").await;
    let first = fetched(&admin).await;
    assert!(first.iter().any(|name| name.ends_with("_bg.wasm")), "{first:?}");
    assert!(!first.iter().any(|name| name.starts_with("split_")), "the inbox fetched a part: {first:?}");

    // The CRM's part cannot be had: the page says so, and Retry opens it once it can.
    let restore = hide_part(copy.path(), away.path(), "crm");
    admin.click_text("nav a", "CRM").await;
    admin.wait_text("[role=alert]", "This page could not be downloaded").await;
    admin.assert_accessible("a page that could not be downloaded").await;
    admin.screenshot("/tmp/e2e-not-downloaded.png").await;
    restore();
    admin.click_text("main button", "Retry").await;
    admin.wait_text("main h1", "Leads").await;
    admin.wait_no_text("main", "could not be downloaded").await;
    let now = fetched(&admin).await;
    assert!(now.iter().any(|name| name.starts_with("split_crm-")), "{now:?}");
    assert!(!now.iter().any(|name| name.starts_with("split_settings-")), "{now:?}");

    // This page now runs an older build than the server serves (an update was installed
    // since it opened): a part it asks for is gone, and Reload brings the new build.
    let restore = hide_part(copy.path(), away.path(), "settings");
    admin.js("document.querySelector('link[rel=modulepreload]').setAttribute('href', '/external-lines-0123456789abcdef.js')", vec![]).await;
    admin.click_text("nav a", "Settings").await;
    admin.wait_text("[role=alert]", "External Lines was updated since this page opened").await;
    restore();
    admin.click_text("main button", "Reload").await;
    admin.wait_text("main h1", "Settings").await;
    let now = fetched(&admin).await;
    assert!(now.iter().any(|name| name.starts_with("split_settings-")), "{now:?}");
}
