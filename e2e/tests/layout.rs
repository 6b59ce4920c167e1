//! What operators see holds together with real-world data: very long names and
//! messages stay inside their rows and bubbles, and hostile text stays text.

use el_e2e::Harness;
use el_protocol::api::FIRST_PAGE;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_names_and_hostile_text_stay_in_place() {
    let h = Harness::start().await;
    let visitor = h.browser().await;
    visitor.goto("/widget/demo").await;
    let long_name = "Maximilian-Alexander Konstantinopolsky-Vasylenko von Oberhausen-Zhytomyr";
    let long_text = format!("{} {}", "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(6), "the end");
    let hostile = "<img src=x onerror=\"document.title='pwned'\"> <script>document.title='pwned'</script>";
    for (name, text) in [(long_name, long_text.as_str()), ("Taras", hostile), ("Iryna", "Short question")] {
        assert_eq!(visitor.write_as_visitor(name, text).await, json!(200));
    }

    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Maximilian").await;
    let inside = anna
        .js(
            "const side = document.querySelector('.inbox__side').getBoundingClientRect();
             return [...document.querySelectorAll('.dialog-row__name, .dialog-row__preview, .dialog-row__reply')]
               .every(e => e.getBoundingClientRect().right <= side.right + 0.5)",
            vec![],
        )
        .await;
    assert_eq!(inside, json!(true), "row texts and buttons stay inside the list");

    // Open the long-named dialog: the header and the bubble wrap instead of overflowing.
    anna.click(".dialog-row:last-child .dialog-row__open").await;
    anna.wait_text(".chat__header h2", "Maximilian").await;
    anna.wait_text(".message--client", "the end").await;
    let fits = anna
        .js(
            "const main = document.querySelector('.inbox__main').getBoundingClientRect();
             return [...document.querySelectorAll('.chat__header h2, .message')]
               .every(e => e.getBoundingClientRect().right <= main.right + 0.5)
               && document.documentElement.scrollWidth <= window.innerWidth",
            vec![],
        )
        .await;
    assert_eq!(fits, json!(true), "the chat fits its column");
    anna.screenshot("/tmp/e2e-long-names.png").await;

    // Hostile text is shown as text and runs nothing.
    anna.click(".dialog-row:nth-child(2) .dialog-row__open").await;
    anna.wait_text(".message--client", "<script>").await;
    // The title is the app's own (with the unread count), whatever the messages say.
    let title = anna.js("return document.title", vec![]).await;
    assert!(is_app_title(title.as_str().unwrap_or_default()), "{title}");
    let injected =
        anna.js("return document.querySelectorAll('.chat__messages img, .chat__messages script').length", vec![]).await;
    assert_eq!(injected, json!(0));

    // A role without access sees a clear page, not an empty inbox.
    let carol = h.browser().await;
    carol.sign_in("carol").await;
    carol.wait_text("h1", "No access to External Lines").await;
    carol.screenshot("/tmp/e2e-no-access.png").await;
    for b in [visitor, anna, carol] {
        b.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_inbox_loads_page_after_page_while_scrolling() {
    let h = Harness::start_with(|config| config.demo_dialogs = 400).await;
    let erin = h.browser().await;
    erin.sign_in("erin").await;
    // Erin works with none of the demo dialogs: she sees the Unassigned ones (12 in 20).
    erin.wait_text("#tab-unassigned .tab__count", "240").await;
    erin.wait_text(".dialog-list__more", "Loading more dialogs").await;
    let loaded = "return document.querySelector('.dialog-list__items').scrollHeight / 80";
    let first = erin.js(loaded, vec![]).await.as_f64().unwrap();
    assert_eq!(first, FIRST_PAGE as f64, "only the first snapshot's page at first");
    erin.wait_until(
        "every page loaded while scrolling down",
        "const list = document.querySelector('#dialog-list');
         list.scrollTop = list.scrollHeight;
         list.dispatchEvent(new Event('scroll'));
         return !document.querySelector('.dialog-list__more')
           && document.querySelector('.dialog-list__items').scrollHeight / 80 === 240",
        vec![],
    )
    .await;
    let names = erin.texts(".dialog-row__name").await;
    assert!(names.len() < 60, "still only the rows in view are rendered: {}", names.len());
    erin.screenshot("/tmp/e2e-long-inbox.png").await;
    erin.close().await;
}

/// "External Lines", or "(N) External Lines" with N unread messages.
fn is_app_title(title: &str) -> bool {
    let rest = match title.strip_prefix('(') {
        Some(counted) => counted.split_once(") ").filter(|(n, _)| n.parse::<u32>().is_ok()).map(|(_, rest)| rest),
        None => Some(title),
    };
    rest == Some("External Lines")
}
