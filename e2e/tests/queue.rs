//! The queue as people use it: an administrator (Away: they supervise) sets the website
//! channel to "In turn" on the Queue page; a new dialog is offered to the one operator who is Online (the
//! other set themselves Away), only they see it, with the time left; when they go Away
//! it passes to their colleague, who takes it with Reply.

use el_e2e::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialog_is_offered_in_turn_to_the_operator_who_is_online() {
    let h = Harness::start().await;
    let (admin, anna, bob) = (h.browser().await, h.browser().await, h.browser().await);

    admin.sign_in("admin").await;
    // The administrator supervises: they take no dialogs in turn themselves.
    admin.click_text("button.presence", "Online").await;
    admin.wait_text("button.presence", "Away").await;
    admin.click_text(".topbar a", "Settings").await;
    admin.click_text(".settings a", "Queue").await;
    admin.find("select[aria-label='Distribution for Website']").await;
    admin
        .js(
            "const s = document.querySelector(\"select[aria-label='Distribution for Website']\");
             s.value = 'in_turn'; s.dispatchEvent(new Event('change', {bubbles: true}));",
            vec![],
        )
        .await;
    let seconds = admin.find("input[aria-label='Offer time in seconds for Website']").await;
    seconds.clear().await.unwrap();
    seconds.send_keys("45").await.unwrap();
    admin.click("button[aria-label='Save Website']").await;
    admin.wait_text("[role=status]", "Website: In turn.").await;

    anna.sign_in("anna").await;
    bob.sign_in("bob").await;
    for person in [&anna, &bob] {
        person.wait_text(".dialog-list", "No new dialogs").await;
    }
    // Bob steps away.
    bob.click_text("button.presence", "Online").await;
    bob.wait_until(
        "Bob to be Away",
        "const b = document.querySelector('button.presence'); return b.innerText.includes('Away') && b.getAttribute('aria-pressed') === 'false'",
        vec![],
    )
    .await;
    admin
        .wait_until(
            "the Queue page to show Bob Away and Anna Online",
            "const rows = [...document.querySelectorAll('.queue__operators tr')].map(r => r.innerText);
         return rows.some(r => r.includes('Bob Marchenko') && r.includes('Away'))
             && rows.some(r => r.includes('Anna Kovalenko') && r.includes('Online'))",
            vec![],
        )
        .await;

    assert_eq!(admin.write_as_visitor("Olena Queue", "Is the navy one in stock?").await, json!(200));
    anna.wait_text(".dialog-row", "Olena Queue").await;
    anna.wait_text(".dialog-row .mark--offer", "Offered to you · 0:4").await;
    admin.wait_text(".queue__waiting", "Offered to Anna Kovalenko").await;
    assert!(!bob.texts(".dialog-list").await.concat().contains("Olena Queue"), "Bob is Away: not offered to him");

    // Anna goes Away and Bob comes back: the dialog passes to him.
    bob.click_text("button.presence", "Away").await;
    bob.wait_text("button.presence", "Online").await;
    anna.click_text("button.presence", "Online").await;
    bob.wait_text(".dialog-row .mark--offer", "Offered to you").await;
    anna.wait_no_text(".dialog-list", "Olena Queue").await;
    admin.wait_text(".queue__waiting", "Offered to Bob Marchenko").await;

    // Opened, the chat says so beside its Reply.
    bob.click_text(".dialog-row__name", "Olena Queue").await;
    bob.wait_text(".chat__bar .mark--offer", "Offered to you").await;
    bob.click("button[aria-label='Reply to Olena Queue']").await;
    bob.wait_text(".chat__header h2", "Olena Queue").await;
    bob.wait_text(".chat", "Bob Marchenko took the dialog").await;
    admin.wait_text(".queue", "No dialog is waiting.").await;
}
