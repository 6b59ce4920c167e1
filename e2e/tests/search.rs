//! An operator finds a client's words from weeks ago: `/`, a few letters, and the chat
//! opens at that message, pages back as far as it takes.

use el_e2e::{Browser, Harness};
use serde_json::json;

/// Presses `keys` on whatever has focus, as a keyboard would.
async fn press(b: &Browser, keys: &str) {
    b.client.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_then_open_the_chat_at_the_match() {
    let h = Harness::start_with(|config| config.widget_messages_per_minute = 1_000).await;
    let visitor = h.browser().await;
    visitor.goto("/widget/demo").await;
    // One client: the tracking number first, then far more than a page of messages.
    let written = visitor
        .js(
            "return (async () => {
               const json = {'content-type': 'application/json'};
               const s = await (await fetch('/api/widget/session', {method: 'POST', headers: json,
                 body: JSON.stringify({channel: 'website-demo', name: 'Ірина Мельник'})})).json();
               const send = (text) => fetch('/api/widget/messages', {method: 'POST',
                 headers: {...json, authorization: 'Bearer ' + s.token},
                 body: JSON.stringify({text, client_msg_id: crypto.randomUUID()})});
               await send('Моя посилка: номер **TTN 20450099**, Нова Пошта');
               for (let i = 1; i <= 80; i++) { await send('Ще одне питання ' + i); }
               return 'sent';
             })()",
            vec![],
        )
        .await;
    assert_eq!(written, json!("sent"));

    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Ірина Мельник").await;
    // `/` goes to the search box; the list gives way to what is found.
    press(&anna, "/").await;
    anna.wait_until("the search box to have focus", "return document.activeElement?.id === 'inbox-search'", vec![])
        .await;
    press(&anna, "посилк").await;
    anna.wait_text(".search-results__status", "0 clients and 1 message found.").await;
    assert!(anna.texts("#tab-unassigned").await.is_empty(), "the tabs make way for the results");
    assert_eq!(anna.texts(".search-hit mark").await, ["посилк"]);
    assert!(anna.texts(".search-hit__text").await[0].contains("Моя посилка: номер TTN 20450099"));
    anna.assert_accessible("search results").await;

    // Its chat opens at the message, 80 messages back, marked and in view.
    anna.click(".search-hit").await;
    anna.wait_until(
        "the found message in view",
        "const m = document.querySelector('.message--found');
         if (!m || !m.textContent.includes('TTN 20450099')) return false;
         const box = document.querySelector('.chat__messages').getBoundingClientRect();
         const r = m.getBoundingClientRect();
         return r.top >= box.top && r.bottom <= box.bottom",
        vec![],
    )
    .await;
    anna.screenshot("/tmp/e2e-search.png").await;
    // The results stay beside the chat, the open one marked, to go through them in turn.
    anna.wait_text(".search-results__status", "0 clients and 1 message found.").await;
    let current = anna.js("return document.querySelector('.search-hit[aria-current=page]')?.textContent", vec![]).await;
    assert!(current.as_str().is_some_and(|t| t.contains("TTN 20450099")), "{current}");
    // The client found by name: the search keeps its place, the results are links.
    anna.client.find(fantoccini::Locator::Css("#inbox-search")).await.unwrap().clear().await.unwrap();
    anna.type_into("#inbox-search", "мельн").await;
    anna.wait_text(".search-results__status", "1 client and 0 messages found.").await;
    assert_eq!(anna.texts(".search-hit__name").await, ["Ірина Мельник"]);
    // Esc clears the search and the tabs come back.
    anna.type_into("#inbox-search", "\u{E00C}").await;
    anna.wait_text("#tab-unassigned", "Unassigned").await;
    for b in [visitor, anna] {
        b.close().await;
    }
}
