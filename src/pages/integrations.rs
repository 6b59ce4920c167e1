//! `/settings/integrations`: administrators connect Telegram bots by token (the
//! server checks it and registers the webhook), see each bot's state, and disconnect
//! or reconnect it.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::channel_icon::ChannelIcon;
use crate::components::confirm_modal::ConfirmModal;
use crate::format::list_time;
use crate::i18n::td_string;
use crate::language::current;
use crate::store::Session;
use el_protocol::api::ChannelKind;
use el_protocol::integrations::{is_bot_token, IntegrationsOverview, TelegramBot};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One bot: its names, state, and the button that changes it.
#[component]
fn BotRow(bot: TelegramBot, on_toggle: Callback<TelegramBot>) -> impl IntoView {
    let connected = bot.is_connected();
    let since = match bot.disconnected_at {
        Some(at) => tr!(disconnected_at, at = list_time(at)).to_string(),
        None => tr!(connected_at, at = list_time(bot.connected_at)).to_string(),
    };
    let dialogs = td_string!(current(), n_dialogs, count = bot.dialogs).to_string();
    let label = if connected { tr!(disconnect) } else { tr!(reconnect) };
    let row = bot.clone();
    view! {
        <li class="bot" data-state=if connected { "connected" } else { "disconnected" }>
            <ChannelIcon kind=ChannelKind::Telegram/>
            <div class="bot__names">
                <strong class="bot__name">{bot.name.clone()}</strong>
                <a class="bot__username" href=bot.link() target="_blank" rel="noopener noreferrer">{format!("@{}", bot.username)}</a>
            </div>
            <span class="bot__state" data-state=if connected { "connected" } else { "disconnected" }>
                {if connected { tr!(connected) } else { tr!(disconnected) }}
            </span>
            <span class="muted bot__since">{since}" · "{dialogs}</span>
            <button class="button" aria-label=format!("{label} @{}", bot.username) on:click=move |_| on_toggle.run(row.clone())>
                {label}
            </button>
            {bot.problem.clone().map(|p| view! { <p class="bot__problem" role="alert">"⚠ " {p}</p> })}
        </li>
    }
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let overview = RwSignal::new(None::<IntegrationsOverview>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let token = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(None::<TelegramBot>);
    let admin = move || session.me().is_some_and(|me| me.access.admin);
    let reload = move || {
        spawn_local(async move {
            match api::integrations().await {
                Ok(o) => overview.set(Some(o)),
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        })
    };
    reload();
    // Shows what an action answered, and the list as it is now.
    let done = move |result: Result<TelegramBot, api::Failure>, said: &str| {
        busy.set(false);
        match result {
            Ok(bot) => {
                error.set(None);
                status.set(Some(format!("@{} {said}", bot.username)));
                reload();
            }
            Err(f) => {
                status.set(None);
                error.set(Some(f.message));
            }
        }
    };
    let connect = move || {
        let value = token.get_untracked().trim().to_string();
        if !is_bot_token(&value) {
            error.set(Some(tr!(paste_whole_token).into()));
            return;
        }
        busy.set(true);
        status.set(Some(tr!(checking_token).into()));
        spawn_local(async move {
            let result = api::connect_telegram(value).await;
            if result.is_ok() {
                token.set(String::new());
            }
            done(result, tr!(bot_connected));
        });
    };
    let toggle = move |bot: TelegramBot| {
        busy.set(true);
        spawn_local(async move {
            let reconnect = !bot.is_connected();
            let result = api::toggle_bot(bot.channel_id, reconnect).await;
            done(result, if reconnect { tr!(bot_reconnected) } else { tr!(bot_disconnected) });
        });
    };
    let on_toggle = Callback::new(move |bot: TelegramBot| {
        if bot.is_connected() {
            confirming.set(Some(bot));
        } else {
            toggle(bot);
        }
    });
    let ready = move || overview.with(|o| o.as_ref().is_some_and(|o| o.public_url.is_some()));
    view! {
        <AppShell>
            <section class="settings integrations">
                <h1>{tr!(integrations)}</h1>
                <Show when=admin fallback=|| view! { <p class="empty-state" role="alert">{tr!(only_admins_integrations)}</p> }>
                    <h2><ChannelIcon kind=ChannelKind::Telegram/>" Telegram"</h2>
                    <Show when=move || overview.with(|o| o.as_ref().is_some_and(|o| o.public_url.is_none()))>
                        <p class="notice" role="note">
                            {tr!(no_public_url)}
                            {tr!(start_server_with)}<code>"PUBLIC_URL=https://your-domain"</code>{tr!(to_connect_bots)}
                        </p>
                    </Show>
                    <form class="integrations__form" on:submit=move |e| { e.prevent_default(); connect(); }>
                        <label for="bot-token">{tr!(bot_token)}</label>
                        <div class="integrations__row">
                            <input id="bot-token" class="field" type="text" autocomplete="off" spellcheck="false"
                                placeholder="123456789:AAE…" aria-describedby="bot-token-help"
                                prop:value=move || token.get() on:input=move |e| token.set(event_target_value(&e))/>
                            <button class="button button--primary" type="submit" disabled=move || busy.get() || !ready()>
                                {tr!(connect_bot)}
                            </button>
                        </div>
                        <p id="bot-token-help" class="muted">
                            {tr!(create_bot_hint)}
                            {tr!(bot_clients_hint)}
                        </p>
                    </form>
                    <Show when=move || error.with(Option::is_some)>
                        <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                    </Show>
                    <Show when=move || status.with(Option::is_some)>
                        <p class="muted" role="status">{move || status.get().unwrap_or_default()}</p>
                    </Show>
                    {move || overview.get().map(|o| if o.telegram.is_empty() {
                        view! { <p class="empty-state">{tr!(no_bots)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="bots" aria-label=tr!(telegram_bots)>
                                {o.telegram.into_iter().map(|bot| view! { <BotRow bot=bot on_toggle=on_toggle/> }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                </Show>
            </section>
            {move || confirming.get().map(|bot| {
                let text = tr!(disconnect_text, bot = bot.username.clone()).to_string();
                view! {
                    <ConfirmModal title=tr!(disconnect_title, bot = bot.username.clone()).to_string() text=text confirm_label=tr!(disconnect)
                        on_confirm=Callback::new(move |_| { confirming.set(None); toggle(bot.clone()); })
                        on_close=Callback::new(move |_| confirming.set(None))/>
                }
            })}
        </AppShell>
    }
}
