//! The CRM from the chat and back, in Chromium with the demo users: dialog -> Create
//! lead -> convert to contact -> Create deal; the card's dialog block and External
//! lines field; Close dialog from the card menu; a returning client on the shop's
//! widget; and the seed's four permission cases (anna, carol, dave, erin).

use el_e2e::{Browser, Harness};
use serde_json::json;

/// The visitor in `b` writes `text` through the widget on `page`, and is back on the page.
async fn write_in_widget(b: &Browser, page: &str, name: Option<&str>, text: &str) {
    b.write_in_widget(page, name, text).await;
    b.client.enter_parent_frame().await.unwrap();
}

/// Waits until the page is a card of `plural` (`leads`, `contacts`...).
async fn on_card(b: &Browser, plural: &str) {
    b.wait_until(
        &format!("a {plural} card"),
        "return location.pathname.startsWith('/crm/' + arguments[0] + '/') && document.querySelector('.card') !== null",
        vec![json!(plural)],
    )
    .await;
}

async fn path(b: &Browser) -> String {
    b.js("return location.pathname", vec![]).await.as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialog_to_lead_contact_and_deal_then_back_from_the_cards() {
    let h = Harness::start().await;
    let client = h.browser().await;
    write_in_widget(&client, "/widget/demo", Some("Olena Moroz"), "Hello! I'd like 20 terracotta pots.").await;

    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Olena Moroz").await;
    anna.click(".dialog-row__reply").await;
    anna.wait_text(".crm-block", "Nothing linked yet").await;

    // Create lead: a system note and the lead in the block; its name opens the card.
    anna.click_text(".crm-block button", "Create lead").await;
    anna.wait_text(".crm-chip", "Olena Moroz").await;
    anna.wait_text(".message--system", "Lead created: Olena Moroz").await;
    let chat = path(&anna).await;
    anna.screenshot("/tmp/el-crm-chat.png").await;
    anna.click(".message--system a").await;
    on_card(&anna, "leads").await;
    anna.wait_text(".lines-field", "Olena Moroz").await;
    anna.wait_text(".dialog-block__item", "Hello! I'd like 20 terracotta pots.").await;

    // Convert into a contact; back in the chat the block shows it at once.
    anna.click_text(".card-block button", "Convert").await;
    anna.wait_text(".card-block__related", "Olena Moroz").await;
    anna.screenshot("/tmp/el-crm-lead-card.png").await;
    anna.goto(&chat).await;
    anna.find(".crm-chip a[href^='/crm/contacts/']").await;
    anna.wait_text(".message--system", "Lead converted to a contact: Olena Moroz").await;

    // Create deal: the quick form has the contact filled in.
    anna.click_text(".crm-block button", "Create deal").await;
    anna.find("[role=dialog]").await;
    anna.wait_text("[role=dialog] .deal-form__linked", "Olena Moroz").await;
    anna.click("[role=dialog] button[type=submit]").await;
    anna.wait_text("[role=dialog] .form-error", "Title is required.").await;
    anna.type_into("#deal-title", "20 terracotta pots").await;
    anna.type_into("#deal-amount", "1 500,50").await;
    anna.screenshot("/tmp/el-crm-deal-form.png").await;
    anna.click("[role=dialog] button[type=submit]").await;
    anna.wait_text(".crm-chip", "20 terracotta pots").await;
    anna.wait_text(".message--system", "Deal created: 20 terracotta pots").await;
    assert_eq!(anna.js("return document.querySelectorAll('[role=dialog]').length", vec![]).await, json!(0));

    // The contact's card: edit and save; its External lines field opens the chat.
    anna.click(".crm-chip a[href^='/crm/contacts/']").await;
    on_card(&anna, "contacts").await;
    anna.click_text(".card__main button", "Edit").await;
    anna.type_into("#record-phone", "+380 44 555 1234").await;
    anna.click_text(".record-form button", "Save").await;
    anna.wait_text("[role=status]", "Saved.").await;
    anna.wait_text(".card__fields", "+380 44 555 1234").await;
    let contact = path(&anna).await;
    anna.click(".lines-field__link").await;
    anna.wait_until("the chat to open", "return location.pathname === arguments[0]", vec![json!(chat)]).await;
    anna.wait_text(".chat__messages", "I'd like 20 terracotta pots").await;

    // The same client writes from the shop's widget: a new chat on the contact's card,
    // and no new lead.
    write_in_widget(&client, "/widget/demo?channel=shop-demo", None, "Also, do you sell saucers?").await;
    anna.goto(&contact).await;
    anna.wait_text(".dialog-block__item", "Also, do you sell saucers?").await;
    assert_eq!(anna.texts(".dialog-block__item").await.len(), 2);
    anna.wait_text(".lines-field", "Online shop").await;
    anna.screenshot("/tmp/el-crm-contact-card.png").await;
    anna.goto("/crm/leads").await;
    anna.wait_text(".crm__count", "1 of 1").await;
    anna.click_text(".checkbox", "External lines column").await;
    anna.wait_text(".crm-table", "Website").await;
    anna.screenshot("/tmp/el-crm-leads.png").await;
    // An address of no record or no list says so (not a new lead's form, not endless loading).
    // The last is no page of the app: the not-found page comes as a part of its own.
    for nowhere in ["/crm/leads/abc", "/crm/ghosts", "/crm/ghosts/1", "/no/such/page"] {
        anna.goto(nowhere).await;
        anna.wait_text("h1", "Page not found").await;
        assert!(anna.texts(".record-form, .crm-table").await.is_empty(), "{nowhere}");
    }
    anna.click_text("a", "Go to the start page").await;
    anna.wait_until("the inbox", "return location.pathname === '/lines'", vec![]).await;
    anna.goto("/crm/leads/new").await;
    anna.wait_text("h1", "New lead").await;

    // Close dialog from the card menu, without opening the chat.
    anna.goto(&contact).await;
    anna.wait_text(".dialog-block__item", "pots").await;
    let item = ".dialog-block__item:has(.mark--active) button[aria-label='Dialog actions']";
    anna.click(item).await;
    anna.click_text("[role=menu] [role=menuitem]", "Close dialog").await;
    anna.wait_text(".dialog-block__item", "Ended").await;
    assert_eq!(path(&anna).await, contact, "the chat did not open");
    // Clicking the last message opens the chat.
    anna.click_text(".dialog-block__message", "saucers").await;
    anna.wait_text(".chat__messages", "do you sell saucers").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_four_permission_cases_of_the_seed() {
    let h = Harness::start().await;
    let client = h.browser().await;
    write_in_widget(&client, "/widget/demo", Some("Taras Melnyk"), "Is the lavender in stock?").await;

    // 1. Anna (create + view all) takes the chat and creates the lead.
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Taras Melnyk").await;
    anna.click(".dialog-row__reply").await;
    anna.click_text(".crm-block button", "Create lead").await;
    anna.wait_text(".crm-chip", "Taras Melnyk").await;
    let annas_chat = path(&anna).await;

    // 2. Carol (no create, no view): no External lines, no CRM.
    let carol = h.browser().await;
    carol.sign_in("carol").await;
    assert_eq!(carol.texts(".topbar__nav a").await, vec!["Settings"]);
    carol.goto("/lines").await;
    carol.wait_text(".empty-state", "No access to External Lines").await;

    // The client writes again from the shop's widget: a new Unassigned chat.
    write_in_widget(&client, "/widget/demo?channel=shop-demo", None, "And rosemary?").await;

    // 4b. Erin (create + view own) opens it: a lead of her own is created for her.
    let erin = h.browser().await;
    erin.sign_in("erin").await;
    erin.wait_text(".dialog-row__preview", "And rosemary?").await;
    erin.click(".dialog-row__open").await;
    erin.wait_text(".message--system", "A lead was created for Erin Tkachenko: Taras Melnyk").await;
    erin.wait_text(".crm-chip a", "Taras Melnyk").await;
    erin.wait_text(".crm-chip--hidden", "No access").await;
    erin.screenshot("/tmp/el-crm-erin.png").await;

    // 3. Dave (create, no view) takes it: the leads are a placeholder, their cards closed.
    let dave = h.browser().await;
    dave.sign_in("dave").await;
    dave.wait_text(".dialog-row__preview", "And rosemary?").await;
    dave.click(".dialog-row__reply").await;
    dave.wait_text(".crm-chip--hidden", "No access").await;
    assert_eq!(dave.js("return document.querySelectorAll('.crm-chip a').length", vec![]).await, json!(0));
    dave.screenshot("/tmp/el-crm-dave.png").await;
    dave.goto("/crm/leads").await;
    dave.wait_text("[role=alert]", "Your role does not let you view leads.").await;
    dave.go_back().await;
    dave.find(".crm-block").await;

    // 4a. Her lead belongs to the chat it was opened from: its card lists that chat, not
    // Anna's, and reaches it read-only now that Dave works on it, until she joins.
    erin.click(".crm-chip a").await;
    on_card(&erin, "leads").await;
    erin.wait_text(".dialog-block__item", "And rosemary?").await;
    let listed = erin.texts(".dialog-block__item").await;
    assert!(!listed.iter().any(|t| t.contains("lavender")), "Anna's chat is not listed: {listed:?}");
    erin.click_text(".dialog-block__message", "rosemary").await;
    erin.wait_text(".join-banner", "Dave Bondarenko works on this dialog").await;
    assert_ne!(path(&erin).await, annas_chat);
    erin.click_text(".join-banner button", "Join").await;
    erin.find(".composer__input").await;

    // Roles change at once: the administrator gives Dave full access; his chat shows
    // the lead's name without a reload.
    let admin = h.browser().await;
    admin.sign_in("admin").await;
    admin.goto("/settings/roles").await;
    admin.find("select[aria-label='Role of Dave Bondarenko']").await;
    admin.screenshot("/tmp/el-crm-roles.png").await;
    let full = admin
        .js(
            "const o = [...document.querySelector(\"select[aria-label='Role of Dave Bondarenko']\").options].find(o => o.text === 'Full access'); return o.value",
            vec![],
        )
        .await;
    admin
        .js(
            "const s = document.querySelector(\"select[aria-label='Role of Dave Bondarenko']\"); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
            vec![full],
        )
        .await;
    admin.wait_text("[role=status]", "Saved.").await;
    dave.wait_text(".crm-chip a", "Taras Melnyk").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_inside_the_chat_offers_create_lead_at_once() {
    let h = Harness::start().await;
    let client = h.browser().await;
    write_in_widget(&client, "/widget/demo", Some("Iryna Bondar"), "Do you deliver to Odesa?").await;
    let anna = h.browser().await;
    anna.sign_in("anna").await;
    anna.wait_text(".dialog-row__name", "Iryna Bondar").await;
    // The seed's path (2): open the chat first, then Reply there.
    anna.click(".dialog-row__open").await;
    anna.click_text(".chat button", "Reply").await;
    anna.wait_text(".crm-block button", "Create lead").await;
}
