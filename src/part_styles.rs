//! The style sheet of the parts downloaded on demand (`style/pages.css`: the chat, the
//! CRM, Settings, the embedded views). The first screen's sheet (`style/main.css`)
//! comes with the page; this one when a part is first asked for, or beside the chat's
//! part once the inbox's list is painted. The split build (`scripts/split-wasm.mjs`)
//! puts its link, integrity hash and all, in the page's `<template id="el-part-styles">`,
//! where the browser leaves it alone; other builds link both sheets from the start and
//! have no such template.

use leptos::prelude::document;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlLinkElement, HtmlTemplateElement};

use crate::on_demand::NotDownloaded;

/// The id of the template that holds the sheet's link.
const TEMPLATE: &str = "el-part-styles";
/// The id the link gets once it is in the page's head.
const LINK: &str = "el-part-styles-link";

/// Applies the parts' sheet if it is not yet: its link goes into the page's head, and
/// this waits until the browser has loaded it (at once when it has). A sheet that could
/// not be loaded is taken out again, so that a later call tries afresh.
pub async fn applied() -> Result<(), NotDownloaded> {
    let Some(link) = link() else { return Ok(()) };
    if link.sheet().is_some() {
        return Ok(());
    }
    let (settle, settled) = futures::channel::oneshot::channel();
    let on_either = Closure::once_into_js(move |event: web_sys::Event| {
        let _ = settle.send(event.type_() == "load");
    });
    for event in ["load", "error"] {
        let _ = link.add_event_listener_with_callback(event, on_either.unchecked_ref());
    }
    if settled.await == Ok(true) {
        return Ok(());
    }
    link.remove();
    Err(NotDownloaded)
}

/// The sheet's link in the head, put there from the template first if it is not; none
/// in builds that link the sheet from the start.
fn link() -> Option<HtmlLinkElement> {
    let document = document();
    if let Some(link) = document.get_element_by_id(LINK) {
        return link.dyn_into().ok();
    }
    let template: HtmlTemplateElement = document.get_element_by_id(TEMPLATE)?.dyn_into().ok()?;
    let link: HtmlLinkElement =
        template.content().first_element_child()?.clone_node_with_deep(true).ok()?.dyn_into().ok()?;
    link.set_id(LINK);
    document.head()?.append_child(&link).ok()?;
    Some(link)
}

/// Starts applying the sheet if it is not yet in the head, without waiting for it; a
/// sheet that fails is taken out (by [`applied`]) for the next call to try afresh.
pub fn prefetch() {
    if document().get_element_by_id(LINK).is_none() {
        leptos::task::spawn_local(async {
            let _ = applied().await;
        });
    }
}
