//! `/settings`: the user's own preferences: confirmations, notifications and theme.

use crate::alerts;
use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::link::Link;
use crate::components::when::When;
use crate::labels::Text;
use crate::store::Session;
use el_protocol::api::{Language, Theme, UserSettings};
use leptos::prelude::*;
use leptos::task::spawn_local;
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
            alerts::ask_permission(permission);
        }
    };
    let browser_note = move || match permission.get() {
        None => Some(tr!(no_notifications_here)),
        Some(NotificationPermission::Denied) => Some(tr!(notifications_blocked)),
        _ => None,
    };
    view! {
        <AppShell>
            <section class="settings">
                <h1>{tr!(settings)}</h1>
                <Setting
                    label=tr!(confirm_end_setting)
                    checked=Signal::derive(move || settings().confirm_end_dialog)
                    on_change=Callback::new(move |on| save(&|s| s.confirm_end_dialog = on))
                />
                <h2>{tr!(notifications)}</h2>
                <p class="muted">{tr!(notifications_about)}</p>
                <Setting
                    label=tr!(show_notifications)
                    checked=Signal::derive(move || settings().notify_desktop)
                    on_change=Callback::new(set_desktop)
                />
                <When when=move || settings().notify_desktop && browser_note().is_some()>
                    <p class="muted" role="note">{browser_note}</p>
                </When>
                <Setting
                    label=tr!(play_sound)
                    checked=Signal::derive(move || settings().notify_sound)
                    on_change=Callback::new(move |on| save(&|s| s.notify_sound = on))
                />
                {choice(tr!(theme), "theme", Theme::ALL, Theme::as_str, move || settings().theme,
                    move |theme| save(&|s| s.theme = theme))}
                {choice(tr!(language), "language", Language::ALL, Language::as_str, move || settings().language,
                    move |language| save(&|s| s.language = language))}
                <When when=move || session.me().is_some_and(|me| me.access.has_lines())>
                    <h2>{tr!(answers)}</h2>
                    <p><Link href="/settings/quick-replies">{tr!(quick_replies)}</Link>{tr!(quick_replies_about)}</p>
                </When>
                <When when=move || session.me().is_some_and(|me| me.access.admin)>
                    <h2>{tr!(administration)}</h2>
                    <p><Link href="/settings/roles">{tr!(roles)}</Link>{tr!(roles_about)}</p>
                    <p><Link href="/settings/integrations">{tr!(integrations)}</Link>{tr!(integrations_about)}</p>
                    <p><Link href="/settings/queue">{tr!(queue)}</Link>{tr!(queue_about)}</p>
                    <p><Link href="/settings/api-keys">{tr!(api_keys)}</Link>{tr!(api_keys_about_link)}</p>
                </When>
                <When when=move || error.with(Option::is_some)>
                    <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </When>
                <When when=move || saved.get()>
                    <p class="muted" role="status">{tr!(saved)}</p>
                </When>
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

/// One of `options` as radio buttons under `legend`, `current` checked; `pick` saves.
fn choice<T: Text + Copy + PartialEq + Send + Sync + 'static>(
    legend: &'static str,
    name: &'static str,
    options: impl IntoIterator<Item = T>,
    value: fn(T) -> &'static str,
    current: impl Fn() -> T + Copy + Send + Sync + 'static,
    pick: impl Fn(T) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="settings__choice">
            <legend>{legend}</legend>
            {options.into_iter().map(|option| view! {
                <label class="checkbox">
                    <input type="radio" name=name value=value(option)
                        prop:checked=move || current() == option
                        on:change=move |_| pick(option)/>
                    {option.text()}
                </label>
            }).collect_view()}
        </fieldset>
    }
}
