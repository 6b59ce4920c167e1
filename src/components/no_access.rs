//! Shown where the user's role gives no access to External Lines (seed case 2).

use leptos::prelude::*;

#[component]
pub fn NoAccess() -> impl IntoView {
    view! {
        <div class="empty-state" role="status">
            <h1>"No access to External Lines"</h1>
            <p>
                "Your role allows neither creating nor viewing leads and contacts, so external chats are not available to you. "
                "Ask your administrator to change your role if you need them."
            </p>
        </div>
    }
}
