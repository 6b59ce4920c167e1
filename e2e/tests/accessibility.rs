//! axe-core finds no serious or critical violation on any page or state a user reaches:
//! sign-in, the inbox tabs, a chat in each state with its menu and modals, quick replies,
//! CRM, Settings, the administrator's pages and the website widget; in the light theme
//! at a desk and in the dark theme (the user's choice in Settings) on a phone. The dark
//! theme also follows a system that asks for it, until the user chooses.

use el_e2e::{Browser, Harness};
use serde_json::json;

/// True when the page's background (set on `<html>`) is dark.
const DARK: &str =
    "const [r, g, b] = getComputedStyle(document.documentElement).backgroundColor.match(/\\d+/g).map(Number);
                    return r + g + b < 120";

async fn menu(b: &Browser, item: &str) {
    b.click("button[aria-label='Dialog actions']").await;
    b.click_text("[role=menu] [role=menuitem]", item).await;
}

async fn close_modal(b: &Browser) {
    b.click("[role=dialog] .modal__close").await;
    b.wait_until("the modal to close", "return !document.querySelector('[role=dialog]')", vec![]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_state_passes_axe_in_light_and_dark() {
    let h = Harness::start().await;
    let visitor = h.browser().await;
    visitor.goto("/widget/demo").await;
    for name in ["Olena", "Taras"] {
        assert_eq!(visitor.write_as_visitor(name, "Do you deliver to Lviv?").await, json!(200));
    }
    visitor.assert_accessible("the widget's demo page").await;
    visitor.open_widget().await;
    visitor.assert_accessible("the widget").await;

    let anna = h.browser().await;
    anna.goto("/login").await;
    anna.find("#login").await;
    anna.assert_accessible("sign-in").await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Olena").await;
    anna.assert_accessible("inbox, Unassigned").await;
    anna.click_text(".inbox__head button", "Shortcuts").await;
    anna.find("[role=dialog]").await;
    anna.assert_accessible("keyboard shortcuts").await;
    close_modal(&anna).await;

    anna.click_text(".dialog-row__open", "Olena").await;
    anna.wait_text(".chat__messages", "Do you deliver to Lviv?").await;
    anna.assert_accessible("chat, Unassigned").await;
    anna.click_text(".chat__bar button", "Reply").await;
    anna.find(".composer__input").await;
    anna.assert_accessible("chat, Active").await;
    anna.click_text(".crm-block button", "Create lead").await;
    anna.wait_text(".crm-chip", "Olena").await;
    anna.type_into(".composer__input", "/").await;
    anna.find("#quick-replies").await;
    anna.assert_accessible("quick replies offered").await;
    anna.type_into(".composer__input", "\u{E00C}").await; // Escape

    anna.click("button[aria-label='Dialog actions']").await;
    anna.find("[role=menu]").await;
    anna.assert_accessible("the dialog menu").await;
    anna.click("button[aria-label='Dialog actions']").await;
    for item in ["Add to dialog", "Redirect", "Rename"] {
        menu(&anna, item).await;
        anna.find("[role=dialog]").await;
        anna.assert_accessible(item).await;
        close_modal(&anna).await;
    }
    anna.click(".chat__name").await;
    anna.find("[role=dialog]").await;
    anna.assert_accessible("dialog details").await;
    close_modal(&anna).await;
    anna.click_text(".chat__actions button", "End dialog").await;
    anna.find("[role=dialog]").await;
    anna.assert_accessible("End dialog confirmation").await;
    anna.click_text("[role=dialog] .button--primary", "End dialog").await;
    anna.wait_text(".chat__bar", "Start").await;
    anna.assert_accessible("chat, Ended").await;
    anna.click("#tab-inactive").await;
    anna.assert_accessible("inbox, Inactive").await;

    for (path, ready) in
        [("/crm/leads", ".crm__header"), ("/settings", ".settings"), ("/settings/quick-replies", ".settings")]
    {
        anna.goto(path).await;
        anna.find(ready).await;
        anna.assert_accessible(path).await;
    }
    anna.goto("/crm/leads").await;
    anna.click_text(".crm-table a", "Olena").await;
    anna.wait_text(".card__fields", "Responsible").await;
    anna.assert_accessible("a lead's card").await;
    anna.click_text(".card__main button", "Edit").await;
    anna.find(".record-form").await;
    anna.assert_accessible("a lead's card, editing").await;

    let admin = h.browser().await;
    admin.sign_in("admin").await;
    for (path, ready) in [
        ("/settings/roles", ".roles__table"),
        ("/settings/integrations", ".integrations"),
        ("/settings/queue", ".queue__operators tbody tr"),
    ] {
        admin.goto(path).await;
        admin.find(ready).await;
        admin.assert_accessible(path).await;
    }

    // A phone in the dark theme, chosen in Settings.
    let taras = h.phone().await;
    taras.sign_in("bob").await;
    taras.goto("/settings").await;
    taras.click_text(".settings__choice label", "Dark").await;
    taras.wait_until("the dark theme", "return document.documentElement.dataset.theme === 'dark'", vec![]).await;
    taras.wait_until("dark colours", DARK, vec![]).await;
    taras.assert_accessible("Settings, dark, phone").await;
    taras.goto("/lines").await;
    taras.wait_text(".dialog-row__name", "Taras").await;
    assert_eq!(taras.js(DARK, vec![]).await, json!(true), "the theme holds on other pages");
    taras.assert_accessible("inbox, dark, phone").await;
    taras.click_text(".dialog-row__open", "Taras").await;
    taras.wait_text(".chat__messages", "Do you deliver to Lviv?").await;
    taras.assert_accessible("chat, dark, phone").await;
    taras.click_text(".topbar__menu-toggle", "Menu").await;
    taras.assert_accessible("menu, dark, phone").await;
    taras.screenshot("/tmp/e2e-dark-phone.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dark_system_gets_the_dark_theme_until_the_user_picks_light() {
    let h = Harness::start().await;
    let erin = h.dark_system().await;
    erin.goto("/login").await;
    erin.find("#login").await;
    erin.wait_until("dark colours on the sign-in page", DARK, vec![]).await;
    erin.assert_accessible("sign-in, dark system").await;
    erin.sign_in("erin").await;
    erin.goto("/settings").await;
    erin.find(".settings__choice").await;
    assert_eq!(erin.js(DARK, vec![]).await, json!(true), "the system's choice while the user has none");
    erin.click_text(".settings__choice label", "Light").await;
    erin.wait_until("the light theme", "return document.documentElement.dataset.theme === 'light'", vec![]).await;
    assert_eq!(erin.js(DARK, vec![]).await, json!(false), "the user's choice wins");
    erin.goto("/login").await;
    erin.find(".topbar, #login").await;
    assert_eq!(erin.js(DARK, vec![]).await, json!(false), "and is remembered on the next page load");
}
