//! The frame around every signed-in page: navigation, the user, sign out, and the
//! connection state. Sends signed-out visitors to the sign-in page.

use crate::api;
use crate::components::connection_status::ConnectionStatus;
use crate::store::{Session, SessionState};
use el_protocol::crm::Entity;
use el_protocol::permissions::{Access, ViewScope};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Redirect, A};

/// Where the CRM item leads: the first list the role may view, or the leads (where a
/// role that only creates finds New lead); `None` when the role reaches no CRM record.
fn crm_home(access: &Access) -> Option<String> {
    let viewable = Entity::ALL.into_iter().find(|e| e.rights(access).view != ViewScope::None);
    let creatable = Entity::ALL.into_iter().find(|e| e.rights(access).create);
    viewable.or(creatable).map(|e| format!("/crm/{}", e.plural()))
}

#[component]
pub fn AppShell(children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    let children = StoredValue::new(children);
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::logout().await;
            session.signed_out();
        });
    };
    move || match session.state.get() {
        SessionState::Checking => view! { <div class="loading-page" aria-busy="true">"Loading…"</div> }.into_any(),
        SessionState::SignedOut => view! { <Redirect path="/login"/> }.into_any(),
        SessionState::SignedIn(me) => view! {
            <div class="shell">
                <header class="topbar">
                    <A href="/" attr:class="brand">
                        <span class="brand__mark" aria-hidden="true">"EL"</span>
                        "External Lines"
                    </A>
                    <nav class="topbar__nav" aria-label="Sections">
                        <Show when=move || me.access.has_lines()>
                            <A href="/lines">"External lines"</A>
                        </Show>
                        {crm_home(&me.access).map(|href| view! { <A href=href>"CRM"</A> })}
                        <A href="/settings">"Settings"</A>
                    </nav>
                    <ConnectionStatus/>
                    <span class="topbar__user" title=me.role.name.clone()>{me.user.name.clone()}</span>
                    <button class="button button--ghost" on:click=sign_out>"Sign out"</button>
                </header>
                <div class="shell__body">{children.with_value(|c| c())}</div>
            </div>
        }
        .into_any(),
    }
}
