#![cfg(target_arch = "wasm32")]
//! The widget in a real browser (wasm-bindgen-test, headless Chromium): its readers
//! against what the server's serde writes, and its page as messages arrive.

use el_protocol::api::{Attachment, UploadLimits, WidgetMessage, WidgetSession};
use el_protocol::events::Frame as ServerFrame;
use el_protocol::{DialogId, MessageId};
use el_widget::json::{Frame, Message, Session, Value};
use el_widget::net;
use el_widget::texts::Text;
use el_widget::{language, Widget};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn message(id: i64, mine: bool, text: &str) -> WidgetMessage {
    WidgetMessage {
        id: MessageId(id),
        mine,
        author_name: (!mine).then(|| "<b>Anna</b> & Co".to_string()),
        text: text.into(),
        html: format!("<p>{text}</p>"),
        created_at: 1_764_700_000_000 + id,
        client_msg_id: None,
        attachments: Vec::new(),
    }
}

fn price_list() -> Attachment {
    Attachment { id: "f1".into(), name: "price <list>.pdf".into(), content_type: "application/pdf".into(), size: 2048 }
}

fn read(m: &WidgetMessage) -> Message {
    Message::read(&Value::parse(&serde_json::to_string(m).unwrap()).unwrap()).expect("a message")
}

/// A widget on `channel` whose browser keeps a session there (token `T-<channel>`).
fn signed_in(channel: &str) -> std::rc::Rc<Widget> {
    let session = WidgetSession {
        token: format!("T-{channel}"),
        client_name: "Visitor".into(),
        channel_name: "Site".into(),
        limits: UploadLimits { max_file_bytes: 1024, max_files: 2 },
    };
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item(&format!("external-lines:{channel}"), &serde_json::to_string(&session).unwrap()).unwrap();
    Widget::new(channel.into())
}

fn hidden(el: &web_sys::Element) -> bool {
    el.has_attribute("hidden")
}

#[wasm_bindgen_test]
fn messages_sessions_and_frames_read_as_the_server_writes_them() {
    let mut m = message(7, false, "Hello");
    m.attachments = vec![price_list()];
    let got = read(&m);
    assert_eq!((got.id, got.mine, got.text.as_str(), got.html.as_str()), (7, false, "Hello", "<p>Hello</p>"));
    assert_eq!(got.author_name.as_deref(), Some("<b>Anna</b> & Co"));
    assert_eq!(got.created_at, 1_764_700_000_007.0);
    assert_eq!(got.attachments, vec![price_list()]);
    assert!(read(&message(8, true, "Hi")).author_name.is_none());

    let session = WidgetSession {
        token: "tok".into(),
        client_name: "V".into(),
        channel_name: "S".into(),
        limits: UploadLimits { max_file_bytes: 5, max_files: 1 },
    };
    let text = serde_json::to_string(&session).unwrap();
    let read_back = Session::read(&Value::parse(&text).unwrap()).unwrap();
    assert_eq!((read_back.token.as_str(), read_back.limits), ("tok", session.limits));
    // What is kept is the server's body, which serde reads back the same.
    assert_eq!(serde_json::from_str::<WidgetSession>(&read_back.saved).unwrap(), session);
    // A session kept before limits were told reads with the default limits.
    let old = Session::read(&Value::parse(r#"{"token":"t","client_name":"","channel_name":""}"#).unwrap()).unwrap();
    assert_eq!(old.limits, UploadLimits::default());
    assert!(Session::read(&Value::parse(r#"{"token":""}"#).unwrap()).is_none());

    let frame = |f: ServerFrame<WidgetMessage>| Frame::read(&serde_json::to_string(&f).unwrap());
    let event = frame(ServerFrame::Event { seq: 41, event: message(9, false, "Yes") });
    assert_eq!(event, Some(Frame::Event { seq: 41, message: read(&message(9, false, "Yes")) }));
    assert_eq!(frame(ServerFrame::Live { seq: 42 }), Some(Frame::Live { seq: 42 }));
    assert_eq!(frame(ServerFrame::Resync { reason: "behind".into() }), Some(Frame::Resync));
    let typing = frame(ServerFrame::Typing { dialog_id: DialogId(3), name: "Anna".into() });
    assert_eq!(typing, Some(Frame::Typing { name: "Anna".into() }));
    assert_eq!(Frame::read(r#"{"frame":"something_new","seq":1}"#), None);
    assert_eq!(Frame::read("not json"), None);
}

#[wasm_bindgen_test]
fn each_message_shows_once_in_id_order_and_exactly_as_written() {
    let widget = signed_in("order");
    let v = &widget.view;
    assert!(!hidden(&v.intro));
    for id in [3, 1, 2, 3] {
        widget.add(&read(&message(id, id == 2, &format!("text {id}"))));
    }
    let mut with_file = message(4, false, "");
    with_file.attachments = vec![price_list()];
    widget.add(&read(&with_file));
    assert_eq!(widget.shown(), vec![1, 2, 3, 4]);
    assert!(hidden(&v.intro));

    let bubbles = v.list.query_selector_all(".bubble").unwrap();
    assert_eq!(bubbles.length(), 4);
    let bubble = |i| bubbles.get(i).unwrap().dyn_into::<web_sys::Element>().unwrap();
    assert_eq!(bubble(0).query_selector(".bubble__text").unwrap().unwrap().inner_html(), "<p>text 1</p>");
    assert!(bubble(1).class_list().contains("bubble--mine"));
    assert!(bubble(1).query_selector(".bubble__author").unwrap().is_none());
    // An author's name is text, never markup.
    let author = bubble(2).query_selector(".bubble__author").unwrap().unwrap();
    assert_eq!(author.text_content().unwrap(), "<b>Anna</b> & Co");
    assert_eq!(author.children().length(), 0);
    // A file: its name as written and its size; the visitor's token opens it.
    let file = bubble(3).query_selector("a.bubble__file").unwrap().unwrap();
    assert_eq!(file.text_content().unwrap(), "price <list>.pdf (2 KB)");
    assert_eq!(file.get_attribute("href").unwrap(), "/api/widget/files/f1?token=T-order");
    assert_eq!(file.get_attribute("download").unwrap(), "price <list>.pdf");
    assert!(bubble(3).query_selector(".bubble__text").unwrap().is_none(), "no empty text");
}

#[wasm_bindgen_test]
fn the_form_asks_a_name_until_there_is_a_session_and_sends_only_real_text() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.remove_item("external-lines:new-visitor").unwrap();
    let fresh = Widget::new("new-visitor".into());
    let v = &fresh.view;
    assert!(!hidden(&v.name), "a first-time visitor is asked their name");
    assert!(hidden(&v.status), "nothing is connecting without a session");
    assert!(v.send.has_attribute("disabled"), "nothing to send yet");
    assert_eq!(v.send.text_content().unwrap(), language().text(Text::Send));
    assert_eq!(v.draft.get_attribute("aria-label").unwrap(), language().text(Text::Message));

    let returning = signed_in("returning");
    let v = &returning.view;
    assert!(hidden(&v.name), "a returning visitor is not asked again");
    assert!(!hidden(&v.status), "connecting until the socket is live");
    assert!(hidden(&v.upload) && hidden(&v.error));
}

#[wasm_bindgen_test]
fn failures_show_the_servers_words_or_its_status() {
    net::speak();
    let f = net::refused(422, r#"{"message":"The message is too long."}"#);
    assert_eq!((f.status, f.message.as_str()), (422, "The message is too long."));
    let f = net::refused(502, "<html>Bad gateway</html>");
    assert_eq!(f.message, language().fill(Text::ServerError, "status", "502"));
    assert!(net::refused(401, "{}").is_unauthorized());
    assert_eq!(net::Failure::unreachable().message, language().text(Text::CannotReach));
}

#[wasm_bindgen_test]
async fn two_first_actions_at_once_start_one_session() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.remove_item("external-lines:race").unwrap();
    // The server, as far as this page can tell: starting a session takes a moment.
    js_sys::eval(
        r#"window.__starts = 0;
           window.fetch = (url) => {
             if (String(url).endsWith('/api/widget/session')) window.__starts++;
             const body = JSON.stringify({ token: 'T' + window.__starts, client_name: 'V', channel_name: 'S',
                                           as_of: 0, messages: [] });
             return new Promise((done) => setTimeout(() => done(new Response(body)), 30));
           };"#,
    )
    .unwrap();
    let widget = Widget::new("race".into());
    let (first, second) = futures::join!(widget.session(), widget.session());
    let starts = js_sys::eval("window.__starts").unwrap().as_f64();
    assert_eq!(starts, Some(1.0), "one session is started, not two");
    assert_eq!(first.unwrap().token, "T1");
    assert_eq!(second.unwrap().token, "T1");
}
