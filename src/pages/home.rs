//! `/`: sends users to the section their role opens.

use crate::components::app_shell::{redirect, AppShell};
use crate::store::Session;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <AppShell>
            {move || match session.me() {
                Some(me) if me.access.has_lines() => redirect("/lines"),
                _ => view! { <crate::components::no_access::NoAccess/> }.into_any(),
            }}
        </AppShell>
    }
}
