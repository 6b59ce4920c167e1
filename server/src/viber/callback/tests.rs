//! Callbacks as the REST bot API's documentation shows them (its "Callbacks" section:
//! <https://developers.viber.com/docs/api/rest-bot-api/#callbacks>).

use super::*;
use serde_json::json;

fn action(v: Value) -> Action {
    read(&serde_json::from_value::<Callback>(v).expect("a callback"))
}

fn message(body: Value) -> Inbound {
    let callback = json!({
        "event": "message",
        "timestamp": 1457764197627u64,
        "chat_hostname": "SN-376_",
        "message_token": 4912661846655238145u64,
        "sender": {"id": "01234567890A=", "name": "John McClane", "avatar": "http://avatar.example.com",
                   "country": "UK", "language": "en", "api_version": 1},
        "message": body,
        "silent": false
    });
    match action(callback) {
        Action::Message(inbound) => inbound,
        other => panic!("not a message: {other:?}"),
    }
}

#[test]
fn a_text_message_keeps_its_words_exactly() {
    let m = message(json!({"type": "text", "text": "a message to the service", "tracking_data": "tracking data"}));
    assert_eq!(m.token, "4912661846655238145", "the token as Viber wrote it, beyond f64's precision");
    assert_eq!((m.sender_id.as_str(), m.sender_name.as_str()), ("01234567890A=", "John McClane"));
    assert_eq!(m.text, "a message to the service");
    assert!(m.files.is_empty());
    let marked = message(json!({"type": "text", "text": "*not bold* <b>x</b>\n# not a heading"}));
    assert_eq!(marked.text, "\\*not bold\\* \\<b\\>x\\</b\\>\n\\# not a heading");
}

#[test]
fn media_arrive_as_files_to_fetch() {
    let picture = message(
        json!({"type": "picture", "text": "look", "media": "https://dl-media.viber.com/5/media/2/short/any/sig/image/0x0/95e0/5688fdffdaa9.jpg",
        "thumbnail": "https://dl-media.viber.com/5/media/thumb.jpg"}),
    );
    assert_eq!(picture.text, "look");
    assert_eq!(picture.files[0].name, "photo.jpg");
    assert!(picture.files[0].url.starts_with("https://dl-media.viber.com/"));
    let file = message(
        json!({"type": "file", "media": "https://dl-media.viber.com/f", "size": 10000, "file_name": "name_of_file.pdf"}),
    );
    assert_eq!(
        file.files,
        [RemoteFile { url: "https://dl-media.viber.com/f".into(), name: "name_of_file.pdf".into(), size: Some(10000) }]
    );
    assert_eq!(file.text, "", "a file alone needs no words");
    let video =
        message(json!({"type": "video", "media": "https://dl-media.viber.com/v", "size": 10000, "duration": 10}));
    assert_eq!(video.files[0].name, "video.mp4");
    let sticker = message(json!({"type": "sticker", "sticker_id": 46105, "media": "https://viber.com/s.png"}));
    assert_eq!(sticker.files[0].name, "sticker.png");
    let elsewhere = message(json!({"type": "picture", "media": "file:///etc/passwd"}));
    assert!(elsewhere.files.is_empty(), "only web addresses are fetched");
    assert!(elsewhere.text.contains("cannot show"));
}

#[test]
fn locations_contacts_and_links_read_as_text() {
    let location = message(json!({"type": "location", "location": {"lat": 50.76891, "lon": 6.11499}}));
    assert!(location
        .text
        .starts_with("📍 Location: [50.76891, 6.11499](https://www.openstreetmap.org/?mlat=50.76891&mlon=6.11499"));
    let contact = message(json!({"type": "contact", "contact": {"name": "Itamar", "phone_number": "+972511123123"}}));
    assert_eq!(contact.text, "📇 Contact: Itamar, +972511123123");
    let url = message(json!({"type": "url", "media": "http://www.website.com/go_here"}));
    assert_eq!(url.text, "http://www.website.com/go_here");
    let unknown = message(json!({"type": "rich_media"}));
    assert_eq!(unknown.text, "(The client sent rich\\_media, which External Lines cannot show.)");
}

#[test]
fn receipts_failures_and_subscriptions() {
    let receipt = |event: &str| {
        action(json!({"event": event, "timestamp": 1457764197627u64, "chat_hostname": "SN-376_",
            "message_token": 4912661846655238145u64, "user_id": "01234567890A="}))
    };
    assert_eq!(
        receipt("delivered"),
        Action::Receipt { user: "01234567890A=".into(), token: "4912661846655238145".into(), how: Receipt::Delivered }
    );
    assert!(matches!(receipt("seen"), Action::Receipt { how: Receipt::Seen, .. }));
    let failed =
        action(json!({"event": "failed", "timestamp": 1457764197627u64, "message_token": 4912661846655238145u64,
        "user_id": "01234567890A=", "desc": "failure description"}));
    assert_eq!(
        failed,
        Action::Failed {
            user: "01234567890A=".into(),
            token: "4912661846655238145".into(),
            why: "failure description".into()
        }
    );
    let subscribed = action(json!({"event": "subscribed", "timestamp": 1457764197627u64,
        "user": {"id": "01234567890A=", "name": "John McClane", "avatar": "http://avatar.example.com",
                 "country": "UK", "language": "en", "api_version": 1},
        "message_token": 4912661846655238145u64}));
    assert_eq!(subscribed, Action::Subscribed { user: "01234567890A=".into() });
    let unsubscribed = action(json!({"event": "unsubscribed", "timestamp": 1457764197627u64,
        "user_id": "01234567890A=", "message_token": 4912661846655238145u64}));
    assert_eq!(unsubscribed, Action::Unsubscribed { user: "01234567890A=".into() });
    let check = action(json!({"event": "webhook", "timestamp": 1457764197627u64, "chat_hostname": "SN-376_",
        "message_token": 241256543215u64}));
    assert_eq!(check, Action::Check);
    let started = action(json!({"event": "conversation_started", "timestamp": 1457764197627u64, "message_token": 1,
        "type": "open", "context": "x", "user": {"id": "01234567890A=", "name": "John McClane"}, "subscribed": false}));
    assert!(matches!(started, Action::Ignored(_)));
    assert!(matches!(action(json!({"event": "delivered"})), Action::Ignored(_)), "a receipt without its message");
}
