//! The operator's Online / Away switch in the top bar: Away, no dialog is offered to
//! them in turn (and one offered now passes to the next operator).

use crate::api;
use crate::components::when::When;
use crate::labels::Text;
use crate::store::Session;
use el_protocol::queue::Presence;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn PresenceToggle() -> impl IntoView {
    let session = expect_context::<Session>();
    let presence = move || session.me().map(|me| me.presence).unwrap_or_default();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let toggle = move |_| {
        let next = match presence() {
            Presence::Online => Presence::Away,
            Presence::Away => Presence::Online,
        };
        busy.set(true);
        spawn_local(async move {
            match api::set_presence(next).await {
                Ok(me) => {
                    session.update_me(me);
                    error.set(None);
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <button
            class="button button--ghost presence"
            data-presence=move || presence().as_str()
            aria-pressed=move || (presence() == Presence::Online).to_string()
            disabled=move || busy.get()
            title=move || match presence() {
                Presence::Online => tr!(presence_online_hint),
                Presence::Away => tr!(presence_away_hint),
            }
            on:click=toggle
        >
            <span class="presence__dot" aria-hidden="true"></span>
            {move || presence().text()}
        </button>
        <When when=move || error.with(Option::is_some)>
            <span class="form-error" role="alert">{move || error.get().unwrap_or_default()}</span>
        </When>
    }
}
