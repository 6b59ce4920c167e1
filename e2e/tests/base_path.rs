//! External Lines in a part of a host's site (`BASE_PATH=/space/lines`, as behind the
//! Space's reverse proxy): a client writes from the widget on a site, an operator signs
//! in, answers with an image, moves between pages by links and deep links, and a host
//! page mounts an embedded component, all under the base path.

use el_e2e::{Browser, Harness, ENTER, PNG_1X1};
use serde_json::json;

const BASE: &str = "/space/lines";

/// The path the browser shows.
async fn pathname(b: &Browser) -> String {
    b.js("return location.pathname", vec![]).await.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_widget_and_components_work_under_a_base_path() {
    let h = Harness::start_with(|c| {
        c.base_path = BASE.into();
        c.embed_demo_port = Some(0);
    })
    .await;
    assert!(h.base.ends_with(BASE), "{}", h.base);
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("pot.png");
    std::fs::write(&photo, PNG_1X1).unwrap();

    // The widget's loader finds its chat beside itself, under the base path.
    let client = h.browser().await;
    client.write_in_widget("/widget/demo", Some("Ivan Base"), "Do you deliver to Lviv?").await;

    // Anna signs in at /space/lines/login and lands on the inbox there.
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    assert!(pathname(&anna).await.starts_with(BASE), "{}", pathname(&anna).await);
    anna.wait_text(".dialog-row__name", "Ivan Base").await;
    anna.click(".dialog-row__reply").await;
    anna.find(".composer__input").await;
    let chat = pathname(&anna).await;
    assert!(chat.starts_with(&format!("{BASE}/lines/")), "the chat's address: {chat}");

    // An image and formatted text: the file is stored and shown from under the base path.
    anna.find(".composer__file-input").await.send_keys(photo.to_str().unwrap()).await.unwrap();
    anna.wait_until("the upload to finish", "return document.querySelector('.upload[data-state=done]')", vec![]).await;
    anna.type_into(".composer__input", "**Yes**, in two days.").await;
    anna.type_into(".composer__input", ENTER).await;
    let src = anna.wait_image("the thumbnail in the chat", ".message--mine .attachment--image img").await;
    assert!(src.starts_with(&format!("{BASE}/api/files/")), "{src}");
    // The client's widget gets it live through its socket.
    client.wait_text(".bubble strong", "Yes").await;
    client.wait_image("the image in the widget", ".bubble__image").await;

    // Links keep to the base path; a deep link opens where it points.
    anna.click_text(".topbar__nav a", "Settings").await;
    anna.wait_until(
        "the settings address",
        "return location.pathname === arguments[0]",
        vec![json!(format!("{BASE}/settings"))],
    )
    .await;
    anna.goto(chat.trim_start_matches(BASE)).await;
    anna.wait_text(".chat__messages", "Do you deliver to Lviv?").await;
    anna.screenshot("/tmp/e2e-base-path.png").await;
    // The page asked for the session as it loaded, and the app took that answer: one
    // request, by the page's preload, under the base path.
    let asked = anna
        .js(
            "return performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname.endsWith('/api/me'))
                .map(e => [new URL(e.name).pathname, e.initiatorType])",
            vec![],
        )
        .await;
    assert_eq!(asked, json!([[format!("{BASE}/api/me"), "link"]]));

    // A host page mounts our dialog block from /space/lines/embed/lines.js.
    let host = h.embed_demo.clone().expect("the embedding demo runs");
    anna.goto_url(&format!("{host}/?login=anna")).await;
    anna.enter_embedded("#block").await;
    anna.wait_text(".dialog-block__item", "Olena Petrenko").await;
    let frame = anna.js("return location.pathname", vec![]).await;
    assert!(frame.as_str().unwrap().starts_with(&format!("{BASE}/embed/frame/block/lead/")), "{frame}");
}
