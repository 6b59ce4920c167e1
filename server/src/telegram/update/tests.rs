//! Updates shaped as the Bot API documents them (the webhook guide's test updates and
//! the Message object's fields), one per kind of message we handle.

use super::*;
use serde_json::json;

fn reading(update: Value) -> Reading {
    read(&serde_json::from_value(update).expect("a Bot API update"))
}

fn inbound(update: Value) -> Inbound {
    match reading(update) {
        Reading::Inbound(i) => i,
        Reading::Ignored(why) => panic!("ignored: {why}"),
    }
}

fn chat() -> Value {
    json!({ "id": 1111111, "type": "private", "first_name": "Test Firstname", "last_name": "Test Lastname",
            "username": "Testusername" })
}

fn from() -> Value {
    json!({ "id": 1111111, "is_bot": false, "first_name": "Test Firstname", "last_name": "Test Lastname",
            "username": "Testusername", "language_code": "en" })
}

fn message(extra: Value) -> Value {
    let mut m = json!({ "message_id": 1365, "date": 1441645532, "chat": chat(), "from": from() });
    m.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    m
}

#[test]
fn text_with_sender_name_and_username() {
    let i = inbound(json!({ "update_id": 10000, "message": message(json!({ "text": "/start" })) }));
    assert_eq!(i.update_id, 10000);
    assert_eq!(i.message_id, 1365);
    assert_eq!(i.text, "/start");
    assert_eq!(
        i.sender,
        Sender { id: 1111111, name: "Test Firstname Test Lastname".into(), username: Some("Testusername".into()) }
    );
    assert_eq!(i.sender.account_name(), "@Testusername");
    assert!(i.files.is_empty() && i.edited_at.is_none());
}

#[test]
fn text_with_entities_keeps_its_formatting() {
    let i = inbound(json!({ "update_id": 10001, "message": message(json!({
        "text": "Bold and italic text",
        "entities": [{ "type": "bold", "offset": 0, "length": 4 }, { "type": "italic", "offset": 9, "length": 6 }]
    })) }));
    assert_eq!(i.text, "**Bold** and *italic* text");
}

#[test]
fn edited_message() {
    let i = inbound(json!({ "update_id": 10002, "edited_message": message(json!({
        "text": "Edited text", "edit_date": 1441646600
    })) }));
    assert_eq!(i.edited_at, Some(1441646600));
    assert_eq!(i.text, "Edited text");
    assert_eq!(i.message_id, 1365);
}

#[test]
fn photo_takes_the_largest_size_and_the_caption() {
    let i = inbound(json!({ "update_id": 10003, "message": message(json!({
        "photo": [
            { "file_id": "small", "file_unique_id": "s", "file_size": 1200, "width": 90, "height": 60 },
            { "file_id": "large", "file_unique_id": "l", "file_size": 84000, "width": 1280, "height": 853 },
            { "file_id": "medium", "file_unique_id": "m", "file_size": 19000, "width": 320, "height": 213 }
        ],
        "caption": "Here is the broken part",
        "caption_entities": [{ "type": "bold", "offset": 12, "length": 6 }]
    })) }));
    assert_eq!(i.text, "Here is the **broken** part");
    assert_eq!(i.files, [RemoteFile { file_id: "large".into(), name: "photo.jpg".into(), size: Some(84000) }]);
}

#[test]
fn document_keeps_its_name() {
    let i = inbound(json!({ "update_id": 10004, "message": message(json!({
        "document": { "file_id": "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "file_unique_id": "d1",
                      "file_name": "Invoice 42.pdf", "mime_type": "application/pdf", "file_size": 8192 }
    })) }));
    assert_eq!(i.text, "");
    assert_eq!(i.files[0].name, "Invoice 42.pdf");
    assert_eq!(i.files[0].file_id, "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX");
}

#[test]
fn voice_audio_video_and_animation_are_files() {
    let i = inbound(json!({ "update_id": 10005, "message": message(json!({
        "voice": { "file_id": "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "file_unique_id": "v1", "duration": 5,
                   "mime_type": "audio/ogg", "file_size": 23000 }
    })) }));
    assert_eq!(i.files[0].name, "voice.ogg");
    let i = inbound(json!({ "update_id": 10006, "message": message(json!({
        "audio": { "file_id": "a1", "file_unique_id": "a1", "duration": 243, "title": "Test music file",
                   "mime_type": "audio/mpeg", "file_size": 3897500 }
    })) }));
    assert_eq!(i.files[0].name, "audio.mp3");
    // An animation arrives with a document copy of itself: one file is kept.
    let i = inbound(json!({ "update_id": 10007, "message": message(json!({
        "animation": { "file_id": "g1", "file_unique_id": "g1", "width": 200, "height": 200, "duration": 2,
                       "file_name": "funny.mp4" },
        "document": { "file_id": "g1", "file_unique_id": "g1", "file_name": "funny.mp4" }
    })) }));
    assert_eq!(i.files.len(), 1);
}

#[test]
fn stickers_are_files_with_their_emoji() {
    let i = inbound(json!({ "update_id": 10008, "message": message(json!({
        "sticker": { "file_id": "CAACAgIAAxkBAAEBbXX", "file_unique_id": "st1", "type": "regular",
                     "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍",
                     "set_name": "HotCherry", "file_size": 25000 }
    })) }));
    assert_eq!(i.text, "👍");
    assert_eq!(i.files[0].name, "sticker.webp");
    let i = inbound(json!({ "update_id": 10009, "message": message(json!({
        "sticker": { "file_id": "anim", "file_unique_id": "st2", "type": "regular", "width": 512, "height": 512,
                     "is_animated": true, "is_video": false }
    })) }));
    assert_eq!(i.files[0].name, "sticker.tgs");
}

#[test]
fn locations_contacts_and_the_unshowable_become_text() {
    let i = inbound(json!({ "update_id": 10010, "message": message(json!({
        "location": { "latitude": 50.4501, "longitude": 30.5234 }
    })) }));
    assert!(i.text.starts_with("📍 Location: [50.45010, 30.52340](https://www.openstreetmap.org/"), "{}", i.text);
    let i = inbound(json!({ "update_id": 10011, "message": message(json!({
        "contact": { "phone_number": "+380501234567", "first_name": "Olena", "last_name": "Koval" }
    })) }));
    assert_eq!(i.text, "📇 Contact: Olena Koval, +380501234567");
    let i = inbound(json!({ "update_id": 10012, "message": message(json!({
        "poll": { "id": "1", "question": "Which?", "options": [], "total_voter_count": 0, "is_closed": false,
                  "is_anonymous": true, "type": "regular", "allows_multiple_answers": false }
    })) }));
    assert_eq!(i.text, "(The client sent a poll, which External Lines cannot show.)");
}

#[test]
fn other_updates_groups_and_bots_are_ignored() {
    let callback = json!({ "update_id": 10013, "callback_query": { "id": "4382bfdwdsb323b2d9", "from": from(),
        "data": "Data from button callback", "inline_message_id": "1234csdbsk4839" } });
    assert_eq!(reading(callback), Reading::Ignored("unhandled update type callback_query".into()));
    let inline = json!({ "update_id": 10014, "inline_query": { "id": "134567890097", "from": from(),
        "query": "inline query", "offset": "" } });
    assert!(matches!(reading(inline), Reading::Ignored(_)));
    let mut group = message(json!({ "text": "hi all" }));
    group["chat"] = json!({ "id": -100123, "type": "supergroup", "title": "Fans" });
    assert_eq!(
        reading(json!({ "update_id": 10015, "message": group })),
        Reading::Ignored("a message in a supergroup chat".into())
    );
    let mut from_bot = message(json!({ "text": "beep" }));
    from_bot["from"]["is_bot"] = json!(true);
    assert!(matches!(reading(json!({ "update_id": 10016, "message": from_bot })), Reading::Ignored(_)));
}

#[test]
fn service_messages_are_acknowledged_without_a_message() {
    let pinned = message(json!({ "pinned_message": message(json!({ "text": "Order 42" })) }));
    match reading(json!({ "update_id": 10010, "message": pinned })) {
        Reading::Ignored(why) => assert_eq!(why, "a service message (pinned_message)"),
        other => panic!("{other:?}"),
    }
    let timer = message(json!({ "message_auto_delete_timer_changed": { "message_auto_delete_time": 86400 } }));
    assert!(matches!(reading(json!({ "update_id": 10011, "message": timer })), Reading::Ignored(_)));
}

#[test]
fn forwards_and_replies_say_where_the_text_comes_from() {
    let forwarded = inbound(json!({ "update_id": 10012, "message": message(json!({
        "text": "Is this your offer?",
        "forward_origin": { "type": "channel", "date": 1441645000, "message_id": 7,
                            "chat": { "id": -1001, "type": "channel", "title": "Deals *daily*" } }
    })) }));
    assert_eq!(forwarded.text, "*Forwarded from Deals \\*daily\\**\n\nIs this your offer?");
    let hidden = inbound(json!({ "update_id": 10013, "message": message(json!({
        "text": "look",
        "forward_origin": { "type": "hidden_user", "date": 1441645000, "sender_user_name": "Ivan" }
    })) }));
    assert!(hidden.text.starts_with("*Forwarded from Ivan*"), "{}", hidden.text);
    let old_style = inbound(json!({ "update_id": 10014, "message": message(json!({
        "text": "look", "forward_from": { "id": 5, "is_bot": false, "first_name": "Petro", "last_name": "Ko" }
    })) }));
    assert!(old_style.text.starts_with("*Forwarded from Petro Ko*"), "{}", old_style.text);

    let reply = inbound(json!({ "update_id": 10015, "message": message(json!({
        "text": "Yes, this one",
        "reply_to_message": message(json!({ "text": "# Which size?\nM or L" }))
    })) }));
    assert_eq!(reply.text, "> \\# Which size?\n> M or L\n\nYes, this one");
    let quote = inbound(json!({ "update_id": 10016, "message": message(json!({
        "text": "This part", "quote": { "text": "M or L", "position": 14 },
        "reply_to_message": message(json!({ "text": "# Which size?\nM or L" }))
    })) }));
    assert_eq!(quote.text, "> M or L\n\nThis part");
    let html = el_protocol::markdown::to_safe_html(&reply.text, "");
    assert!(html.starts_with("<blockquote>\n<p># Which size?<br />\nM or L</p>\n</blockquote>"), "{html}");
}
