//! Shown instead of the input in a dialog someone else works on: who it is, and Join.

use leptos::prelude::*;

#[component]
pub fn JoinBanner(members: Vec<String>, on_join: Callback<()>) -> impl IntoView {
    let who = match members.as_slice() {
        [] => "Another operator works".to_string(),
        [one] => format!("{one} works"),
        many => format!("{} work", many.join(", ")),
    };
    view! {
        <div class="chat__bar join-banner" role="status">
            <span>{format!("{who} on this dialog. Join it to write to the client.")}</span>
            <button class="button button--primary" on:click=move |_| on_join.run(())>"Join"</button>
        </div>
    }
}
