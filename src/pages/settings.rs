//! `/settings`: the user's own preferences.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::store::Session;
use el_protocol::api::UserSettings;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let confirm = move || session.me().is_some_and(|me| me.settings.confirm_end_dialog);
    let set_confirm = move |value: bool| {
        spawn_local(async move {
            match api::update_settings(UserSettings { confirm_end_dialog: value }).await {
                Ok(me) => {
                    session.update_me(me);
                    error.set(None);
                    saved.set(true);
                }
                Err(f) => error.set(Some(f.message)),
            }
        })
    };
    view! {
        <AppShell>
            <section class="settings">
                <h1>"Settings"</h1>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=confirm on:change=move |e| set_confirm(event_target_checked(&e))/>
                    "Ask for confirmation before ending a dialog"
                </label>
                <Show when=move || session.me().is_some_and(|me| me.access.admin)>
                    <h2>"Administration"</h2>
                    <p><A href="/settings/roles">"Roles"</A>" — who may see which leads and contacts, and so how they work in External Lines."</p>
                    <p><A href="/settings/integrations">"Integrations"</A>" — connect Telegram bots, so clients can write to you there."</p>
                </Show>
                <Show when=move || error.with(Option::is_some)>
                    <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <Show when=move || saved.get()>
                    <p class="muted" role="status">"Saved."</p>
                </Show>
            </section>
        </AppShell>
    }
}
