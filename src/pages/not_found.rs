//! Any unknown path.

use crate::components::link::Link;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main class="empty-page">
            <h1>{tr!(page_not_found)}</h1>
            <p>{tr!(nothing_here)}</p>
            <Link href="/">{tr!(go_to_start)}</Link>
        </main>
    }
}
