//! Notifications as the Cloud API's webhook documentation shows them
//! (<https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples>).

use super::*;
use serde_json::json;

fn notification(value: Value) -> Notification {
    serde_json::from_value(json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "102290129340398", "changes": [{ "value": value, "field": "messages" }] }]
    }))
    .expect("a notification")
}

fn message(body: Value) -> Inbound {
    let mut m = json!({ "from": "16315551181", "id": "wamid.ID", "timestamp": "1603059201" });
    m.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
    let items = read(&notification(json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
        "contacts": [{ "profile": { "name": "Kerry Fisher" }, "wa_id": "16315551181" }],
        "messages": [m]
    })));
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].0, "106540352242922");
    match &items[0].1 {
        Item::Message(inbound) => inbound.clone(),
        other => panic!("not a message: {other:?}"),
    }
}

#[test]
fn text_keeps_its_words_exactly_and_names_the_sender() {
    let m = message(json!({ "type": "text", "text": { "body": "this is a *text* message\n# not a heading" } }));
    assert_eq!((m.wamid.as_str(), m.from.as_str(), m.name.as_str()), ("wamid.ID", "16315551181", "Kerry Fisher"));
    assert_eq!(m.text, "this is a \\*text\\* message\n\\# not a heading");
    assert_eq!(m.about, None);
    let reply = message(json!({ "type": "text", "text": { "body": "yes" },
        "context": { "from": "15550783881", "id": "wamid.ANSWERED" } }));
    assert_eq!(reply.about.as_deref(), Some("wamid.ANSWERED"));
}

#[test]
fn media_arrive_as_files_to_fetch() {
    let image = message(json!({ "type": "image", "image": { "caption": "This is a caption", "mime_type": "image/jpeg",
        "sha256": "81d3bd8a8db4868c9520ed47186e8b7c5789e61ff79f7f834be6950b808a90d3", "id": "2754859441498128" } }));
    assert_eq!(image.text, "This is a caption");
    assert_eq!(image.files, [RemoteMedia { id: "2754859441498128".into(), name: "photo.jpg".into() }]);
    let document =
        message(json!({ "type": "document", "document": { "filename": "invoice.pdf", "mime_type": "application/pdf",
        "sha256": "x", "id": "3" } }));
    assert_eq!(document.files[0].name, "invoice.pdf");
    let voice = message(
        json!({ "type": "audio", "audio": { "mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "4", "voice": true } }),
    );
    assert_eq!(voice.files[0].name, "voice.ogg");
    let sticker = message(
        json!({ "type": "sticker", "sticker": { "mime_type": "image/webp", "sha256": "x", "id": "5", "animated": false } }),
    );
    assert_eq!((sticker.files[0].name.as_str(), sticker.text.as_str()), ("sticker.webp", ""));
}

#[test]
fn locations_contacts_reactions_and_buttons_read_as_text() {
    let location = message(json!({ "type": "location", "location": { "latitude": 37.483307, "longitude": 122.148981,
        "name": "Philz Coffee", "address": "101 Forest Ave, Palo Alto, CA 94301" } }));
    assert!(
        location
            .text
            .starts_with("📍 Location: Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 [37.48331, 122.14898]"),
        "{}",
        location.text
    );
    let contacts = message(
        json!({ "type": "contacts", "contacts": [{ "name": { "formatted_name": "John Smith", "first_name": "John" },
        "phones": [{ "phone": "+1 (940) 555-1234", "type": "HOME" }, { "phone": "+1 (650) 555-1234", "type": "WORK", "wa_id": "16505551234" }] }] }),
    );
    assert_eq!(contacts.text, "📇 Contact: John Smith, +1 (940) 555-1234, +1 (650) 555-1234");
    let reaction = message(json!({ "type": "reaction", "reaction": { "message_id": "wamid.OURS", "emoji": "👍" } }));
    assert_eq!((reaction.text.as_str(), reaction.about.as_deref()), ("Reacted 👍", Some("wamid.OURS")));
    let button = message(json!({ "type": "button", "button": { "text": "No", "payload": "No-Button-Payload" },
        "context": { "from": "16505553333", "id": "wamid.gBGGFmkjlHcX" } }));
    assert_eq!(button.text, "No");
    let list = message(json!({ "type": "interactive", "interactive": { "type": "list_reply",
        "list_reply": { "id": "list_reply_id", "title": "list_reply_title", "description": "list_reply_description" } } }));
    assert_eq!(list.text, "list\\_reply\\_title");
    let unknown = message(
        json!({ "type": "unsupported", "errors": [{ "code": 131051, "details": "Message type is not currently supported", "title": "Unsupported message type" }] }),
    );
    assert_eq!(unknown.text, "(The client sent a message, which External Lines cannot show.)");
}

#[test]
fn statuses_become_receipts_and_failures() {
    let items = read(&notification(json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
        "statuses": [
            { "id": "wamid.A", "status": "sent", "timestamp": "1", "recipient_id": "16315551181",
              "conversation": { "id": "c", "origin": { "type": "service" } },
              "pricing": { "billable": true, "pricing_model": "CBP", "category": "service" } },
            { "id": "wamid.A", "status": "delivered", "timestamp": "2", "recipient_id": "16315551181" },
            { "id": "wamid.A", "status": "read", "timestamp": "3", "recipient_id": "16315551181" },
            { "id": "wamid.B", "status": "failed", "timestamp": "4", "recipient_id": "16315551181",
              "errors": [{ "code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
                           "error_data": { "details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number." } }] },
            { "id": "wamid.C", "status": "failed", "timestamp": "5", "recipient_id": "16315551181",
              "errors": [{ "code": 131026, "title": "Message undeliverable", "error_data": { "details": "Receiver is incapable of receiving this message" } }] }
        ]
    })));
    let updates: Vec<Item> = items.into_iter().map(|(_, i)| i).collect();
    assert!(matches!(&updates[0], Item::Ignored(_)), "sent is what our call already said");
    assert_eq!(
        updates[1],
        Item::Status(Update::Receipt { wamid: "wamid.A".into(), to: "16315551181".into(), how: Receipt::Delivered })
    );
    assert!(matches!(&updates[2], Item::Status(Update::Receipt { how: Receipt::Seen, .. })));
    assert!(matches!(&updates[3], Item::Status(Update::Failed { why, .. }) if why.contains("24 hours")));
    assert!(matches!(&updates[4], Item::Status(Update::Failed { why, .. })
        if why == "Not delivered: WhatsApp answered “Receiver is incapable of receiving this message” (code 131026)."));
}

#[test]
fn other_changes_are_acknowledged() {
    let n: Notification = serde_json::from_value(json!({ "object": "whatsapp_business_account",
        "entry": [{ "id": "1", "changes": [{ "field": "message_template_status_update",
            "value": { "event": "APPROVED", "message_template_id": 1, "message_template_name": "x" } }] }] }))
    .unwrap();
    assert!(matches!(read(&n).as_slice(), [(_, Item::Ignored(_))]));
}
