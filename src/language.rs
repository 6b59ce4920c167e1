//! The app's language: the user's choice (kept on the server, and in this browser so the
//! sign-in page speaks it too), or the first of the browser's languages the app has.
//! Dates and times follow it, in the browser's region when it speaks the same language.

use crate::i18n::{I18nLocaleTrait, Locale};
use crate::store::Session;
use el_protocol::api::Language;
use el_web_client::words::Problem;
use js_sys::{Array, Function, Intl, Object, Reflect};
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsValue;

/// Where this browser remembers the last choice.
const KEY: &str = "el-language";

/// Dates and times as the current language writes them.
struct Formats {
    locale: Locale,
    date: Function,
    day: Function,
    time: Function,
}

thread_local! {
    static FORMATS: RefCell<Formats> = RefCell::new(Formats::of(locale_of(remembered())));
}

impl Formats {
    fn of(locale: Locale) -> Formats {
        let tag = region_tag(locale);
        let format = |fields: &[(&str, &str)]| {
            let options = Object::new();
            for (k, v) in fields {
                let _ = Reflect::set(&options, &(*k).into(), &(*v).into());
            }
            Intl::DateTimeFormat::new(&Array::of1(&tag.as_str().into()), &options).format()
        };
        Formats {
            locale,
            date: format(&[("day", "2-digit"), ("month", "2-digit"), ("year", "numeric")]),
            day: format(&[("day", "numeric"), ("month", "long"), ("year", "numeric")]),
            time: format(&[("hour", "numeric"), ("minute", "2-digit")]),
        }
    }
}

/// The browser's own language tag ("en-GB") when it is of `locale`'s language, so dates
/// follow the user's region; otherwise the language alone.
fn region_tag(locale: Locale) -> String {
    let code = locale.as_str();
    let browser = window().navigator().language().unwrap_or_default();
    if browser.split('-').next() == Some(code) {
        browser
    } else {
        code.to_string()
    }
}

/// Has the shared web client put its own failures (a lost connection, an unreadable
/// answer) in the app's current language.
pub fn speak_for_web_client() {
    el_web_client::words::speak(|problem| match problem {
        Problem::Unreachable => tr!(net_unreachable).to_string(),
        Problem::Unreadable => tr!(net_unreadable).to_string(),
        Problem::ServerError(status) => tr!(net_server_error, status = status.to_string()).to_string(),
        Problem::UploadNotStarted => tr!(upload_not_started).to_string(),
        Problem::UploadInterrupted => tr!(upload_interrupted).to_string(),
    });
}

/// Speaks `locale` from now on: texts and dates made after this call.
pub fn switch(locale: Locale) {
    if locale != current() {
        FORMATS.set(Formats::of(locale));
    }
}

/// The language the app speaks now.
pub fn current() -> Locale {
    FORMATS.with_borrow(|f| f.locale)
}

/// A moment as the current language writes it: `Date` ("12.11.2026"), `Day`
/// ("12 November 2026") or `Time` ("14:05", "2:05 PM").
pub fn format(at: el_protocol::Millis, kind: Kind) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at as f64));
    FORMATS.with_borrow(|f| {
        let format = match kind {
            Kind::Date => &f.date,
            Kind::Day => &f.day,
            Kind::Time => &f.time,
        };
        format.call1(&JsValue::NULL, &date).ok().and_then(|s| s.as_string()).unwrap_or_default()
    })
}

/// What [`format`] writes of a moment.
#[derive(Clone, Copy)]
pub enum Kind {
    Date,
    Day,
    Time,
}

/// The locale a choice means in this browser.
fn locale_of(language: Language) -> Locale {
    match language {
        Language::En => Locale::en,
        Language::Uk => Locale::uk,
        Language::Browser => {
            let languages = window().navigator().languages();
            let tags: Vec<String> = languages.iter().filter_map(|l| l.as_string()).collect();
            locale_of(Language::of_browser(&tags))
        }
    }
}

/// The choice this browser remembers (the sign-in page speaks it before anyone signs in).
fn remembered() -> Language {
    let storage = window().local_storage().ok().flatten();
    storage.and_then(|s| s.get_item(KEY).ok().flatten()).as_deref().and_then(Language::parse).unwrap_or_default()
}

/// Follows the signed-in user's choice (or the remembered one): texts, dates and the
/// page's `lang` change, then the language this returns, which the pages redraw on.
pub fn follow(session: Session) -> Memo<Locale> {
    let chosen = Memo::new(move |_| session.me().map_or_else(remembered, |me| me.settings.language));
    Memo::new(move |_| {
        let language = chosen.get();
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(KEY, language.as_str());
        }
        let locale = locale_of(language);
        switch(locale);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", locale.as_str());
        }
        locale
    })
}
