//! Send a template: the approved WhatsApp templates of the dialog's number, one to pick,
//! a field for each of its values, and the message as the client will read it, sent
//! when WhatsApp's 24 hours are over.

use crate::api;
use crate::components::modal::Modal;
use crate::store::Session;
use el_protocol::templates::{param_problem, SendTemplate, WhatsAppTemplate};
use el_protocol::DialogId;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn TemplatePicker(dialog: DialogId, on_close: Callback<()>) -> impl IntoView {
    let session = expect_context::<Session>();
    let templates = RwSignal::new(None::<Vec<WhatsAppTemplate>>);
    let chosen = RwSignal::new(None::<usize>);
    let values = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    spawn_local(async move {
        match api::whatsapp_templates(dialog).await {
            Ok(list) => {
                if list.len() == 1 {
                    values.set(vec![String::new(); list[0].params]);
                    chosen.set(Some(0));
                }
                templates.set(Some(list));
            }
            Err(f) if f.is_unauthorized() => session.signed_out(),
            Err(f) => error.set(Some(f.message)),
        }
    });
    let template = move || chosen.get().and_then(|i| templates.with(|t| t.as_ref().and_then(|t| t.get(i).cloned())));
    let pick = move |i: usize| {
        let params = templates.with_untracked(|t| t.as_ref().and_then(|t| t.get(i)).map_or(0, |t| t.params));
        values.set(vec![String::new(); params]);
        chosen.set(Some(i));
        error.set(None);
    };
    let send = move || {
        let Some(t) = template() else { return };
        let params = values.get_untracked();
        if let Some(problem) = t.params_problem(&params.iter().map(|p| p.trim().to_string()).collect::<Vec<_>>()) {
            error.set(Some(problem));
            return;
        }
        busy.set(true);
        let body = SendTemplate {
            name: t.name.clone(),
            language: t.language.clone(),
            params,
            client_msg_id: uuid::Uuid::new_v4().to_string(),
        };
        spawn_local(async move {
            match api::send_template(dialog, &body).await {
                Ok(_) => on_close.run(()),
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => {
                    busy.set(false);
                    error.set(Some(f.message));
                }
            }
        });
    };
    view! {
        <Modal title=tr!(send_template_title) on_close=on_close>
            <p class="muted">{tr!(send_template_text)}</p>
            {move || match templates.get() {
                None if error.with(Option::is_none) => view! { <p role="status">{tr!(loading_templates)}</p> }.into_any(),
                None => ().into_any(),
                Some(list) if list.is_empty() => view! { <p class="empty-state">{tr!(no_templates)}</p> }.into_any(),
                Some(list) => view! {
                    <fieldset class="templates">
                        <legend>{tr!(template)}</legend>
                        {list.into_iter().enumerate().map(|(i, t)| view! {
                            <label class="templates__option">
                                <input type="radio" name="template" prop:checked=move || chosen.get() == Some(i)
                                    on:change=move |_| pick(i)/>
                                <span><strong>{t.name.clone()}</strong>" · "{t.language.clone()}" · "{t.category.to_lowercase()}</span>
                            </label>
                        }).collect_view()}
                    </fieldset>
                }.into_any(),
            }}
            {move || template().map(|t| {
                let fields = (0..t.params).map(|i| {
                    let id = format!("template-value-{}", i + 1);
                    let label = tr!(template_value, n = (i + 1).to_string()).to_string();
                    let wrong = move || values.with(|v| v.get(i).is_some_and(|v| !v.is_empty() && param_problem(v).is_some()));
                    view! {
                        <label for=id.clone()>{label}</label>
                        <input id=id class="field" type="text" maxlength="1024" aria-invalid=move || wrong().to_string()
                            prop:value=move || values.with(|v| v.get(i).cloned().unwrap_or_default())
                            on:input=move |e| values.update(|v| if let Some(slot) = v.get_mut(i) { *slot = event_target_value(&e) })/>
                    }
                }).collect_view();
                let preview = move || t.plain_text(&values.get().iter().enumerate()
                    .map(|(i, v)| if v.trim().is_empty() { format!("{{{{{}}}}}", i + 1) } else { v.trim().to_string() })
                    .collect::<Vec<_>>());
                view! {
                    <div class="templates__values">{fields}</div>
                    <p class="templates__preview-label">{tr!(template_preview)}</p>
                    <blockquote class="templates__preview" aria-live="polite">
                        {preview}
                    </blockquote>
                }
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <footer class="modal__footer">
                <button class="button" on:click=move |_| on_close.run(())>{tr!(cancel)}</button>
                <button class="button button--primary" disabled=move || busy.get() || template().is_none()
                    on:click=move |_| send()>
                    {tr!(send_template)}
                </button>
            </footer>
        </Modal>
    }
}
