//! `/settings/integrations`: administrators connect messenger bots (Telegram, Viber, a
//! WhatsApp Business number, a Facebook Page's Messenger, an Instagram account) with what
//! each messenger gives them (the server checks it and registers the webhook where the
//! messenger allows), see each bot's state and what keeps it from working, and
//! disconnect or reconnect it.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::channel_icon::ChannelIcon;
use crate::components::confirm_modal::ConfirmModal;
use crate::components::when::When;
use crate::format::list_time;
use crate::i18n::td_string;
use crate::language::current;
use crate::store::Session;
use el_protocol::api::ChannelKind;
use el_protocol::integrations::{
    is_token_of, ConnectPage, ConnectWhatsApp, IntegrationsOverview, MessengerBot, WebhookSetup,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the administrator enters in Meta's App Dashboard for a WhatsApp number, a page
/// or an Instagram account.
#[component]
fn SetupSteps(kind: ChannelKind, setup: WebhookSetup) -> impl IntoView {
    let steps = match kind {
        ChannelKind::Facebook => tr!(facebook_setup),
        ChannelKind::Instagram => tr!(instagram_setup),
        _ => tr!(whatsapp_setup),
    };
    view! {
        <div class="bot__setup">
            <p>{steps}</p>
            <dl>
                <dt>{tr!(callback_url)}</dt>
                <dd><code>{setup.url}</code></dd>
                <dt>{tr!(verify_token)}</dt>
                <dd><code>{setup.verify_token}</code></dd>
            </dl>
        </div>
    }
}

/// One bot: its names, state, and the button that changes it.
#[component]
fn BotRow(bot: MessengerBot, on_toggle: Callback<MessengerBot>) -> impl IntoView {
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
            <ChannelIcon kind=bot.kind/>
            <div class="bot__names">
                <strong class="bot__name">{bot.name.clone()}</strong>
                <a class="bot__username" href=bot.link() target="_blank" rel="noopener noreferrer">{bot.handle()}</a>
            </div>
            <span class="bot__state" data-state=if connected { "connected" } else { "disconnected" }>
                {if connected { tr!(connected) } else { tr!(disconnected) }}
            </span>
            <span class="muted bot__since">{since}" · "{dialogs}</span>
            <button class="button" aria-label=format!("{label} {}", bot.handle()) on:click=move |_| on_toggle.run(row.clone())>
                {label}
            </button>
            {bot.problem.clone().map(|p| view! { <p class="bot__problem" role="alert">"⚠ " {p}</p> })}
            {bot.setup.clone().map(|setup| view! { <SetupSteps kind=bot.kind setup=setup/> })}
        </li>
    }
}

/// What the page said last, and about which messenger's section.
#[derive(Clone)]
struct Said {
    kind: ChannelKind,
    text: String,
    error: bool,
}

/// What connecting asks the server for.
#[derive(Clone)]
enum Connect {
    Token(ChannelKind, String),
    WhatsApp(ConnectWhatsApp),
    Page(ChannelKind, ConnectPage),
}

/// A request to connect, and what to do once it worked (clear the form).
type ConnectRequest = (Connect, Callback<()>);

/// The form of a messenger that connects by one token (Telegram, Viber).
#[component]
fn TokenForm(
    kind: ChannelKind,
    ready: Signal<bool>,
    busy: RwSignal<bool>,
    on_connect: Callback<ConnectRequest>,
) -> impl IntoView {
    let token = RwSignal::new(String::new());
    let (field, placeholder, label, hint) = match kind {
        ChannelKind::Viber => {
            ("viber-token", "4453b6ac12345678-e02c5f12…", tr!(viber_token), tr!(create_viber_bot_hint))
        }
        _ => ("bot-token", "123456789:AAE…", tr!(bot_token), tr!(create_bot_hint)),
    };
    let (help, described_by) = (format!("{field}-help"), format!("{field}-help"));
    let submit = move || {
        on_connect.run((Connect::Token(kind, token.get_untracked()), Callback::new(move |_| token.set(String::new()))))
    };
    view! {
        <form class="integrations__form" on:submit=move |e| { e.prevent_default(); submit(); }>
            <label for=field>{label}</label>
            <div class="integrations__row">
                <input id=field class="field" type="text" autocomplete="off" spellcheck="false"
                    placeholder=placeholder aria-describedby=described_by
                    prop:value=move || token.get() on:input=move |e| token.set(event_target_value(&e))/>
                <button class="button button--primary" type="submit" disabled=move || busy.get() || !ready.get()>
                    {tr!(connect_bot)}
                </button>
            </div>
            <p id=help class="muted">{hint}{tr!(bot_clients_hint)}</p>
        </form>
    }
}

/// A labelled field of a messenger's credentials form: its id, label and placeholder.
type Field = (&'static str, &'static str, &'static str);

/// A form of several credentials (a WhatsApp number's, a page's): what the messenger's
/// console shows, each in its labelled field, turned into a request by `request`.
#[component]
fn CredentialsForm(
    fields: Vec<Field>,
    help_id: &'static str,
    help: String,
    button: &'static str,
    request: fn(Vec<String>) -> Connect,
    ready: Signal<bool>,
    busy: RwSignal<bool>,
    on_connect: Callback<ConnectRequest>,
) -> impl IntoView {
    let values: Vec<RwSignal<String>> = fields.iter().map(|_| RwSignal::new(String::new())).collect();
    let all = values.clone();
    let submit = move || {
        let entered = all.iter().map(|v| v.get_untracked().trim().to_string()).collect();
        let clear = all.clone();
        on_connect.run((request(entered), Callback::new(move |_| clear.iter().for_each(|v| v.set(String::new())))));
    };
    view! {
        <form class="integrations__form integrations__form--fields" on:submit=move |e| { e.prevent_default(); submit(); }>
            {fields.into_iter().zip(values).map(|((id, label, placeholder), value)| view! {
                <label for=id>{label}</label>
                <input id=id class="field" type="text" autocomplete="off" spellcheck="false" placeholder=placeholder
                    aria-describedby=help_id
                    prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e))/>
            }).collect_view()}
            <button class="button button--primary" type="submit" disabled=move || busy.get() || !ready.get()>
                {button}
            </button>
            <p id=help_id class="muted">{help}</p>
        </form>
    }
}

/// The form of a WhatsApp Business number: the four things Meta's App Dashboard shows.
#[component]
fn WhatsAppForm(ready: Signal<bool>, busy: RwSignal<bool>, on_connect: Callback<ConnectRequest>) -> impl IntoView {
    let fields = vec![
        ("wa-phone-number-id", tr!(phone_number_id), "106540352242922"),
        ("wa-waba-id", tr!(waba_id), "102290129340398"),
        ("wa-access-token", tr!(access_token), "EAAG…"),
        ("wa-app-secret", tr!(app_secret), "0123456789abcdef…"),
    ];
    let request = |v: Vec<String>| {
        let [phone_number_id, waba_id, access_token, app_secret] = <[String; 4]>::try_from(v).unwrap_or_default();
        Connect::WhatsApp(ConnectWhatsApp { phone_number_id, waba_id, access_token, app_secret })
    };
    let help = format!("{}{}", tr!(create_whatsapp_hint), tr!(bot_clients_hint));
    view! {
        <CredentialsForm fields help_id="whatsapp-help" help button=tr!(connect_number) request ready busy on_connect/>
    }
}

/// The form of a Facebook Page's Messenger or its Instagram account: the page's access
/// token and the app's secret.
#[component]
fn PageForm(
    kind: ChannelKind,
    ready: Signal<bool>,
    busy: RwSignal<bool>,
    on_connect: Callback<ConnectRequest>,
) -> impl IntoView {
    let ((token, secret), help_id, hint, button) = match kind {
        ChannelKind::Instagram => {
            (("ig-page-token", "ig-app-secret"), "instagram-help", tr!(create_instagram_hint), tr!(connect_instagram))
        }
        _ => (("fb-page-token", "fb-app-secret"), "facebook-help", tr!(create_facebook_hint), tr!(connect_page)),
    };
    let fields = vec![(token, tr!(page_access_token), "EAAG…"), (secret, tr!(app_secret), "0123456789abcdef…")];
    let request: fn(Vec<String>) -> Connect = match kind {
        ChannelKind::Instagram => |v| Connect::Page(ChannelKind::Instagram, page_body(v)),
        _ => |v| Connect::Page(ChannelKind::Facebook, page_body(v)),
    };
    let help = format!("{hint}{}", tr!(bot_clients_hint));
    view! { <CredentialsForm fields help_id help button request ready busy on_connect/> }
}

/// A page's credentials as the form's fields hold them.
fn page_body(values: Vec<String>) -> ConnectPage {
    let [page_access_token, app_secret] = <[String; 2]>::try_from(values).unwrap_or_default();
    ConnectPage { page_access_token, app_secret }
}

/// One messenger: its form, what the page said about it, and its bots.
#[component]
fn MessengerSection(
    kind: ChannelKind,
    overview: RwSignal<Option<IntegrationsOverview>>,
    said: RwSignal<Option<Said>>,
    busy: RwSignal<bool>,
    on_connect: Callback<ConnectRequest>,
    on_toggle: Callback<MessengerBot>,
) -> impl IntoView {
    let (list_label, empty) = match kind {
        ChannelKind::Viber => (tr!(viber_bots), tr!(no_viber_bots)),
        ChannelKind::Whatsapp => (tr!(whatsapp_numbers), tr!(no_whatsapp_numbers)),
        ChannelKind::Facebook => (tr!(facebook_pages), tr!(no_facebook_pages)),
        ChannelKind::Instagram => (tr!(instagram_accounts), tr!(no_instagram_accounts)),
        _ => (tr!(telegram_bots), tr!(no_bots)),
    };
    let heading = format!("{}-heading", kind.as_str());
    let labelled_by = heading.clone();
    let ready = Signal::derive(move || overview.with(|o| o.as_ref().is_some_and(|o| o.public_url.is_some())));
    let shown = move |error: bool| {
        said.with(|s| s.as_ref().filter(|s| s.kind == kind && s.error == error).map(|s| s.text.clone()))
    };
    let bots = move || {
        overview.with(|o| {
            o.as_ref().map(|o| match kind {
                ChannelKind::Viber => o.viber.clone(),
                ChannelKind::Whatsapp => o.whatsapp.clone(),
                ChannelKind::Facebook => o.facebook.clone(),
                ChannelKind::Instagram => o.instagram.clone(),
                _ => o.telegram.clone(),
            })
        })
    };
    let form = match kind {
        ChannelKind::Whatsapp => view! { <WhatsAppForm ready busy on_connect/> }.into_any(),
        ChannelKind::Facebook | ChannelKind::Instagram => view! { <PageForm kind ready busy on_connect/> }.into_any(),
        _ => view! { <TokenForm kind ready busy on_connect/> }.into_any(),
    };
    view! {
        <section class="integrations__messenger" aria-labelledby=labelled_by>
            <h2 id=heading><ChannelIcon kind=kind/>" " {kind.label()}</h2>
            {form}
            {move || shown(true).map(|text| view! { <p class="form-error" role="alert">{text}</p> })}
            {move || shown(false).map(|text| view! { <p class="muted" role="status">{text}</p> })}
            {move || bots().map(|list| if list.is_empty() {
                view! { <p class="empty-state">{empty}</p> }.into_any()
            } else {
                view! {
                    <ul class="bots" aria-label=list_label>
                        {list.into_iter().map(|bot| view! { <BotRow bot=bot on_toggle=on_toggle/> }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let overview = RwSignal::new(None::<IntegrationsOverview>);
    let said = RwSignal::new(None::<Said>);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(None::<MessengerBot>);
    let admin = move || session.me().is_some_and(|me| me.access.admin);
    let reload = move || {
        spawn_local(async move {
            match api::integrations().await {
                Ok(o) => overview.set(Some(o)),
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => said.set(Some(Said { kind: ChannelKind::Telegram, text: f.message, error: true })),
            }
        })
    };
    reload();
    // Shows what an action answered, and the list as it is now.
    let done = move |kind: ChannelKind, result: Result<MessengerBot, api::Failure>, what: &str| {
        busy.set(false);
        let text = match &result {
            Ok(bot) => format!("{} {what}", bot.handle()),
            Err(f) => f.message.clone(),
        };
        said.set(Some(Said { kind, text, error: result.is_err() }));
        if result.is_ok() {
            reload();
        }
    };
    let on_connect = Callback::new(move |(request, clear): ConnectRequest| {
        let (kind, problem) = match &request {
            Connect::Token(ChannelKind::Viber, token) => (
                ChannelKind::Viber,
                (!is_token_of(ChannelKind::Viber, token.trim())).then(|| tr!(paste_whole_viber_token)),
            ),
            Connect::Token(kind, token) => (*kind, (!is_token_of(*kind, token.trim())).then(|| tr!(paste_whole_token))),
            Connect::WhatsApp(body) => (ChannelKind::Whatsapp, body.problem()),
            Connect::Page(kind, body) => (*kind, body.problem()),
        };
        if let Some(problem) = problem {
            said.set(Some(Said { kind, text: problem.into(), error: true }));
            return;
        }
        busy.set(true);
        let checking = match kind {
            ChannelKind::Whatsapp => tr!(checking_number).to_string(),
            ChannelKind::Facebook | ChannelKind::Instagram => tr!(checking_page).to_string(),
            _ => tr!(checking_token, messenger = kind.label()).to_string(),
        };
        said.set(Some(Said { kind, text: checking, error: false }));
        spawn_local(async move {
            let result = match request {
                Connect::Token(kind, token) => api::connect_bot(kind, token.trim().to_string()).await,
                Connect::WhatsApp(body) => api::connect_whatsapp(body).await,
                Connect::Page(kind, body) => api::connect_page(kind, body).await,
            };
            if result.is_ok() {
                clear.run(());
            }
            done(kind, result, tr!(bot_connected));
        });
    });
    let toggle = move |bot: MessengerBot| {
        busy.set(true);
        spawn_local(async move {
            let reconnect = !bot.is_connected();
            let result = api::toggle_bot(&bot, reconnect).await;
            done(bot.kind, result, if reconnect { tr!(bot_reconnected) } else { tr!(bot_disconnected) });
        });
    };
    let on_toggle = Callback::new(move |bot: MessengerBot| {
        if bot.is_connected() {
            confirming.set(Some(bot));
        } else {
            toggle(bot);
        }
    });
    view! {
        <AppShell>
            <section class="settings integrations">
                <h1>{tr!(integrations)}</h1>
                <When when=admin fallback=|| view! { <p class="empty-state" role="alert">{tr!(only_admins_integrations)}</p> }>
                    <When when=move || overview.with(|o| o.as_ref().is_some_and(|o| o.public_url.is_none()))>
                        <p class="notice" role="note">
                            {tr!(no_public_url)}
                            {tr!(start_server_with)}<code>"PUBLIC_URL=https://your-domain"</code>{tr!(to_connect_bots)}
                        </p>
                    </When>
                    <MessengerSection kind=ChannelKind::Telegram overview said busy on_connect on_toggle/>
                    <MessengerSection kind=ChannelKind::Viber overview said busy on_connect on_toggle/>
                    <MessengerSection kind=ChannelKind::Whatsapp overview said busy on_connect on_toggle/>
                    <MessengerSection kind=ChannelKind::Facebook overview said busy on_connect on_toggle/>
                    <MessengerSection kind=ChannelKind::Instagram overview said busy on_connect on_toggle/>
                </When>
            </section>
            {move || confirming.get().map(|bot| {
                let text = tr!(disconnect_text, bot = bot.handle()).to_string();
                view! {
                    <ConfirmModal title=tr!(disconnect_title, bot = bot.handle()).to_string() text=text confirm_label=tr!(disconnect)
                        on_confirm=Callback::new(move |_| { confirming.set(None); toggle(bot.clone()); })
                        on_close=Callback::new(move |_| confirming.set(None))/>
                }
            })}
        </AppShell>
    }
}
