//! JSON through the browser's own `JSON` and objects (no serde in the bundle), and the
//! server's widget bodies read from it. Their shapes are `el_protocol::api`'s
//! (`WidgetSession`, `WidgetMessage`, `Attachment`, `Frame`); `tests/reading.rs` checks
//! these readers against what serde writes for them.

use el_protocol::api::{Attachment, UploadLimits};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::JsValue;

/// A parsed JSON value.
#[derive(Clone, Debug)]
pub struct Value(pub JsValue);

impl Value {
    /// `text` parsed, or `None` when it is not JSON.
    pub fn parse(text: &str) -> Option<Value> {
        JSON::parse(text).ok().map(Value)
    }

    /// The field `key` of an object (undefined otherwise).
    pub fn get(&self, key: &str) -> Value {
        Value(if self.0.is_object() {
            Reflect::get(&self.0, &key.into()).unwrap_or_default()
        } else {
            JsValue::UNDEFINED
        })
    }

    pub fn str(&self) -> Option<String> {
        self.0.as_string()
    }

    pub fn num(&self) -> Option<f64> {
        self.0.as_f64()
    }

    /// A whole number (ids, log positions, times, sizes).
    pub fn int(&self) -> Option<i64> {
        self.num().filter(|n| n.fract() == 0.0).map(|n| n as i64)
    }

    pub fn bool(&self) -> bool {
        self.0.as_bool().unwrap_or(false)
    }

    /// The items of an array (none for anything else).
    pub fn list(&self) -> Vec<Value> {
        if Array::is_array(&self.0) {
            Array::from(&self.0).iter().map(Value).collect()
        } else {
            Vec::new()
        }
    }

    /// The JSON text of this value.
    pub fn text(&self) -> String {
        JSON::stringify(&self.0).ok().and_then(|s| s.as_string()).unwrap_or_default()
    }
}

/// A JSON object of `fields` (undefined values are left out, as serde skips `None`).
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        if !value.is_undefined() {
            let _ = Reflect::set(&object, &(*key).into(), value);
        }
    }
    object.into()
}

/// `Some(text)` as a JSON string, `None` as undefined (left out of an object).
pub fn optional(text: Option<&str>) -> JsValue {
    text.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

/// The visitor's session as the server sent it (`WidgetSession`).
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub token: String,
    pub limits: UploadLimits,
    /// The whole body, kept in the browser to continue the conversation later.
    pub saved: String,
}

impl Session {
    pub fn read(v: &Value) -> Option<Session> {
        let token = v.get("token").str().filter(|t| !t.is_empty())?;
        let limits = v.get("limits");
        let default = UploadLimits::default();
        let limits = UploadLimits {
            max_file_bytes: limits.get("max_file_bytes").int().map_or(default.max_file_bytes, |n| n.max(0) as u64),
            max_files: limits.get("max_files").int().map_or(default.max_files, |n| n.max(0) as usize),
        };
        Some(Session { token, limits, saved: v.text() })
    }
}

/// A message of the conversation (`WidgetMessage`).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: i64,
    /// The visitor's own.
    pub mine: bool,
    pub author_name: Option<String>,
    pub text: String,
    /// The text as the server's safe markdown renderer made it (never raw HTML).
    pub html: String,
    /// Milliseconds since the epoch.
    pub created_at: f64,
    pub attachments: Vec<Attachment>,
}

impl Message {
    pub fn read(v: &Value) -> Option<Message> {
        Some(Message {
            id: v.get("id").int()?,
            mine: v.get("mine").bool(),
            author_name: v.get("author_name").str(),
            text: v.get("text").str().unwrap_or_default(),
            html: v.get("html").str().unwrap_or_default(),
            created_at: v.get("created_at").num().unwrap_or_default(),
            attachments: v.get("attachments").list().iter().filter_map(attachment).collect(),
        })
    }
}

/// A file of a message (`Attachment`).
pub fn attachment(v: &Value) -> Option<Attachment> {
    Some(Attachment {
        id: v.get("id").str()?,
        name: v.get("name").str().unwrap_or_default(),
        content_type: v.get("content_type").str().unwrap_or_default(),
        size: v.get("size").int().unwrap_or_default().max(0) as u64,
    })
}

/// A frame of the visitor's socket (`Frame<WidgetMessage>`).
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    Event { seq: i64, message: Message },
    Live { seq: i64 },
    Resync,
    Typing { name: String },
}

impl Frame {
    /// The frame in `text`; `None` for one this widget does not know (skipped).
    pub fn read(text: &str) -> Option<Frame> {
        let v = Value::parse(text)?;
        match v.get("frame").str()?.as_str() {
            "event" => Some(Frame::Event { seq: v.get("seq").int()?, message: Message::read(&v.get("event"))? }),
            "live" => Some(Frame::Live { seq: v.get("seq").int()? }),
            "resync" => Some(Frame::Resync),
            "typing" => Some(Frame::Typing { name: v.get("name").str()? }),
            _ => None,
        }
    }
}
