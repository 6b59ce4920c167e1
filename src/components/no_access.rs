//! Shown where the user's role gives no access to External Lines (seed case 2).

use leptos::prelude::*;

#[component]
pub fn NoAccess() -> impl IntoView {
    view! {
        <div class="empty-state" role="status">
            <h1>{tr!(no_access_title)}</h1>
            <p>
                {tr!(no_access_text)}
                {tr!(no_access_ask)}
            </p>
        </div>
    }
}
