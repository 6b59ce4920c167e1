//! The frame around every signed-in page: navigation, the user, sign out, and the
//! connection state. Sends signed-out visitors to the sign-in page.

use crate::api;
use crate::components::connection_status::ConnectionStatus;
use crate::components::link::Link;
use crate::components::presence_toggle::PresenceToggle;
use crate::components::when::When;
use crate::store::{Session, SessionState};
use el_protocol::crm::Entity;
use el_protocol::permissions::{Access, ViewScope};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

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
    // On a phone the sections and Sign out fold into a menu.
    let menu_open = RwSignal::new(false);
    let esc = crate::shortcuts::on_key(move |e| {
        if e.key() == "Escape" && menu_open.get_untracked() {
            menu_open.set(false);
            focus("topbar-menu-toggle");
        }
    });
    on_cleanup(move || esc.remove());
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::logout().await;
            session.signed_out();
        });
    };
    move || match session.state.get() {
        SessionState::Checking => view! { <div class="loading-page" aria-busy="true">{tr!(loading)}</div> }.into_any(),
        SessionState::SignedOut => redirect("/login"),
        SessionState::SignedIn(me) => view! {
            <div class="shell">
                <a class="skip-link" href="#main" on:click=move |e| {
                    e.prevent_default();
                    focus("main");
                }>{tr!(skip_to_content)}</a>
                <header class="topbar">
                    <Link href="/" attr:class="brand">
                        <span class="brand__mark" aria-hidden="true">"EL"</span>
                        "External Lines"
                    </Link>
                    <ConnectionStatus/>
                    <button
                        id="topbar-menu-toggle"
                        class="button topbar__menu-toggle"
                        aria-expanded=move || menu_open.get().to_string()
                        aria-controls="topbar-menu"
                        on:click=move |_| menu_open.update(|o| *o = !*o)
                    >
                        <span aria-hidden="true">"☰ "</span>
                        {tr!(menu)}
                    </button>
                    // Choosing anything in the menu closes it.
                    <div id="topbar-menu" class="topbar__menu" class:topbar__menu--open=move || menu_open.get()
                        on:click=move |_| menu_open.set(false)>
                        <nav class="topbar__nav" aria-label=tr!(sections)>
                            <When when=move || me.access.has_lines()>
                                <Link href="/lines">{tr!(external_lines)}</Link>
                            </When>
                            {crm_home(&me.access).map(|href| view! { <Link href=href>{tr!(crm)}</Link> })}
                            <Link href="/settings">{tr!(settings)}</Link>
                        </nav>
                        <When when=move || me.access.has_lines()>
                            <PresenceToggle/>
                        </When>
                        <span class="topbar__user" title=me.role.name.clone()>{me.user.name.clone()}</span>
                        <button class="button button--ghost" on:click=sign_out>{tr!(sign_out)}</button>
                    </div>
                </header>
                <main id="main" class="shell__body" tabindex="-1">{children.with_value(|c| c())}</main>
            </div>
        }
        .into_any(),
    }
}

/// Goes to `path` (under the router's base) as the page draws, as leptos_router's
/// `Redirect` does in a browser, without its server-side half; draws nothing.
pub fn redirect(path: &str) -> AnyView {
    use_navigate()(path, Default::default());
    ().into_any()
}

/// Moves focus to the element with this id, if it is on the page.
pub fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
