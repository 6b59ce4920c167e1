//! `/settings`: the user's own preferences: confirmations, notifications and theme.

use crate::alerts;
use crate::api;
use crate::components::app_shell::AppShell;
use crate::store::Session;
use el_protocol::api::{Theme, UserSettings};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use web_sys::NotificationPermission;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let settings = move || session.me().map(|me| me.settings).unwrap_or_default();
    let save = move |change: &dyn Fn(&mut UserSettings)| {
        let mut next = settings();
        change(&mut next);
        spawn_local(async move {
            match api::update_settings(next).await {
                Ok(me) => {
                    session.update_me(me);
                    error.set(None);
                    saved.set(true);
                }
                Err(f) => error.set(Some(f.message)),
            }
        })
    };
    // What the browser allows, asked again when the user turns notifications on.
    let permission = RwSignal::new(alerts::permission());
    let set_desktop = move |on: bool| {
        save(&|s| s.notify_desktop = on);
        if on && permission.get_untracked() == Some(NotificationPermission::Default) {
            alerts::ask_permission(move |answer| permission.set(Some(answer)));
        }
    };
    let browser_note = move || match permission.get() {
        None => {
            Some("This browser cannot show notifications: the sound and the count in the tab's title still tell you.")
        }
        Some(NotificationPermission::Denied) => {
            Some("Your browser blocks notifications from this site: allow them in the browser's site settings.")
        }
        _ => None,
    };
    view! {
        <AppShell>
            <section class="settings">
                <h1>"Settings"</h1>
                <Setting
                    label="Ask for confirmation before ending a dialog"
                    checked=Signal::derive(move || settings().confirm_end_dialog)
                    on_change=Callback::new(move |on| save(&|s| s.confirm_end_dialog = on))
                />
                <h2>"Notifications"</h2>
                <p class="muted">"New dialogs in Unassigned and new client messages in your dialogs, while you look at another tab or chat."</p>
                <Setting
                    label="Show browser notifications"
                    checked=Signal::derive(move || settings().notify_desktop)
                    on_change=Callback::new(set_desktop)
                />
                <Show when=move || settings().notify_desktop && browser_note().is_some()>
                    <p class="muted" role="note">{browser_note}</p>
                </Show>
                <Setting
                    label="Play a sound"
                    checked=Signal::derive(move || settings().notify_sound)
                    on_change=Callback::new(move |on| save(&|s| s.notify_sound = on))
                />
                <fieldset class="settings__choice">
                    <legend>"Theme"</legend>
                    {Theme::ALL.into_iter().map(|theme| view! {
                        <label class="checkbox">
                            <input type="radio" name="theme" value=theme.as_str()
                                prop:checked=move || settings().theme == theme
                                on:change=move |_| save(&|s| s.theme = theme)/>
                            {theme.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <Show when=move || session.me().is_some_and(|me| me.access.has_lines())>
                    <h2>"Answers"</h2>
                    <p><A href="/settings/quick-replies">"Quick replies"</A>" — saved answers that / finds in a chat."</p>
                </Show>
                <Show when=move || session.me().is_some_and(|me| me.access.admin)>
                    <h2>"Administration"</h2>
                    <p><A href="/settings/roles">"Roles"</A>" — who may see which leads and contacts, and so how they work in External Lines."</p>
                    <p><A href="/settings/integrations">"Integrations"</A>" — connect Telegram bots, so clients can write to you there."</p>
                    <p><A href="/settings/queue">"Queue"</A>" — new dialogs to everyone at once or in turn, and each operator's maximum of active dialogs."</p>
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

/// One preference: a checkbox with its label.
#[component]
fn Setting(label: &'static str, checked: Signal<bool>, on_change: Callback<bool>) -> impl IntoView {
    view! {
        <label class="checkbox">
            <input type="checkbox" prop:checked=checked on:change=move |e| on_change.run(event_target_checked(&e))/>
            {label}
        </label>
    }
}
