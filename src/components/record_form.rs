//! The editable fields of a CRM record, as its entity has them, with the responsible
//! user. Checks what it can before sending (the server checks everything again).

use crate::components::when::When;
use crate::labels::{EntityText, Text};
use crate::store::Session;
use el_protocol::crm::{format_amount, parse_amount, validate, DealStage, Entity, RecordFields, RecordInput};
use el_protocol::UserId;
use leptos::prelude::*;

#[component]
pub fn RecordForm(
    entity: Entity,
    initial: RecordFields,
    responsible: Option<UserId>,
    #[prop(into)] submit_label: String,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    on_submit: Callback<RecordInput>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let name = RwSignal::new(initial.name.clone());
    let phone = RwSignal::new(initial.phone.clone());
    let email = RwSignal::new(initial.email.clone());
    let source = RwSignal::new(initial.source.clone());
    let amount = RwSignal::new(initial.amount.map(format_amount).unwrap_or_default());
    let stage = RwSignal::new(initial.stage.unwrap_or_default());
    let owner = RwSignal::new(responsible.or(session.my_id()));
    let submit = move || {
        let amount = match parse_amount(&amount.get_untracked()) {
            Ok(a) => a,
            Err(e) => return error.set(Some(e)),
        };
        let fields = RecordFields {
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            email: email.get_untracked(),
            source: source.get_untracked(),
            amount,
            stage: Some(stage.get_untracked()),
            ..initial.clone()
        };
        match validate(entity, fields) {
            Ok(fields) => {
                error.set(None);
                on_submit.run(RecordInput { fields, responsible: owner.get_untracked() });
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let text = move |id: &'static str, label: &'static str, value: RwSignal<String>, kind: &'static str| {
        view! {
            <label class="field-label" for=id>{label}</label>
            <input id=id class="field" type=kind maxlength="200"
                prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e))/>
        }
    };
    let users = move || {
        let mut users: Vec<_> = session.users.with(|u| u.values().cloned().collect());
        users.sort_by(|a, b| a.name.cmp(&b.name));
        users
    };
    view! {
        <form class="record-form" on:submit=move |e| { e.prevent_default(); submit(); }>
            <label class="field-label" for="record-name">{format!("{} *", entity.title_text())}</label>
            <input id="record-name" class="field" aria-required="true" maxlength="200"
                prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/>
            {(entity != Entity::Deal).then(|| view! {
                {text("record-phone", tr!(phone), phone, "tel")}
                {text("record-email", tr!(email), email, "email")}
            })}
            {(entity == Entity::Lead).then(|| text("record-source", tr!(source), source, "text"))}
            {(entity == Entity::Deal).then(|| view! {
                {text("record-amount", tr!(amount), amount, "text")}
                <label class="field-label" for="record-stage">{tr!(stage_star)}</label>
                <select id="record-stage" class="field" on:change=move |e| {
                    if let Some(s) = DealStage::parse(&event_target_value(&e)) { stage.set(s) }
                }>
                    {DealStage::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || stage.get() == s>{s.text()}</option>
                    }).collect_view()}
                </select>
            })}
            <label class="field-label" for="record-responsible">{tr!(responsible)}</label>
            <select id="record-responsible" class="field" on:change=move |e| {
                owner.set(event_target_value(&e).parse().ok().map(UserId))
            }>
                {move || users().into_iter().map(|u| {
                    let id = u.id;
                    view! { <option value=id.0 selected=move || owner.get() == Some(id)>{u.name}</option> }
                }).collect_view()}
            </select>
            <When when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </When>
            <div class="record-form__actions">
                <button type="submit" class="button button--primary" disabled=move || busy.get()>{submit_label}</button>
            </div>
        </form>
    }
}
