//! The first download is the sign-in, the top bar and the dialog list with their style
//! sheet: the live part and the chat's part (with the search's results) follow once the
//! list is here, Settings and the CRM come when first opened, the other pages' style
//! sheet with the first of them, and a part the network fails to bring says so and opens
//! on Retry.

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

/// A copy of the built app, so that its parts can go missing.
fn copy_of_dist() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(el_e2e::repo_root().join("dist")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, copy.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    copy
}

/// A server of a copy of the built app whose `part` cannot be downloaded until the
/// returned closure puts it back (the copy and the part's files live as long as the
/// returned directories).
async fn without_part(part: &str) -> ([tempfile::TempDir; 2], impl FnOnce(), Harness) {
    let copy = copy_of_dist();
    let away = tempfile::tempdir().unwrap();
    let restore = hide_part(copy.path(), away.path(), part);
    let spa = copy.path().to_path_buf();
    let h = Harness::start_with(|config| config.spa_dir = spa).await;
    ([copy, away], restore, h)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_and_the_crm_are_downloaded_when_first_opened() {
    let copy = copy_of_dist();
    let away = tempfile::tempdir().unwrap();
    let spa = copy.path().to_path_buf();
    let h = Harness::start_with(|config| config.spa_dir = spa).await;
    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.goto("/lines").await;
    admin.wait_text("[role=tab]", "Unassigned").await;
    let first = fetched(&admin).await;
    assert!(first.iter().any(|name| name.ends_with("_bg.wasm")), "{first:?}");
    let pages = |names: &[String]| {
        names.iter().any(|n| {
            n.starts_with("split_")
                && n.ends_with(".wasm")
                && !n.starts_with("split_chat-")
                && !n.starts_with("split_live-")
        })
    };
    assert!(!pages(&first), "the inbox fetched a page's part: {first:?}");
    // The live part and the chat's part follow the list without a dialog being opened.
    for part in ["live", "chat"] {
        let arrived = format!("return performance.getEntriesByType('resource').some(e => /\\/split_{part}-[0-9a-f]+\\.wasm$/.test(e.name))");
        admin.wait_until(&format!("the {part} part to follow the list"), &arrived, vec![]).await;
    }
    // The live part is asked for only once the list's data is here (its loading would
    // hold the rows back).
    let live_after_data = "const all = performance.getEntriesByType('resource');
        const data = all.find(e => new URL(e.name).pathname.endsWith('/api/dialogs'));
        const live = all.find(e => /\\/split_live-[0-9a-f]+\\.wasm$/.test(e.name));
        return [live.startTime, data.responseEnd]";
    let times: [f64; 2] = serde_json::from_value(admin.js(live_after_data, vec![]).await).unwrap();
    assert!(
        times[0] >= times[1],
        "the live part was asked for at {} ms, the list's data came at {} ms",
        times[0],
        times[1]
    );

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_or_search_that_cannot_be_downloaded_says_so_and_opens_on_retry() {
    let (_dirs, restore, h) = without_part("chat").await;
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    assert_eq!(anna.write_as_visitor("Olena", "Where is my parcel?").await, serde_json::json!(200));

    // The list works without the chat's part; opening a dialog says what went wrong.
    anna.click_text(".dialog-row__name", "Olena").await;
    anna.wait_text(".inbox__main [role=alert]", "The chat could not be opened").await;
    anna.wait_text(".dialog-row__name", "Olena").await;
    // The client writes again meanwhile: the list shows it, and so will the chat.
    assert_eq!(anna.write_again_as_visitor("Olena", "Hello? Is anyone there?").await, serde_json::json!(200));
    anna.wait_text(".dialog-row", "Hello? Is anyone there?").await;
    anna.assert_accessible("a chat that could not be downloaded").await;
    anna.screenshot("/tmp/e2e-chat-not-downloaded.png").await;

    // On a phone the chat takes the whole screen: the way back to the list is there too.
    let phone = h.phone().await;
    phone.sign_in("anna").await;
    phone.click_text(".dialog-row__name", "Olena").await;
    phone.wait_text(".inbox__main [role=alert]", "The chat could not be opened").await;
    phone.screenshot("/tmp/e2e-chat-not-downloaded-phone.png").await;
    phone.click_text(".inbox__main button", "Back to the dialogs").await;
    phone.wait_until("the list again", "return document.querySelector('.inbox--chat') === null", vec![]).await;

    // The search's results are in the same part: the side says so where they would be.
    anna.type_into("#inbox-search", "parcel").await;
    anna.wait_text(".inbox__side [role=alert]", "The search could not be opened").await;
    anna.assert_accessible("a search that could not be downloaded").await;
    anna.screenshot("/tmp/e2e-search-not-downloaded.png").await;

    // So is the keyboard shortcuts' sheet: the toast says it could not be downloaded.
    anna.click_text(".inbox__head button", "Shortcuts").await;
    anna.wait_text("[role=alert]", "The keyboard shortcuts could not be downloaded").await;
    assert!(anna.texts("[role=dialog]").await.is_empty());

    restore();
    anna.click_text(".inbox__head button", "Shortcuts").await;
    anna.wait_text("[role=dialog]", "Keyboard shortcuts").await;
    anna.click_text("[role=dialog] button", "Close").await;
    anna.click_text(".inbox__side button", "Retry").await;
    anna.wait_text(".search-hit__text", "Where is my parcel?").await;
    anna.wait_no_text(".inbox__side", "could not be opened").await;
    anna.click_text(".inbox__main button", "Retry").await;
    anna.wait_text(".chat__messages", "Where is my parcel?").await;
    anna.wait_text(".chat__messages", "Hello? Is anyone there?").await;
    anna.wait_no_text(".inbox__main", "could not be opened").await;
    anna.click_text(".chat__bar button", "Reply").await;
    anna.find(".composer__input").await;
    anna.screenshot("/tmp/e2e-chat-after-retry.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_style_sheet_comes_with_the_first_page_that_needs_it() {
    let (_dirs, restore, h) = without_part("pages").await;
    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.wait_text("[role=tab]", "Unassigned").await;
    // The first screen is drawn with its own sheet alone.
    let sheets = "return [...document.styleSheets].map(s => new URL(s.href).pathname.split('/').pop())";
    let first: Vec<String> = serde_json::from_value(admin.js(sheets, vec![]).await).unwrap();
    assert!(first.len() == 1 && first[0].starts_with("main-"), "{first:?}");

    // A page that cannot have its styles says so, as when its part cannot be had.
    admin.click_text("nav a", "CRM").await;
    admin.wait_text("[role=alert]", "This page could not be downloaded").await;
    restore();
    admin.click_text("main button", "Retry").await;
    admin.wait_text("main h1", "Leads").await;
    let now: Vec<String> = serde_json::from_value(admin.js(sheets, vec![]).await).unwrap();
    assert!(now.iter().any(|name| name.starts_with("split_pages-")), "{now:?}");
    // The page is drawn with them: the lists' tabs are a row (pages.css), not a column.
    let tabs = admin.js("return getComputedStyle(document.querySelector('.crm-nav')).display", vec![]).await;
    assert_eq!(tabs, serde_json::json!("flex"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_live_part_the_list_shows_and_goes_live_once_it_comes() {
    let (dirs, restore, h) = without_part("live").await;
    // The client writes from a page of their own.
    let client = h.browser().await;
    client.goto("/login").await;
    assert_eq!(client.write_as_visitor("Olena", "Where is my parcel?").await, serde_json::json!(200));
    let anna = h.browser().await;
    anna.sign_in("anna").await;

    // The list is the snapshot's; the top bar says the live connection is not there.
    anna.wait_text(".dialog-row", "Where is my parcel?").await;
    anna.wait_text("[role=status]", "Reconnecting…").await;
    assert_eq!(client.write_again_as_visitor("Olena", "Hello? Is anyone there?").await, serde_json::json!(200));

    // Once the part can be had, the next try follows the socket from the snapshot on:
    // what the client wrote meanwhile arrives, and so does what they write next.
    restore();
    anna.wait_text(".dialog-row", "Hello? Is anyone there?").await;
    anna.wait_no_text(".topbar", "Reconnecting…").await;
    assert_eq!(client.write_again_as_visitor("Olena", "Found it, thanks!").await, serde_json::json!(200));
    anna.wait_text(".dialog-row", "Found it, thanks!").await;

    // This page runs an older build than the server serves (an update was installed
    // since it opened): the live part it asks for is gone, so it stops trying and
    // offers Reload, which brings the new build.
    let restore = hide_part(dirs[0].path(), dirs[1].path(), "live");
    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.wait_text("[role=status]", "Reconnecting…").await;
    admin.js("document.querySelector('link[rel=modulepreload]').setAttribute('href', '/external-lines-0123456789abcdef.js')", vec![]).await;
    admin.wait_text("[role=alert]", "External Lines was updated: reload the page to get new messages.").await;
    admin.assert_accessible("a live connection stopped by an update").await;
    admin.screenshot("/tmp/e2e-live-updated.png").await;
    let phone = h.phone().await;
    phone.sign_in("admin").await;
    phone.js("document.querySelector('link[rel=modulepreload]').setAttribute('href', '/external-lines-0123456789abcdef.js')", vec![]).await;
    phone.wait_text("[role=alert]", "External Lines was updated").await;
    phone.screenshot("/tmp/e2e-live-updated-phone.png").await;
    restore();
    admin.click_text("[role=alert] button", "Reload").await;
    admin.wait_text("[role=tab]", "Unassigned").await;
    admin.wait_no_text(".topbar", "External Lines was updated").await;
    assert_eq!(client.write_again_as_visitor("Olena", "One more thing").await, serde_json::json!(200));
    admin.wait_text(".dialog-row", "One more thing").await;
}
