//! The CRM and the chat's CRM connections under the seed's four permission cases and a
//! mixed role: every endpoint allowed or refused, nothing of a record leaking to a user
//! who may not see it (guessed ids included), and roles that change at once.

mod common;

use common::{ok, refused, Operator, TestServer};
use el_protocol::api::{Author, ChatSnapshot, DialogSummary};
use el_protocol::crm::{Connections, Entity, Linked, Record, RecordBrief, RecordList};
use el_protocol::events::{Frame, UserEvent};
use el_protocol::permissions::RolesOverview;
use el_protocol::RecordId;
use el_server::demo::DEMO_SHOP_KEY;
use serde_json::json;

impl Operator {
    async fn crm(&self, dialog: i64, action: &str, body: serde_json::Value) -> reqwest::Response {
        self.post(&format!("/api/dialogs/{dialog}/crm/{action}"), body).await
    }

    async fn create_lead(&self, dialog: i64) -> Connections {
        ok(self.crm(dialog, "lead", json!({})).await).await
    }
}

/// The only record of `entity` shown in the block.
fn shown(c: &Connections, entity: Entity) -> RecordBrief {
    let mut found = c.linked.iter().filter_map(|l| match l {
        Linked::Shown { record } if record.entity == entity => Some(record.clone()),
        _ => None,
    });
    let record = found.next().unwrap_or_else(|| panic!("a shown {entity:?} in {c:?}"));
    assert!(found.next().is_none(), "one {entity:?} in {c:?}");
    record
}

fn card(entity: Entity, id: RecordId) -> String {
    format!("/api/crm/{}/{id}", entity.plural())
}

#[tokio::test]
async fn dialog_to_lead_to_contact_to_deal() {
    let server = TestServer::start().await;
    let (_, anna, id) = server.taken_by("anna", "Olena Moroz").await;

    let c: Connections = ok(anna.crm(id, "open", json!({})).await).await;
    assert!(c.linked.is_empty() && c.can_create_lead && !c.can_create_deal, "{c:?}");
    let c = anna.create_lead(id).await;
    let lead = shown(&c, Entity::Lead);
    assert_eq!(lead.title, "Olena Moroz");
    assert!(!c.can_create_lead && c.can_create_deal, "{c:?}");
    refused(anna.crm(id, "lead", json!({})).await, 409).await;

    let chat: ChatSnapshot = anna.chat(id).await;
    let note = chat.messages.last().unwrap();
    assert!(matches!(note.author, Author::System));
    assert_eq!(note.text, "Lead created: Olena Moroz");
    assert_eq!(note.record.map(|r| (r.entity, r.id)), Some((Entity::Lead, lead.id)));

    let record: Record = ok(anna.get(&card(Entity::Lead, lead.id)).await).await;
    assert_eq!(record.fields.source, "Website");
    assert_eq!(record.lines.len(), 1, "the External lines field");
    assert_eq!(record.lines[0].dialog_id.0, id);
    assert_eq!(record.lines[0].account, "Olena Moroz");

    let edited =
        json!({"name": "Olena Moroz", "phone": "+380 44 555 1234", "email": "olena@garden.ua", "source": "Website"});
    let saved: Record = ok(anna.put(&card(Entity::Lead, lead.id), edited).await).await;
    assert_eq!(saved.fields.email, "olena@garden.ua");

    let converted: Record = ok(anna
        .post(&format!("{}/convert", card(Entity::Lead, lead.id)), json!({"contact": true, "company": false}))
        .await)
    .await;
    assert!(converted.converted);
    let contact = converted.related.iter().find(|r| r.entity == Entity::Contact).expect("the new contact").clone();
    refused(
        anna.post(&format!("{}/convert", card(Entity::Lead, lead.id)), json!({"contact": true, "company": false}))
            .await,
        409,
    )
    .await;

    let c: Connections = ok(anna.get(&format!("/api/dialogs/{id}/crm")).await).await;
    assert_eq!(shown(&c, Entity::Contact).id, contact.id, "the block shows the contact at once");
    assert_eq!(c.deal_contact.as_ref().map(|b| b.id), Some(contact.id), "the deal form fills the contact in");
    let contact_card: Record = ok(anna.get(&card(Entity::Contact, contact.id)).await).await;
    assert_eq!(contact_card.fields.phone, "+380 44 555 1234");
    assert_eq!(contact_card.lines.len(), 1, "the contact has the External lines field too");

    refused(anna.crm(id, "deals", json!({"title": " ", "stage": "new"})).await, 400).await;
    let deal = json!({"title": "Terracotta pots", "amount": 150_000, "stage": "new", "contact": contact.id});
    let c: Connections = ok(anna.crm(id, "deals", deal).await).await;
    let deal = shown(&c, Entity::Deal);
    let deal_card: Record = ok(anna.get(&card(Entity::Deal, deal.id)).await).await;
    assert_eq!((deal_card.fields.amount, deal_card.fields.contact), (Some(150_000), Some(contact.id)));
    assert_eq!(anna.chat(id).await.messages.last().unwrap().text, "Deal created: Terracotta pots");

    // The dialog block of the lead and of the contact made from it.
    for (entity, rid) in [(Entity::Lead, lead.id), (Entity::Contact, contact.id)] {
        let dialogs: Vec<DialogSummary> = ok(anna.get(&format!("{}/dialogs", card(entity, rid))).await).await;
        assert_eq!(dialogs.iter().map(|d| d.id.0).collect::<Vec<_>>(), vec![id]);
        // The last word of the client or an operator, not the system's notes.
        assert_eq!(dialogs[0].last_message.as_ref().unwrap().text, "Hello");
    }

    // Close dialog from the card menu is the dialog's End.
    let ended: DialogSummary = ok(anna.act(id, "end", json!({})).await).await;
    assert_eq!(ended.state, el_protocol::api::DialogState::Ended);
}

#[tokio::test]
async fn lists_search_sort_and_validate() {
    let server = TestServer::start().await;
    let anna = server.operator("anna").await;
    for (name, phone) in [("Bohdan Lysenko", "+380501112233"), ("Ada Rudenko", ""), ("Zoia 100%_off", "")] {
        let _: Record = ok(anna.post("/api/crm/contacts", json!({"name": name, "phone": phone})).await).await;
    }
    let all: RecordList = ok(anna.get("/api/crm/contacts?sort=name").await).await;
    let long = "x".repeat(60_000);
    assert_eq!(
        refused(anna.get(&format!("/api/crm/contacts?q={long}")).await, 400).await,
        "The search is too long: at most 200 characters."
    );
    let names: Vec<_> = all.records.iter().map(|r| r.fields.name.as_str()).collect();
    assert_eq!(names, ["Ada Rudenko", "Bohdan Lysenko", "Zoia 100%_off"]);
    assert_eq!(all.total, 3);
    let found: RecordList = ok(anna.get("/api/crm/contacts?q=11%2022").await).await;
    assert_eq!(found.total, 0, "phone search matches the stored text");
    let found: RecordList = ok(anna.get("/api/crm/contacts?q=501112").await).await;
    assert_eq!(found.records[0].fields.name, "Bohdan Lysenko");
    let found: RecordList = ok(anna.get("/api/crm/contacts?q=%25_").await).await;
    assert_eq!(found.total, 1, "% and _ are searched literally");
    let paged: RecordList = ok(anna.get("/api/crm/contacts?sort=name&desc=true&limit=1&offset=1").await).await;
    assert_eq!((paged.total, paged.records[0].fields.name.as_str()), (3, "Bohdan Lysenko"));

    assert_eq!(refused(anna.post("/api/crm/leads", json!({"name": ""})).await, 400).await, "Name is required.");
    let bad = refused(anna.post("/api/crm/contacts", json!({"name": "X", "email": "x@"})).await, 400).await;
    assert!(bad.starts_with("Email"), "{bad}");
    refused(anna.get("/api/crm/lead?sort=sideways").await, 400).await;
    refused(anna.get("/api/crm/planets").await, 404).await;
    let deal = json!({"name": "Pots", "contact": 999_999});
    assert_eq!(refused(anna.post("/api/crm/deals", deal).await, 400).await, "Choose a contact you can see.");

    // A lead becomes a contact and a company at once: the contact works there.
    let lead: Record =
        ok(anna.post("/api/crm/leads", json!({"name": "Sunflower Ltd", "phone": "+380441112233"})).await).await;
    let convert = format!("{}/convert", card(Entity::Lead, lead.id));
    let none = refused(anna.post(&convert, json!({"contact": false, "company": false})).await, 400).await;
    assert_eq!(none, "Choose what the lead becomes: a contact, a company, or both.");
    let lead: Record = ok(anna.post(&convert, json!({"contact": true, "company": true})).await).await;
    let made = |e: Entity| lead.related.iter().find(|r| r.entity == e).expect("made").id;
    let contact: Record = ok(anna.get(&card(Entity::Contact, made(Entity::Contact))).await).await;
    assert_eq!(contact.fields.company, Some(made(Entity::Company)));
    assert_eq!(contact.fields.phone, "+380441112233");
}

#[tokio::test]
async fn case_2_no_create_no_view_reaches_nothing() {
    let server = TestServer::start().await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    let lead = shown(&anna.create_lead(id).await, Entity::Lead);
    let carol = server.operator("carol").await;
    for entity in Entity::ALL {
        refused(carol.get(&format!("/api/crm/{}", entity.plural())).await, 403).await;
        refused(carol.post(&format!("/api/crm/{}", entity.plural()), json!({"name": "X"})).await, 403).await;
    }
    refused(carol.get(&card(Entity::Lead, lead.id)).await, 404).await;
    refused(carol.get(&format!("{}/dialogs", card(Entity::Lead, lead.id))).await, 404).await;
    for action in ["open", "lead", "deals", "link"] {
        refused(carol.crm(id, action, json!({"title": "x", "stage": "new", "id": lead.id})).await, 403).await;
    }
    refused(carol.get(&format!("/api/dialogs/{id}/crm")).await, 403).await;
}

#[tokio::test]
async fn case_3_create_without_view_works_chats_but_sees_no_record() {
    let server = TestServer::start().await;
    let (_, dave, id) = server.taken_by("dave", "Olena").await;
    let c = dave.create_lead(id).await;
    assert_eq!(c.linked, vec![Linked::Hidden { entity: Entity::Lead }], "a no-access placeholder");
    let note = dave.chat(id).await.messages.last().unwrap().clone();
    assert_eq!((note.text.as_str(), note.record), ("Lead created", None), "the note names no record to Dave");
    let admins = server.operator("admin").await.chat(id).await;
    let lead_id = admins.messages.last().unwrap().record.expect("the note names the lead to who may see it").id;
    for entity in [Entity::Lead, Entity::Contact] {
        refused(dave.get(&format!("/api/crm/{}", entity.plural())).await, 403).await;
    }
    refused(dave.get(&card(Entity::Lead, lead_id)).await, 404).await;
    refused(dave.put(&card(Entity::Lead, lead_id), json!({"name": "Renamed"})).await, 404).await;
    refused(
        dave.post(&format!("{}/convert", card(Entity::Lead, lead_id)), json!({"contact": true, "company": false}))
            .await,
        404,
    )
    .await;
    refused(dave.get(&format!("{}/dialogs", card(Entity::Lead, lead_id))).await, 404).await;
    // Creating still works; the answer is only what Dave typed.
    let made: Record = ok(dave.post("/api/crm/leads", json!({"name": "Walk-in"})).await).await;
    assert!(made.lines.is_empty() && made.related.is_empty());
    // Anna, who sees all, finds the lead Dave made with its chat.
    let anna = server.operator("anna").await;
    let record: Record = ok(anna.get(&card(Entity::Lead, lead_id)).await).await;
    assert_eq!(record.lines[0].dialog_id.0, id);
}

#[tokio::test]
async fn case_4_own_records_link_or_a_new_own_lead() {
    let server = TestServer::start().await;
    let (visitor, anna, id) = server.taken_by("anna", "Olena").await;
    let annas = shown(&anna.create_lead(id).await, Entity::Lead);
    let erin = server.operator("erin").await;
    let erin_id = erin.me().await.user.id;

    // Erin sees only her own records: Anna's lead and chat stay closed to her.
    refused(erin.get(&card(Entity::Lead, annas.id)).await, 404).await;
    refused(erin.get(&format!("/api/dialogs/{id}")).await, 404).await;
    let list: RecordList = ok(erin.get("/api/crm/leads").await).await;
    assert_eq!(list.total, 0);

    // (b) The client writes again from the shop's widget: a new chat, no new lead. Erin
    // opens its CRM connections and gets a lead of her own, with a system note.
    let again = server.visitor_on(DEMO_SHOP_KEY, "Olena", Some(&visitor)).await;
    assert_eq!(again.send("It's me again", "again-1").await.status(), 200);
    let second = erin.inbox().await.dialogs().find(|d| d.channel_name == "Online shop").expect("the new chat").id.0;
    assert_ne!(second, id);
    let leads: RecordList = ok(anna.get("/api/crm/leads").await).await;
    assert_eq!(leads.total, 1, "recognized by the account: no new lead");
    let c: Connections = ok(anna.get(&format!("/api/dialogs/{second}/crm")).await).await;
    assert_eq!(shown(&c, Entity::Lead).id, annas.id, "the new chat shows the existing lead");

    let mut socket = erin.socket(erin.inbox().await.as_of).await;
    socket.replay().await;
    let c: Connections = ok(erin.crm(second, "open", json!({})).await).await;
    let erins = shown(&c, Entity::Lead);
    // The lead belongs to the chat it was opened from: Anna's chat stays closed to Erin,
    // and her socket hears nothing of it.
    refused(erin.get(&format!("/api/dialogs/{id}")).await, 404).await;
    while let Some(frame) = socket.frame_within::<el_protocol::events::UserEvent>(500).await {
        if let el_protocol::events::Frame::Event { event, .. } = frame {
            assert_ne!(event.event.dialog_id().0, id, "nothing of Anna's chat reaches Erin: {event:?}");
        }
    }
    assert_ne!(erins.id, annas.id);
    assert!(c.linked.contains(&Linked::Hidden { entity: Entity::Lead }), "Anna's lead stays a placeholder");
    let note = erin.chat(second).await.messages.last().unwrap().clone();
    assert_eq!(note.text, "A lead was created for Erin Tkachenko: Olena");
    let record: Record = ok(erin.get(&card(Entity::Lead, erins.id)).await).await;
    assert_eq!(record.responsible, erin_id);
    let c: Connections = ok(erin.crm(second, "open", json!({})).await).await;
    assert_eq!(c.linked.len(), 2, "opening again creates nothing more: {c:?}");

    // Her lead's card shows only the chat it came from.
    let dialogs: Vec<DialogSummary> = ok(erin.get(&format!("{}/dialogs", card(Entity::Lead, erins.id))).await).await;
    assert_eq!(dialogs.iter().map(|d| d.id.0).collect::<Vec<_>>(), vec![second]);
    let leads: RecordList = ok(erin.get("/api/crm/leads").await).await;
    assert_eq!(leads.records.iter().map(|r| r.id).collect::<Vec<_>>(), vec![erins.id]);
    assert_eq!(leads.records[0].lines.len(), 1, "only that chat in the External lines field");

    // (a) Made responsible for the client's existing lead, Erin reaches Anna's chat from
    // its card, read-only until she joins.
    let admin = server.operator("admin").await;
    let lead: Record = ok(admin.get(&card(Entity::Lead, annas.id)).await).await;
    let changed = admin
        .http
        .put(format!("{}{}", admin.base, card(Entity::Lead, annas.id)))
        .json(&el_protocol::crm::RecordInput { fields: lead.fields, responsible: Some(erin_id) })
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());
    let chat = erin.chat(id).await;
    assert_eq!(chat.dialog.members.len(), 1);
    refused(erin.send(id, "hello", "e-1").await, 403).await;
    let joined: DialogSummary = ok(erin.act(id, "join", json!({})).await).await;
    assert_eq!(joined.members.len(), 2);
}

#[tokio::test]
async fn a_duplicate_contact_is_offered_and_linked_instead() {
    let server = TestServer::start().await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    let existing: Record =
        ok(anna.post("/api/crm/contacts", json!({"name": "Olena Moroz", "email": "Olena@Garden.ua"})).await).await;
    let lead = shown(&anna.create_lead(id).await, Entity::Lead);
    let _: Record =
        ok(anna.put(&card(Entity::Lead, lead.id), json!({"name": "Olena", "email": "olena@garden.ua"})).await).await;
    let c: Connections = ok(anna.get(&format!("/api/dialogs/{id}/crm")).await).await;
    assert_eq!(c.suggestions.iter().map(|s| s.id).collect::<Vec<_>>(), vec![existing.id]);
    // Erin cannot see Anna's contact, so it is never offered to her, nor linkable.
    let (_, erin, other) = server.taken_by("erin", "Someone").await;
    refused(erin.crm(other, "link", json!({"id": existing.id})).await, 404).await;

    let c: Connections = ok(anna.crm(id, "link", json!({"id": existing.id})).await).await;
    assert_eq!(shown(&c, Entity::Contact).id, existing.id);
    assert!(c.suggestions.is_empty());
    assert_eq!(anna.chat(id).await.messages.last().unwrap().text, "Contact linked: Olena Moroz");
}

#[tokio::test]
async fn mixed_role_follows_each_entity_and_changes_apply_at_once() {
    let server = TestServer::start().await;
    let admin = server.operator("admin").await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    let lead = shown(&anna.create_lead(id).await, Entity::Lead);
    let contact: Record = ok(anna.post("/api/crm/contacts", json!({"name": "Taras"})).await).await;

    let bob = server.operator("bob").await;
    refused(bob.get("/api/roles").await, 403).await;
    refused(bob.post("/api/roles", json!({"name": "Mine", "leads": {"create": true, "view": "all"}, "contacts": {"create": true, "view": "all"}})).await, 403).await;

    let mixed = json!({"name": "Leads all, contacts own",
        "leads": {"create": true, "view": "all"}, "contacts": {"create": false, "view": "own"}});
    let roles: RolesOverview = ok(admin.post("/api/roles", mixed.clone()).await).await;
    refused(admin.post("/api/roles", mixed).await, 409).await;
    refused(admin.post("/api/roles", json!({"name": " ", "leads": {"create": true, "view": "all"}, "contacts": {"create": true, "view": "all"}})).await, 400).await;
    let role = roles.roles.iter().find(|r| r.name == "Leads all, contacts own").unwrap().id;
    let bob_id = bob.me().await.user.id;

    let mut socket = bob.socket(0).await;
    socket.replay().await;
    let _: RolesOverview = ok(admin.put(&format!("/api/users/{bob_id}/role"), json!({"role": role})).await).await;
    match socket.frame::<UserEvent>().await {
        Frame::Resync { reason } => assert_eq!(reason, "Your permissions have changed."),
        other => panic!("expected a resync, got {other:?}"),
    }
    assert_eq!(bob.me().await.role.name, "Leads all, contacts own");

    let _: Record = ok(bob.get(&card(Entity::Lead, lead.id)).await).await;
    refused(bob.get(&card(Entity::Contact, contact.id)).await, 404).await;
    refused(bob.post("/api/crm/contacts", json!({"name": "New"})).await, 403).await;
    refused(bob.post("/api/crm/companies", json!({"name": "New"})).await, 403).await;
    let _: Record = ok(bob.post("/api/crm/deals", json!({"name": "Deal", "stage": "won"})).await).await;
    let contacts: RecordList = ok(bob.get("/api/crm/contacts").await).await;
    assert_eq!(contacts.total, 0);
    // Bob sees all leads, so he may open the chat (read-only).
    let _ = bob.chat(id).await;

    // Closing the role for both entities takes External Lines away at once.
    let closed = json!({"name": "Leads all, contacts own",
        "leads": {"create": false, "view": "none"}, "contacts": {"create": false, "view": "none"}});
    let _: RolesOverview = ok(admin.put(&format!("/api/roles/{role}"), closed).await).await;
    refused(bob.get("/api/dialogs").await, 403).await;
    refused(bob.get(&card(Entity::Lead, lead.id)).await, 404).await;
    refused(admin.http.delete(format!("{}/api/roles/{role}", admin.base)).send().await.unwrap(), 409).await;
    // A role nobody has can go.
    let spare = json!({"name": "Spare", "leads": {"create": true, "view": "own"}, "contacts": {"create": false, "view": "none"}});
    let roles: RolesOverview = ok(admin.post("/api/roles", spare).await).await;
    let spare = roles.roles.iter().find(|r| r.name == "Spare").unwrap();
    assert_eq!((spare.leads.view, spare.contacts.create), (el_protocol::permissions::ViewScope::Own, false));
    let gone = admin.http.delete(format!("{}/api/roles/{}", admin.base, spare.id)).send().await.unwrap();
    assert_eq!(gone.status(), 204);
    let roles: RolesOverview = ok(admin.get("/api/roles").await).await;
    assert!(roles.roles.iter().all(|r| r.name != "Spare"));
}

#[tokio::test]
async fn notes_name_records_only_to_who_may_see_them() {
    let server = TestServer::start().await;
    let (_, anna, id) = server.taken_by("anna", "Olena").await;
    anna.create_lead(id).await;
    let _: Connections = ok(anna.crm(id, "deals", json!({"title": "Big order", "stage": "new"})).await).await;
    // Dave's role views no CRM record; the chat is handed to him.
    let dave = server.operator("dave").await;
    let dave_id = dave.me().await.user.id;
    let mut socket = dave.socket(dave.inbox().await.as_of).await;
    socket.replay().await;
    assert_eq!(anna.act(id, "redirect", json!({"user_id": dave_id})).await.status(), 200);
    let notes = |chat: &el_protocol::api::ChatSnapshot| -> Vec<(String, bool)> {
        chat.messages
            .iter()
            .filter(|m| m.author == Author::System)
            .map(|m| (m.text.clone(), m.record.is_some()))
            .collect()
    };
    let named = |chat: &el_protocol::api::ChatSnapshot| -> Vec<Option<String>> {
        chat.messages.iter().filter_map(|m| m.notice.as_ref()).map(|n| n.record_name().map(str::to_string)).collect()
    };
    assert!(named(&dave.chat(id).await).iter().all(Option::is_none), "no record named in Dave's notices either");
    assert!(named(&anna.chat(id).await).contains(&Some("Big order".into())));
    let his = notes(&dave.chat(id).await);
    assert!(his.contains(&("Lead created".to_string(), false)), "{his:?}");
    assert!(his.contains(&("Deal created".to_string(), false)), "{his:?}");
    assert!(!his.iter().any(|(text, _)| text.contains("Big order") || text.contains("Olena")), "{his:?}");
    let hers = notes(&anna.chat(id).await);
    assert!(hers.contains(&("Deal created: Big order".to_string(), true)), "{hers:?}");
    // Live, too: a new deal reaches Dave's socket without its title.
    let admin = server.operator("admin").await;
    assert_eq!(admin.act(id, "join", json!({})).await.status(), 200);
    let _: Connections = ok(admin.crm(id, "deals", json!({"title": "Second order", "stage": "new"})).await).await;
    let mut seen = None;
    while let Some(frame) = socket.frame_within::<el_protocol::events::UserEvent>(1000).await {
        if let el_protocol::events::Frame::Event { event, .. } = frame {
            if let el_protocol::events::Event::MessageCreated { message, .. } = event.event {
                if message.author == Author::System && message.text.starts_with("Deal created") {
                    let named = message.notice.as_ref().and_then(|n| n.record_name()).is_some();
                    seen = Some((message.text, message.record.is_some() || named));
                }
            }
        }
    }
    assert_eq!(seen, Some(("Deal created".to_string(), false)));
}
