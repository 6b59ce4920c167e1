//! Building the widget's page with the browser's DOM: a few chainable helpers instead of
//! a framework (the widget is small, and every visitor of a customer's site loads it).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event};

pub fn document() -> Document {
    web_sys::window().and_then(|w| w.document()).expect("the widget runs in a page")
}

/// A new `<tag>`.
pub fn el(tag: &str) -> Element {
    document().create_element(tag).expect("a known tag name")
}

/// Chainable setters on elements.
pub trait Build: Sized {
    fn class(self, class: &str) -> Self;
    fn attr(self, name: &str, value: &str) -> Self;
    /// Shows `text` exactly as written (never as HTML).
    fn text(self, text: &str) -> Self;
    fn child(self, child: &Element) -> Self;
    /// Calls `handler` on each `event` for the page's life.
    fn on<E: JsCast + 'static>(self, event: &str, handler: impl FnMut(E) + 'static) -> Self;
}

impl Build for Element {
    fn class(self, class: &str) -> Self {
        self.set_class_name(class);
        self
    }

    fn attr(self, name: &str, value: &str) -> Self {
        let _ = self.set_attribute(name, value);
        self
    }

    fn text(self, text: &str) -> Self {
        self.set_text_content(Some(text));
        self
    }

    fn child(self, child: &Element) -> Self {
        let _ = self.append_child(child);
        self
    }

    fn on<E: JsCast + 'static>(self, event: &str, mut handler: impl FnMut(E) + 'static) -> Self {
        listen(&self, event, move |e: Event| handler(e.unchecked_into()));
        self
    }
}

/// Calls `handler` on each `event` of `target` for the page's life.
pub fn listen(target: &web_sys::EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    let handler = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
    handler.forget();
}

/// Shows or hides `element` (its `hidden` attribute).
pub fn show(element: &Element, shown: bool) {
    let _ = if shown { element.remove_attribute("hidden") } else { element.set_attribute("hidden", "") };
}

/// Sets or clears a boolean attribute such as `disabled`.
pub fn flag(element: &Element, name: &str, on: bool) {
    let _ = if on { element.set_attribute(name, "") } else { element.remove_attribute(name) };
}
