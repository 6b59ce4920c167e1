//! `/settings/api-keys`: administrators create the API keys a host web app (the Space)
//! uses to embed our components, each for the host origins named, see each key's use,
//! and revoke one (its embed sessions end at once).

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::confirm_modal::ConfirmModal;
use crate::components::when::When;
use crate::format::list_time;
use crate::store::Session;
use el_protocol::embed::{ApiKey, ApiKeyInput, NewApiKey};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// One key: its name, hint, origins, use, and Revoke.
#[component]
fn KeyRow(key: ApiKey, on_revoke: Callback<ApiKey>) -> impl IntoView {
    let revoked = key.revoked_at.is_some();
    let state = match key.revoked_at {
        Some(at) => tr!(key_revoked_at, at = list_time(at)).to_string(),
        None => match key.last_used_at {
            Some(at) => tr!(key_used_at, at = list_time(at)).to_string(),
            None => tr!(key_never_used).to_string(),
        },
    };
    let created = tr!(key_created_by, name = key.created_by.clone(), at = list_time(key.created_at)).to_string();
    let row = key.clone();
    view! {
        <li class="api-key" data-state=if revoked { "revoked" } else { "active" }>
            <div class="api-key__names">
                <strong>{key.name.clone()}</strong>
                <code class="muted">{key.hint.clone()}</code>
            </div>
            <ul class="api-key__origins" aria-label=tr!(key_origins)>
                {key.origins.iter().map(|o| view! { <li><code>{o.clone()}</code></li> }).collect_view()}
            </ul>
            <span class="muted">{created}" · "{state}</span>
            {(!revoked).then(|| view! {
                <button class="button" aria-label=format!("{} {}", tr!(revoke), key.name)
                    on:click=move |_| on_revoke.run(row.clone())>{tr!(revoke)}</button>
            })}
        </li>
    }
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let keys = RwSignal::new(None::<Vec<ApiKey>>);
    let error = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let origins = RwSignal::new(String::new());
    let created = RwSignal::new(None::<NewApiKey>);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(None::<ApiKey>);
    let admin = move || session.me().is_some_and(|me| me.access.admin);
    let reload = move || {
        spawn_local(async move {
            match api::api_keys().await {
                Ok(list) => keys.set(Some(list)),
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        })
    };
    reload();
    let create = move || {
        let input = ApiKeyInput {
            name: name.get_untracked(),
            origins: origins.get_untracked().split_whitespace().map(str::to_string).collect(),
        };
        busy.set(true);
        spawn_local(async move {
            let answer = api::create_api_key(&input).await;
            busy.set(false);
            match answer {
                Ok(new) => {
                    error.set(None);
                    name.set(String::new());
                    origins.set(String::new());
                    created.set(Some(new));
                    reload();
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        });
    };
    let revoke = move |key: ApiKey| {
        spawn_local(async move {
            match api::revoke_api_key(key.id).await {
                Ok(_) => {
                    error.set(None);
                    reload();
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        });
    };
    let on_revoke = Callback::new(move |key: ApiKey| confirming.set(Some(key)));
    let copied = RwSignal::new(false);
    let copy = move |secret: String| {
        spawn_local(async move {
            let written = window().navigator().clipboard().write_text(&secret);
            copied.set(wasm_bindgen_futures::JsFuture::from(written).await.is_ok());
        })
    };
    let server = window().location().origin().unwrap_or_default() + &el_web_client::base::path();
    let example = format!(
        "curl -X POST {server}/api/embed/sessions \\\n  -H \"Authorization: Bearer $EL_API_KEY\" \\\n  \
         -H \"Content-Type: application/json\" -d '{{\"login\": \"anna\"}}'\n\n\
         <div id=\"dialogs\"></div>\n<script type=\"module\">\n  \
         import {{ mountDialogBlock }} from \"{server}/embed/lines.js\";\n  \
         mountDialogBlock(document.getElementById(\"dialogs\"), {{ token, entity: \"lead\", id: 42 }});\n</script>"
    );
    let example = StoredValue::new(example);
    view! {
        <AppShell>
            <section class="settings api-keys">
                <h1>{tr!(api_keys)}</h1>
                <When when=admin fallback=|| view! { <p class="empty-state" role="alert">{tr!(only_admins_api_keys)}</p> }>
                    <p class="muted">{tr!(api_keys_about)}</p>
                    <form class="api-keys__form" on:submit=move |e| { e.prevent_default(); create(); }>
                        <label for="key-name">{tr!(key_name)}</label>
                        <input id="key-name" class="field" type="text" maxlength="80" autocomplete="off"
                            placeholder="Space CRM" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/>
                        <label for="key-origins">{tr!(key_origins)}</label>
                        <textarea id="key-origins" class="field" rows="3" spellcheck="false" aria-describedby="key-origins-help"
                            placeholder="https://space.example.com" prop:value=move || origins.get()
                            on:input=move |e| origins.set(event_target_value(&e))></textarea>
                        <p id="key-origins-help" class="muted">{tr!(key_origins_help)}</p>
                        <button class="button button--primary" type="submit" disabled=move || busy.get()>{tr!(create_key)}</button>
                    </form>
                    <When when=move || error.with(Option::is_some)>
                        <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                    </When>
                    {move || created.get().map(|new| view! {
                        <div class="notice api-keys__secret" role="status">
                            <p>{tr!(key_created_copy, name = new.key.name.clone()).to_string()}</p>
                            <code class="api-keys__value">{new.secret.clone()}</code>
                            <div class="api-keys__actions">
                                <button class="button button--primary" type="button"
                                    on:click=move |_| copy(new.secret.clone())>{tr!(copy_key)}</button>
                                <button class="button" type="button"
                                    on:click=move |_| { copied.set(false); created.set(None); }>{tr!(done)}</button>
                                <When when=move || copied.get()>
                                    <span class="muted">{tr!(key_copied)}</span>
                                </When>
                            </div>
                        </div>
                    })}
                    {move || keys.get().map(|list| if list.is_empty() {
                        view! { <p class="empty-state">{tr!(no_api_keys)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="api-keys__list" aria-label=tr!(api_keys)>
                                {list.into_iter().map(|key| view! { <KeyRow key=key on_revoke=on_revoke/> }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                    <h2>{tr!(how_to_embed)}</h2>
                    <p class="muted">{tr!(how_to_embed_about)}</p>
                    <pre class="api-keys__example" tabindex="0"><code>{example.get_value()}</code></pre>
                </When>
            </section>
            {move || confirming.get().map(|key| {
                view! {
                    <ConfirmModal title=tr!(revoke_key_title, name = key.name.clone()).to_string()
                        text=tr!(revoke_key_text).to_string() confirm_label=tr!(revoke)
                        on_confirm=Callback::new(move |_| { confirming.set(None); revoke(key.clone()); })
                        on_close=Callback::new(move |_| confirming.set(None))/>
                }
            })}
        </AppShell>
    }
}
