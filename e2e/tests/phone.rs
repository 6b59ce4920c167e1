//! On a 390x844 phone the operator app shows one column at a time: the list, then the
//! chat with Back; the sections and Sign out are in a menu; nothing is wider than the screen.

use el_e2e::{Harness, ENTER};
use serde_json::json;

/// True when nothing on the page is wider than the screen.
const FITS: &str = "return document.documentElement.scrollWidth <= window.innerWidth";
/// Whether an element is shown (has a box).
const SHOWN: &str = "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_answers_from_a_phone() {
    let h = Harness::start().await;
    let visitor = h.browser().await;
    visitor.goto("/widget/demo").await;
    assert_eq!(visitor.write_as_visitor("Olena", "Do you deliver to Lviv?").await, json!(200));

    let anna = h.phone().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Olena").await;
    assert_eq!(anna.js(FITS, vec![]).await, json!(true), "the inbox fits the phone");
    assert_eq!(anna.js(SHOWN, vec![json!(".inbox__side")]).await, json!(true));
    assert_eq!(anna.js(SHOWN, vec![json!(".inbox__main")]).await, json!(false), "the chat column waits");
    assert_eq!(anna.js(SHOWN, vec![json!(".topbar__nav")]).await, json!(false), "sections are in the menu");
    anna.screenshot("/tmp/e2e-phone-inbox.png").await;

    // Tapping the dialog shows its chat instead of the list.
    anna.click_text(".dialog-row__open", "Olena").await;
    anna.wait_text(".message--client", "Do you deliver to Lviv?").await;
    assert_eq!(anna.js(SHOWN, vec![json!(".inbox__side")]).await, json!(false), "the list steps aside");
    assert_eq!(anna.js(FITS, vec![]).await, json!(true), "the chat fits the phone");

    // Reply puts the cursor in the message box; the answer is sent from there.
    anna.click_text(".chat__bar button", "Reply").await;
    anna.wait_until(
        "the message box to have focus",
        "return document.activeElement?.matches('textarea.composer__input') === true",
        vec![],
    )
    .await;
    anna.type_into("textarea.composer__input", &format!("Yes, in two days.{ENTER}")).await;
    anna.wait_text(".chat__messages", "Yes, in two days.").await;
    anna.screenshot("/tmp/e2e-phone-chat.png").await;
    assert_eq!(anna.js(FITS, vec![]).await, json!(true));

    // Back returns to the list, on the tab the dialog is in now.
    anna.click_text(".chat__back", "Back").await;
    anna.wait_until("the list", &SHOWN.replace("arguments[0]", "'.inbox__side'"), vec![]).await;
    anna.wait_text(".tab--active", "Active").await;
    anna.wait_text(".dialog-row__name", "Olena").await;

    // The menu holds the sections and Sign out.
    anna.click_text(".topbar__menu-toggle", "Menu").await;
    assert_eq!(
        anna.js("return document.querySelector('.topbar__menu-toggle').ariaExpanded", vec![]).await,
        json!("true")
    );
    anna.screenshot("/tmp/e2e-phone-menu.png").await;
    anna.click_text("#topbar-menu button", "Sign out").await;
    anna.wait_until("the sign-in page", "return location.pathname === '/login'", vec![]).await;
    assert_eq!(anna.js(FITS, vec![]).await, json!(true), "the sign-in page fits the phone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_website_chat_fills_a_phone_and_closes_from_its_header() {
    let h = Harness::start().await;
    let visitor = h.phone().await;
    // The demo page opens its chat at once (data-open).
    visitor.goto("/widget/demo").await;
    let fills = "const r = document.querySelector('iframe[data-external-lines=frame]').getBoundingClientRect();
                 return r.left === 0 && r.top === 0 && r.width === window.innerWidth && r.height === window.innerHeight";
    visitor.wait_until("the chat to fill the screen", fills, vec![]).await;
    assert_eq!(visitor.js(SHOWN, vec![json!("button[data-external-lines=button]")]).await, json!(false));

    visitor.client.enter_frame(0).await.unwrap();
    visitor.find("textarea[aria-label=Message]").await;
    visitor.screenshot("/tmp/e2e-phone-widget.png").await;
    visitor.click("button[aria-label='Close chat']").await;
    visitor.client.enter_parent_frame().await.unwrap();
    visitor
        .wait_until(
            "the chat to close",
            "return getComputedStyle(document.querySelector('iframe[data-external-lines=frame]')).display === 'none'",
            vec![],
        )
        .await;
    let back = "return document.activeElement === document.querySelector('button[data-external-lines=button]')";
    assert_eq!(visitor.js(back, vec![]).await, json!(true), "focus is back on the chat button");
}
