//! Notifications as the Messenger Platform's and Instagram's webhook references show them
//! (<https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages>,
//! `message_echoes`, `message_deliveries`, `message_reads`, `messaging_postbacks`,
//! `message_reactions`, and <https://developers.facebook.com/docs/instagram-platform/webhooks/examples>).

use super::*;
use serde_json::json;

const PAGE: &str = "1234567890";
const PSID: &str = "24787382310867415";

fn items(object: &str, events: Value) -> Vec<(String, Item)> {
    let notification: Notification = serde_json::from_value(json!({
        "object": object,
        "entry": [{ "id": PAGE, "time": 1458692752478_i64, "messaging": events }]
    }))
    .expect("a notification");
    read(&notification)
}

fn message(message: Value) -> Item {
    let got = items(
        "page",
        json!([{ "sender": { "id": PSID }, "recipient": { "id": PAGE }, "timestamp": 1458692752478_i64,
                 "message": message }]),
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, PAGE);
    got[0].1.clone()
}

fn inbound(m: Value) -> Inbound {
    match message(m) {
        Item::Message(inbound) => inbound,
        other => panic!("not a message: {other:?}"),
    }
}

#[test]
fn text_shows_exactly_as_written() {
    let m = inbound(json!({ "mid": "m_1457764197618:41d102a3e1ae206a38", "text": "hello, *world*\n# not a heading" }));
    assert_eq!((m.mid.as_str(), m.from.as_str()), ("m_1457764197618:41d102a3e1ae206a38", PSID));
    assert_eq!(m.text, "hello, \\*world\\*\n\\# not a heading");
    assert!(m.files.is_empty() && m.about.is_none());
    let quick =
        inbound(json!({ "mid": "m_2", "text": "Red", "quick_reply": { "payload": "DEVELOPER_DEFINED_PAYLOAD" } }));
    assert_eq!(quick.text, "Red", "a quick reply is the words of its button");
    let reply = inbound(json!({ "mid": "m_3", "text": "yes", "reply_to": { "mid": "m_ANSWERED" } }));
    assert_eq!(reply.about.as_deref(), Some("m_ANSWERED"));
}

#[test]
fn attachments_are_files_to_fetch_and_the_rest_words() {
    let m = inbound(json!({ "mid": "m_4", "attachments": [
        { "type": "image", "payload": { "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.png?_nc_cat=1" } },
        { "type": "file", "payload": { "url": "https://cdn.fbsbx.com/v/t59.2708-21/invoice%20May.pdf?_nc_cat=2" } },
        { "type": "audio", "payload": { "url": "https://cdn.fbsbx.com/v/t59.3654-21/audioclip.mp4?x=1" } },
        { "type": "fallback", "payload": { "url": "https://example.com/offer", "title": "Our offer" } },
        { "type": "location", "payload": { "coordinates": { "lat": 50.4501, "long": 30.5234 } }, "title": "Kyiv" },
    ] }));
    let names: Vec<&str> = m.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["photo.jpg", "invoice May.pdf", "audio.mp4"]);
    assert!(m.text.contains("[Our offer](<https://example.com/offer>)"), "{}", m.text);
    assert!(m.text.contains("📍 Location: [50.45010, 30.52340]"), "{}", m.text);
    let odd = inbound(json!({ "mid": "m_5", "attachments": [{ "type": "product", "payload": {} }] }));
    assert_eq!(odd.text, "(The client sent product, which External Lines cannot show.)");
}

#[test]
fn instagram_story_replies_and_mentions_say_so() {
    let got = items(
        "instagram",
        json!([
            { "sender": { "id": "IGSID1" }, "recipient": { "id": PAGE }, "timestamp": 1,
              "message": { "mid": "ig_1", "text": "love it", "reply_to": { "story": {
                  "url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1", "id": "17900" } } } },
            { "sender": { "id": "IGSID1" }, "recipient": { "id": PAGE }, "timestamp": 2,
              "message": { "mid": "ig_2", "attachments": [{ "type": "story_mention", "payload": {
                  "url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2" } }] } },
            { "sender": { "id": "IGSID1" }, "recipient": { "id": PAGE }, "timestamp": 3,
              "message": { "mid": "ig_3", "attachments": [{ "type": "ig_reel", "payload": {
                  "url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=3", "title": "Our new drop" } }] } },
            { "sender": { "id": "IGSID1" }, "recipient": { "id": PAGE }, "timestamp": 4,
              "message": { "mid": "ig_4", "is_deleted": true } },
        ]),
    );
    let Item::Message(reply) = &got[0].1 else { panic!("{:?}", got[0]) };
    assert!(reply.text.starts_with("↩ [In reply to your story](<https://lookaside.fbsbx.com/"), "{}", reply.text);
    assert!(reply.text.ends_with("\n\nlove it"));
    let Item::Message(mention) = &got[1].1 else { panic!("{:?}", got[1]) };
    assert!(mention.text.starts_with("[Mentioned you in their story]"), "{}", mention.text);
    assert_eq!(mention.files[0].name, "story.jpg");
    let Item::Message(reel) = &got[2].1 else { panic!("{:?}", got[2]) };
    assert!(reel.text.starts_with("[Our new drop](<https://"), "{}", reel.text);
    assert!(matches!(&got[3].1, Item::Ignored(_)));
}

#[test]
fn echoes_name_the_app_that_sent_them() {
    let got = items(
        "page",
        json!([{ "sender": { "id": PAGE }, "recipient": { "id": PSID }, "timestamp": 1457764197627_i64,
                 "message": { "is_echo": true, "app_id": 1517776481860111_i64, "metadata": "x",
                              "mid": "mid.1457764197618:41d102a3e1ae206a38", "text": "hello, world!" } }]),
    );
    assert_eq!(
        got[0].1,
        Item::Echo {
            mid: "mid.1457764197618:41d102a3e1ae206a38".into(),
            to: PSID.into(),
            text: "hello, world\\!".into(),
            app_id: Some("1517776481860111".into())
        }
    );
}

#[test]
fn deliveries_reads_postbacks_and_reactions() {
    let got = items(
        "page",
        json!([
            { "sender": { "id": PSID }, "recipient": { "id": PAGE },
              "delivery": { "mids": ["mid.1458668856218:ed81099e15d3f4f233"], "watermark": 1458668856253_i64 } },
            { "sender": { "id": PSID }, "recipient": { "id": PAGE }, "timestamp": 1458668856463_i64,
              "read": { "watermark": 1458668856253_i64 } },
            { "sender": { "id": PSID }, "recipient": { "id": PAGE }, "timestamp": 1527459824,
              "postback": { "mid": "m_AG5Hz2U", "title": "Get Started", "payload": "GET_STARTED" } },
            { "sender": { "id": PSID }, "recipient": { "id": PAGE }, "timestamp": 1458668856463_i64,
              "reaction": { "reaction": "love", "emoji": "\u{2764}\u{FE0F}", "action": "react", "mid": "m_OURS" } },
            { "sender": { "id": PSID }, "recipient": { "id": PAGE }, "timestamp": 1458668856464_i64,
              "reaction": { "reaction": "love", "action": "unreact", "mid": "m_OURS" } },
        ]),
    );
    assert_eq!(
        got[0].1,
        Item::Delivered {
            from: PSID.into(),
            mids: vec!["mid.1458668856218:ed81099e15d3f4f233".into()],
            watermark: Some(1458668856253)
        }
    );
    assert_eq!(got[1].1, Item::Read { from: PSID.into(), mid: None, watermark: Some(1458668856253) });
    let Item::Message(postback) = &got[2].1 else { panic!("{:?}", got[2]) };
    assert_eq!((postback.mid.as_str(), postback.text.as_str()), ("m_AG5Hz2U", "Get Started"));
    let Item::Message(reaction) = &got[3].1 else { panic!("{:?}", got[3]) };
    assert_eq!((reaction.text.as_str(), reaction.about.as_deref()), ("Reacted ❤\u{FE0F}", Some("m_OURS")));
    assert!(matches!(got[4].1, Item::Ignored(_)));
    let seen = items(
        "instagram",
        json!([{ "sender": { "id": "IGSID1" }, "recipient": { "id": PAGE }, "timestamp": 1,
                 "read": { "mid": "ig_OURS" } }]),
    );
    assert_eq!(seen[0].1, Item::Read { from: "IGSID1".into(), mid: Some("ig_OURS".into()), watermark: None });
}
