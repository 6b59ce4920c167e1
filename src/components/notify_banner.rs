//! The offer to turn on browser notifications, shown in the inbox while the browser
//! has not been asked yet: asking needs the user's click, and the inbox is where
//! missing a client matters.

use crate::alerts;
use crate::components::when::When;
use crate::store::Session;
use leptos::prelude::*;
use web_sys::NotificationPermission;

/// Where {tr!(not_now)} is remembered in this browser.
const NOT_NOW_KEY: &str = "el-notifications-not-now";

#[component]
pub fn NotifyBanner() -> impl IntoView {
    let session = expect_context::<Session>();
    let storage = window().local_storage().ok().flatten();
    let permission = RwSignal::new(alerts::permission());
    let not_now = RwSignal::new(storage.as_ref().is_some_and(|s| s.get_item(NOT_NOW_KEY).ok().flatten().is_some()));
    let wanted = move || session.me().is_some_and(|me| me.settings.notify_desktop);
    let show = move || wanted() && !not_now.get() && permission.get() == Some(NotificationPermission::Default);
    let turn_on = move |_| alerts::ask_permission(permission);
    let later = move |_| {
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item(NOT_NOW_KEY, "1");
        }
        not_now.set(true);
    };
    view! {
        <When when=show>
            <div class="notify-banner" role="region" aria-label=tr!(notifications)>
                <p>{tr!(notify_offer)}</p>
                <div class="notify-banner__actions">
                    <button class="button button--primary" on:click=turn_on>{tr!(turn_on_notifications)}</button>
                    <button class="button button--ghost" on:click=later>{tr!(not_now)}</button>
                </div>
            </div>
        </When>
    }
}
