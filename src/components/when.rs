//! `When`: Leptos's `Show` with its children and condition type-erased, so its code is
//! in the wasm once for every use instead of once for each use's view and closure types.

use leptos::prelude::*;

/// Draws `children` while `when` is true, else `fallback`; like `Show`, the view is drawn
/// anew only when the condition's value changes.
#[component]
pub fn When(
    #[prop(into)] when: Signal<bool>,
    #[prop(optional, into)] fallback: ViewFn,
    children: ChildrenFn,
) -> impl IntoView {
    let on = Memo::new(move |_| when.get());
    move || if on.get() { children() } else { fallback.run() }
}
