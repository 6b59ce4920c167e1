//! The widget's page: header, conversation, typing line and the message form, and the
//! bubble of one message. Built once; `lib.rs` updates it as things happen.

use crate::dom::{el, Build};
use crate::json::Message;
use crate::texts::Text;
use crate::{api, say};
use el_protocol::api::human_size;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};

/// The paperclip of the attach button (a fixed picture, no text of anyone's).
const PAPERCLIP: &str = r#"<svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"/></svg>"#;

/// The parts of the page that change.
pub struct View {
    pub root: Element,
    /// The close button, inside a host page's frame only.
    pub close: Element,
    /// "Connecting…" while a session has no live socket.
    pub status: Element,
    /// The conversation (`<ol>`), its greeting first, then the messages by id.
    pub list: Element,
    pub intro: Element,
    pub typing: Element,
    pub form: Element,
    pub error: Element,
    /// The visitor's name, asked until their first message.
    pub name: HtmlInputElement,
    /// A file being sent: its name, progress and cancel button.
    pub upload: Element,
    pub upload_name: Element,
    pub upload_progress: Element,
    pub upload_cancel: Element,
    pub attach: Element,
    pub picker: HtmlInputElement,
    pub draft: HtmlTextAreaElement,
    pub send: Element,
}

fn button(class: &str) -> Element {
    el("button").attr("type", "button").class(class)
}

impl View {
    pub fn build() -> View {
        let close = button("widget__close").attr("aria-label", say(Text::CloseChat)).text("×");
        let header = el("header")
            .class("widget__header")
            .child(
                &el("div").child(&el("h1").text(say(Text::ChatWithUs))).child(&el("p").text(say(Text::WeAnswerSoon))),
            )
            .child(&close);
        let status =
            el("div").class("widget__status").attr("role", "status").attr("hidden", "").text(say(Text::Connecting));
        let intro = el("li").class("widget__intro").text(say(Text::Hello));
        let list = el("ol")
            .class("widget__messages")
            .attr("aria-label", say(Text::Conversation))
            .attr("aria-live", "polite")
            .child(&intro);
        let typing = el("p").class("widget__typing").attr("role", "status");
        let error = el("p").class("widget__error").attr("role", "alert").attr("hidden", "");
        let name = el("input")
            .attr("aria-label", say(Text::YourName))
            .attr("placeholder", say(Text::YourNameOptional))
            .attr("maxlength", "80")
            .attr("autocomplete", "name");
        let upload_name = el("span").class("widget__upload-name");
        let upload_progress = el("progress").attr("max", "1").attr("value", "0");
        let upload_cancel = button("widget__upload-cancel").attr("aria-label", say(Text::CancelUpload)).text("×");
        let upload = el("div")
            .class("widget__upload")
            .attr("role", "status")
            .attr("hidden", "")
            .child(&upload_name)
            .child(&upload_progress)
            .child(&upload_cancel);
        let attach =
            button("widget__attach").attr("aria-label", say(Text::AttachFile)).attr("title", say(Text::AttachFile));
        attach.set_inner_html(PAPERCLIP);
        let picker = el("input")
            .attr("type", "file")
            .class("widget__file-input")
            .attr("tabindex", "-1")
            .attr("aria-hidden", "true");
        let draft = el("textarea")
            .attr("aria-label", say(Text::Message))
            .attr("placeholder", say(Text::WriteMessage))
            .attr("rows", "2");
        let send = el("button").attr("type", "submit").class("widget__send").attr("disabled", "").text(say(Text::Send));
        let row = el("div").class("widget__row").child(&attach).child(&picker).child(&draft).child(&send);
        let form = el("form").class("widget__form").child(&error).child(&name).child(&upload).child(&row);
        let root = el("div").class("widget").child(&header).child(&status).child(&list).child(&typing).child(&form);
        View {
            root,
            close,
            status,
            list,
            intro,
            typing,
            form,
            error,
            name: name.unchecked_into(),
            upload,
            upload_name,
            upload_progress,
            upload_cancel,
            attach,
            picker: picker.unchecked_into(),
            draft: draft.unchecked_into(),
            send,
        }
    }

    /// Shows a file being sent, `share` (0 to 1) of it so far.
    pub fn uploading(&self, file: &str, share: f64) {
        let language = crate::language();
        self.upload_name.set_text_content(Some(&language.fill(Text::SendingFile, "file", file)));
        let _ = self.upload_progress.set_attribute("value", &share.to_string());
        let _ = self.upload_progress.set_attribute("aria-label", &language.fill(Text::UploadingFile, "file", file));
    }
}

/// One message: its author (operators'), its text as the server rendered it, its files,
/// and its time. `token` opens the files.
pub fn bubble(message: &Message, token: &str) -> Element {
    let li = el("li").class(if message.mine { "bubble bubble--mine" } else { "bubble" });
    if let Some(author) = &message.author_name {
        li.append_child(&el("span").class("bubble__author").text(author)).ok();
    }
    if !message.text.is_empty() {
        let text = el("div").class("bubble__text markdown");
        // The server's safe markdown renderer made this HTML: no raw HTML of anyone's,
        // only safe links.
        text.set_inner_html(&message.html);
        li.append_child(&text).ok();
    }
    if !message.attachments.is_empty() {
        let files = el("ul").class("bubble__files");
        for file in &message.attachments {
            let url = api::file_url(token, file);
            let link = if file.is_image() {
                el("a")
                    .attr("href", &url)
                    .attr("target", "_blank")
                    .attr("rel", "noopener noreferrer")
                    .child(&el("img").class("bubble__image").attr("src", &url).attr("alt", &file.name))
            } else {
                el("a").class("bubble__file").attr("href", &url).attr("download", &file.name).text(&format!(
                    "{} ({})",
                    file.name,
                    human_size(file.size)
                ))
            };
            files.append_child(&el("li").child(&link)).ok();
        }
        li.append_child(&files).ok();
    }
    li.child(&el("time").class("bubble__time").text(&clock(message.created_at)))
}

/// "14:05" in the visitor's time zone.
fn clock(at: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}
