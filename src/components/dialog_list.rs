//! The dialogs of one tab, newest activity first. Only the rows in view (and a few
//! around them) are in the DOM, so a tab of 10,000 dialogs scrolls as lightly as one
//! of ten: rows have a fixed height, and spacers stand in for the rest.

use crate::components::dialog_row::DialogRow;
use crate::components::when::When;
use crate::idle::after_paint;
use crate::store::{InboxActions, InboxStore};
use el_protocol::inbox::Tab;
use el_protocol::DialogId;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::ResizeObserver;

/// Height of one row in pixels (`.dialog-row`'s in style/main.css).
pub const ROW_PX: usize = 80;
/// [`ROW_PX`] for scroll arithmetic.
pub const ROW_HEIGHT: f64 = ROW_PX as f64;
/// Rows rendered beyond each edge of the view once the first rows are painted, so fast
/// scrolling shows no gaps.
pub const OVERSCAN: usize = 8;

/// The rows to render for a scroll position, `[first, end)` of `total`: those in view
/// and `overscan` more on each side that has any (at the top, none above).
pub fn visible_range(total: usize, scroll_top: f64, viewport: f64, overscan: usize) -> (usize, usize) {
    let top = scroll_top.max(0.0);
    let first = ((top / ROW_HEIGHT) as usize).saturating_sub(overscan).min(total);
    let end = ((top + viewport.max(ROW_HEIGHT)) / ROW_HEIGHT).ceil() as usize + overscan;
    (first, end.min(total))
}

#[component]
pub fn DialogList(#[prop(into)] tab: Signal<Tab>, #[prop(into)] selected: Signal<Option<DialogId>>) -> impl IntoView {
    let inbox = expect_context::<InboxStore>();
    // Only the length and the rows in view are read from the inbox on each change (a
    // tab of 10,000 dialogs is never collected whole).
    let total = Memo::new(move |_| inbox.inbox.with(|i| i.loaded_len(tab.get())));
    let scroller: NodeRef<Div> = NodeRef::new();
    let scroll_top = RwSignal::new(0.0);
    let viewport = RwSignal::new(0.0);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            viewport.set(el.client_height() as f64);
            scroll_top.set(el.scroll_top() as f64);
        }
    };
    // The list's size comes from a ResizeObserver, after the browser's own layout: asking
    // for it while the first rows are built would make the browser lay out the whole
    // page first, only to do it again for the rows (some 40 ms before rows could show).
    let observer = StoredValue::new_local(None::<(ResizeObserver, Closure<dyn FnMut()>)>);
    Effect::new(move |_| {
        let Some(el) = scroller.get() else { return };
        let resized = Closure::<dyn FnMut()>::new(measure);
        if let Ok(watch) = ResizeObserver::new(resized.as_ref().unchecked_ref()) {
            watch.observe(&el);
            observer.set_value(Some((watch, resized)));
        }
    });
    on_cleanup(move || observer.with_value(|o| o.iter().for_each(|(watch, _)| watch.disconnect())));
    // A new tab starts at its top.
    Effect::new(move |shown: Option<Tab>| {
        let now = tab.get();
        if shown.is_some_and(|shown| shown != now) {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
                scroll_top.set(0.0);
            }
        }
        now
    });

    // The first rows show alone (those in view; until the list has been measured, the
    // window's height stands in for its own, which it never exceeds, and reading it makes
    // the browser lay out nothing); the rows beyond the view follow once those are painted.
    let window_height = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(1200.0);
    let painted = RwSignal::new(false);
    Effect::new(move |asked: Option<bool>| {
        if asked == Some(true) || total.get() == 0 {
            return asked == Some(true);
        }
        after_paint(move || _ = painted.try_set(true));
        true
    });
    let range = Memo::new(move |_| {
        let height = if viewport.get() > 0.0 { viewport.get() } else { window_height };
        let overscan = if painted.get() { OVERSCAN } else { 0 };
        visible_range(total.get(), scroll_top.get(), height, overscan)
    });
    let rows = Memo::new(move |_| {
        let (first, end) = range.get();
        inbox.inbox.with(|i| i.window(tab.get(), first, end))
    });
    // Near the end of what is loaded, ask for the next page (the store ignores the
    // request while one is on its way or when the tab is whole).
    let more = Memo::new(move |_| inbox.inbox.with(|i| i.next_page(tab.get()).is_some()));
    let actions = expect_context::<InboxActions>();
    Effect::new(move |_| {
        let near_end = range.get().1 + OVERSCAN >= total.get();
        if more.get() && near_end {
            actions.more.run(tab.get_untracked());
        }
    });
    // Whole pixels: formatting a float would bring Rust's float printing into the first download.
    let pad = move |rows: usize| format!("{}px", rows * ROW_PX);
    view! {
        <div
            id="dialog-list"
            class="dialog-list"
            role="tabpanel"
            aria-labelledby=move || format!("tab-{}", tab.get().as_str())
            node_ref=scroller
            on:scroll=move |_| measure()
        >
            <When
                when=move || total.get() != 0
                fallback=move || {
                    if inbox.loaded.get() {
                        view! { <p class="dialog-list__empty">{empty_text(tab.get())}</p> }.into_any()
                    } else {
                        skeleton().into_any()
                    }
                }
            >
                <ul
                    class="dialog-list__items"
                    style:padding-top=move || pad(range.get().0)
                    style:padding-bottom=move || pad(total.get().saturating_sub(range.get().1))
                >
                    <For each=move || rows.get() key=|id| *id let:id>
                        <DialogRow id=id selected=Signal::derive(move || selected.get() == Some(id))/>
                    </For>
                </ul>
                <When when=move || more.get()>
                    <p class="dialog-list__more" role="status">{tr!(loading_more_dialogs)}</p>
                </When>
            </When>
        </div>
    }
}

/// Grey rows in the shape of dialogs while the inbox loads (not an empty state).
fn skeleton() -> impl IntoView {
    view! {
        <div class="dialog-list__loading" role="status" aria-busy="true">
            <span class="sr-only">{tr!(loading_dialogs)}</span>
            {(0..6)
                .map(|_| view! {
                    <div class="skeleton-row" aria-hidden="true">
                        <span class="skeleton skeleton--avatar"></span>
                        <span class="skeleton-row__lines">
                            <span class="skeleton skeleton--line"></span>
                            <span class="skeleton skeleton--short"></span>
                        </span>
                    </div>
                })
                .collect_view()}
        </div>
    }
}

fn empty_text(tab: Tab) -> &'static str {
    match tab {
        Tab::Unassigned => tr!(empty_unassigned),
        Tab::Active => tr!(empty_active),
        Tab::Inactive => tr!(empty_inactive),
    }
}
