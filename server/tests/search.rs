//! Search across dialogs: clients by name, account, phone and email, messages by their
//! words (any letters, any case, word starts), and only in dialogs the user may open.

mod common;

use common::{ok, refused, Operator, TestServer};
use el_protocol::api::Author;
use el_protocol::crm::{Connections, Linked};
use el_protocol::search::SearchResults;
use serde_json::json;

impl Operator {
    async fn search(&self, q: &str) -> SearchResults {
        let q: String = url_encode(q);
        ok(self.get(&format!("/api/search?q={q}")).await).await
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Each message hit as "dialog name: snippet" with matches in [brackets].
fn shown(results: &SearchResults) -> Vec<String> {
    let snippet = |spans: &[el_protocol::search::Span]| -> String {
        spans.iter().map(|s| if s.hit { format!("[{}]", s.text) } else { s.text.clone() }).collect()
    };
    results.messages.iter().map(|m| format!("{}: {}", m.dialog.name, snippet(&m.snippet))).collect()
}

fn clients(results: &SearchResults) -> Vec<(String, Option<String>)> {
    results.dialogs.iter().map(|d| (d.dialog.name.clone(), d.matched.clone())).collect()
}

#[tokio::test]
async fn words_are_found_in_any_case_and_letters_only_where_the_user_may_look() {
    let server = TestServer::start().await;
    let olena = server.visitor("Олена Мороз").await;
    assert_eq!(olena.send("Чи доставляєте до Львова?", "o-1").await.status(), 200);
    let (taras, anna, taras_dialog) = server.taken_by("anna", "Taras Boiko").await;
    assert_eq!(taras.send("The PARCEL number is 4455", "t-1").await.status(), 200);
    assert_eq!(anna.send(taras_dialog, "Your **parcel** ships tomorrow", "a-1").await.status(), 200);
    assert_eq!(anna.note(taras_dialog, "Parcel insured, ask Bob", "n-1").await.status(), 200);

    // Anna works the dialog: the client's words, her answer and her note, best first.
    let found = anna.search("parcel").await;
    let mut lines = shown(&found);
    lines.sort();
    assert_eq!(
        lines,
        [
            "Taras Boiko: The [PARCEL] number is 4455",
            "Taras Boiko: Your [parcel] ships tomorrow",
            "Taras Boiko: [Parcel] insured, ask Bob",
        ]
    );
    assert!(found.messages.iter().any(|m| matches!(m.author, Author::Note { .. })), "notes are found by colleagues");
    // Word starts, other alphabets, any case.
    assert_eq!(shown(&anna.search("ЛЬВОВ").await), ["Олена Мороз: Чи доставляєте до [Львов]а?"]);
    assert_eq!(shown(&anna.search("доставл львов").await), ["Олена Мороз: Чи [доставл]яєте до [Львов]а?"]);
    assert!(anna.search("arcel").await.messages.is_empty(), "the middle of a word is not its start");

    // Bob may open every dialog; Erin (her own records only) is not in Taras's.
    assert_eq!(server.operator("bob").await.search("parcel").await.messages.len(), 3);
    let erin = server.operator("erin").await;
    assert!(erin.search("parcel").await.messages.is_empty(), "{:?}", erin.search("parcel").await);
    assert_eq!(erin.search("львова").await.messages.len(), 1, "Unassigned is everyone's");

    // Clients by any part of their name, in any case.
    assert_eq!(clients(&erin.search("мороз").await), [("Олена Мороз".to_string(), None)]);
    assert_eq!(clients(&anna.search("BOIK").await), [("Taras Boiko".to_string(), None)]);
    assert!(clients(&erin.search("boiko").await).is_empty());

    // System notes are not searched: "Anna Kovalenko took the dialog" says nothing.
    assert!(anna.search("took").await.messages.is_empty());
}

#[tokio::test]
async fn a_dialog_is_found_by_the_name_an_operator_gave_it() {
    let server = TestServer::start().await;
    let (_taras, anna, id) = server.taken_by("anna", "Taras Boiko").await;
    assert_eq!(anna.patch(id, json!({ "name": "Весільна сукня, замовлення 4417" })).await.status(), 200);
    assert_eq!(clients(&anna.search("сукня").await), [("Весільна сукня, замовлення 4417".to_string(), None)]);
    assert_eq!(clients(&anna.search("4417").await).len(), 1);
    // Erin (her own records only) may not open Anna's dialog: nothing.
    assert!(clients(&server.operator("erin").await.search("сукня").await).is_empty());
    // Renamed again, the old name finds nothing; back to the client's, the client's does.
    assert_eq!(anna.patch(id, json!({ "name": "VIP" })).await.status(), 200);
    assert!(clients(&anna.search("сукня").await).is_empty());
    assert_eq!(anna.patch(id, json!({ "name": "" })).await.status(), 200);
    assert!(clients(&anna.search("VIP").await).is_empty());
    assert_eq!(clients(&anna.search("boiko").await), [("Taras Boiko".to_string(), None)]);
}

#[tokio::test]
async fn clients_are_found_by_the_phone_and_email_of_records_the_user_may_see() {
    let server = TestServer::start().await;
    let (_taras, anna, id) = server.taken_by("anna", "Taras Boiko").await;
    let c: Connections = ok(anna.post(&format!("/api/dialogs/{id}/crm/lead"), json!({})).await).await;
    let lead = c
        .linked
        .iter()
        .find_map(|l| match l {
            Linked::Shown { record } => Some(record.id),
            _ => None,
        })
        .unwrap();
    let fields = json!({"name": "Taras Boiko", "phone": "+380 (44) 555-12-34", "email": "taras@garden.ua"});
    let put = anna.http.put(format!("{}/api/crm/leads/{lead}", anna.base)).json(&fields).send().await.unwrap();
    assert_eq!(put.status(), 200);

    for q in ["0445551234", "044 555 12 34", "+380 44 555"] {
        assert_eq!(
            clients(&anna.search(q).await),
            [("Taras Boiko".to_string(), Some("+380 (44) 555-12-34".to_string()))],
            "{q}"
        );
    }
    assert_eq!(
        clients(&anna.search("TARAS@garden").await),
        [("Taras Boiko".to_string(), Some("taras@garden.ua".to_string()))]
    );
    // Bob sees every lead; Erin sees only hers, and may not open the dialog anyway.
    assert_eq!(clients(&server.operator("bob").await.search("0445551234").await).len(), 1);
    assert!(clients(&server.operator("erin").await.search("0445551234").await).is_empty());
}

#[tokio::test]
async fn a_search_needs_words_and_a_signed_in_user_with_lines() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    assert_eq!(refused(anna.get("/api/search?q=x").await, 400).await, "Type at least 2 letters or digits to search.");
    assert_eq!(
        refused(anna.get("/api/search?q=%21%21%21").await, 400).await,
        "Type at least 2 letters or digits to search."
    );
    refused(anna.get("/api/search").await, 400).await;
    let long = "a".repeat(201);
    assert!(refused(anna.get(&format!("/api/search?q={long}")).await, 400).await.contains("too long"));
    // Quotes, stars and operators of the index are plain characters to a user.
    let odd = anna.search("\"parcel* OR NEAR(a b)").await;
    assert!(odd.messages.is_empty() && odd.dialogs.is_empty());
    let anonymous = reqwest::get(server.url("/api/search?q=parcel")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

/// Words are found without their accents, both ways, on either database.
#[tokio::test]
async fn words_are_found_without_their_accents() {
    let server = TestServer::start().await;
    let (client, anna, _) = server.taken_by("anna", "Zoe Martin").await;
    assert_eq!(client.send("Un café crème, s'il vous plaît", "z-1").await.status(), 200);
    assert_eq!(client.send("A naive question", "z-2").await.status(), 200);
    let texts = |found: SearchResults| -> Vec<String> {
        found.messages.iter().map(|m| m.snippet.iter().map(|s| s.text.as_str()).collect()).collect()
    };
    assert_eq!(texts(anna.search("cafe creme").await), ["Un café crème, s'il vous plaît"]);
    assert_eq!(texts(anna.search("PLAIT").await), ["Un café crème, s'il vous plaît"]);
    assert_eq!(texts(anna.search("naïve").await), ["A naive question"]);
}
