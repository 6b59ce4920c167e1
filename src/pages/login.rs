//! `/login`: sign in with login and password.

use crate::components::when::When;
use crate::store::{InboxStore, Session, SessionState};
use crate::{api, begin_session};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let inbox = expect_context::<InboxStore>();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();

    let go_home = navigate.clone();
    Effect::new(move |_| {
        if matches!(session.state.get(), SessionState::SignedIn(_)) {
            go_home("/", Default::default());
        }
    });

    // One sign-in at a time; the page is gone once it succeeds.
    let pending = RwSignal::new(false);
    let submit = move || {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let (l, p) = (login.get_untracked(), password.get_untracked());
        spawn_local(async move {
            match api::login(l, p).await {
                Ok(me) => {
                    error.set(None);
                    begin_session(session, inbox, me);
                }
                Err(f) => error.set(Some(f.message)),
            }
            let _ = pending.try_set(false);
        });
    };

    view! {
        <main class="login-page">
            <form
                class="login-card"
                aria-labelledby="login-title"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                <div class="brand brand--large">
                    <span class="brand__mark" aria-hidden="true">"EL"</span>
                    "External Lines"
                </div>
                <h1 id="login-title">{tr!(sign_in)}</h1>
                <label for="login">{tr!(login)}</label>
                <input
                    id="login"
                    name="login"
                    autocomplete="username"
                    autofocus
                    required
                    prop:value=move || login.get()
                    on:input=move |ev| login.set(event_target_value(&ev))
                />
                <label for="password">{tr!(password)}</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
                <When when=move || error.with(Option::is_some)>
                    <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </When>
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || if pending.get() { tr!(signing_in) } else { tr!(sign_in) }}
                </button>
            </form>
        </main>
    }
}
