//! English and Ukrainian: the browser's languages choose, the user's setting wins, and
//! the website widget follows its visitor or the host page's `data-lang`.

use el_e2e::Harness;
use serde_json::json;

const LANG: &str = "return document.documentElement.lang";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ukrainian_browser_gets_ukrainian_until_the_user_picks_english() {
    let h = Harness::start().await;
    let olena = h.speaking("uk-UA").await;
    olena.goto("/login").await;
    olena.wait_text("h1", "Увійти").await;
    assert_eq!(olena.js(LANG, vec![]).await, json!("uk"));
    olena.assert_accessible("sign-in, Ukrainian").await;
    olena.sign_in("anna").await;
    olena.wait_text(".tabs", "Нерозподілені").await;
    assert_eq!(olena.write_as_visitor("Mykola", "Чи є доставка до Львова?").await, json!(200));
    olena.wait_text(".dialog-list", "Чи є доставка до Львова?").await;
    olena.click_text(".dialog-row__reply", "Відповісти").await;
    olena.wait_text(".chat__day", "Сьогодні").await;
    olena.wait_text(".message--system", "Anna Kovalenko взяв(ла) діалог").await;
    olena.find("textarea[placeholder^='Напишіть повідомлення']").await;
    olena.wait_text(".chat__actions", "Завершити діалог").await;
    olena.assert_accessible("chat, Ukrainian").await;
    olena.screenshot("/tmp/e2e-uk-chat.png").await;

    olena.goto("/settings").await;
    olena.wait_text("h1", "Налаштування").await;
    olena.click_text(".settings__choice label", "English").await;
    olena.wait_text("h1", "Settings").await;
    assert_eq!(olena.js(LANG, vec![]).await, json!("en"));
    olena.goto("/lines").await;
    olena.wait_text(".tabs", "Active").await;
    olena.goto("/login").await;
    olena.find(".topbar").await;
    olena.wait_text(".topbar", "Sign out").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_speaks_the_visitors_language_unless_the_page_sets_one() {
    let h = Harness::start().await;
    let visitor = h.speaking("uk-UA").await;
    visitor.goto("/widget/demo").await;
    let button = "return document.querySelector('[data-external-lines=button]').getAttribute('aria-label')";
    visitor.wait_until("the loader's button in Ukrainian", &format!("{button} === 'Закрити чат'"), vec![]).await;
    visitor.client.enter_frame(0).await.unwrap();
    visitor.wait_text("h1", "Напишіть нам").await;
    visitor.find("textarea[aria-label='Повідомлення']").await;
    assert_eq!(visitor.js(LANG, vec![]).await, json!("uk"));
    visitor.assert_accessible("widget, Ukrainian").await;

    visitor.goto("/widget/demo?lang=en").await;
    visitor.find("iframe[data-external-lines=frame]").await;
    visitor.wait_until("the loader's button in English", &format!("{button} === 'Close chat'"), vec![]).await;
    visitor.client.enter_frame(0).await.unwrap();
    visitor.wait_text("h1", "Chat with us").await;
    assert_eq!(visitor.js(LANG, vec![]).await, json!("en"));
}
