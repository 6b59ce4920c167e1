//! Any unknown path.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main class="empty-page">
            <h1>{tr!(page_not_found)}</h1>
            <p>{tr!(nothing_here)}</p>
            <A href="/">{tr!(go_to_start)}</A>
        </main>
    }
}
