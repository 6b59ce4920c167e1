//! Shown instead of the input in a dialog someone else works on: who it is, and Join.

use leptos::prelude::*;

#[component]
pub fn JoinBanner(members: Vec<String>, on_join: Callback<()>) -> impl IntoView {
    let said = match members.as_slice() {
        [] => tr!(others_work).to_string(),
        [one] => tr!(one_works, who = one).to_string(),
        many => tr!(many_work, who = many.join(", ")).to_string(),
    };
    view! {
        <div class="chat__bar join-banner" role="status">
            <span>{said}</span>
            <button class="button button--primary" on:click=move |_| on_join.run(())>{tr!(join)}</button>
        </div>
    }
}
