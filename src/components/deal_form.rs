//! The quick form for creating a deal from a chat: the required fields and Create. The
//! contact (and company) linked to the chat are filled in.

use crate::components::modal::Modal;
use crate::components::when::When;
use crate::labels::Text;
use el_protocol::crm::{parse_amount, DealStage, NewDeal, RecordBrief};
use leptos::prelude::*;

#[component]
pub fn DealForm(
    contact: Option<RecordBrief>,
    company: Option<RecordBrief>,
    /// True while the deal is being created.
    busy: RwSignal<bool>,
    /// The server's refusal, shown in the form.
    error: RwSignal<Option<String>>,
    on_create: Callback<NewDeal>,
    on_close: Callback<()>,
) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let stage = RwSignal::new(DealStage::New);
    let (contact_id, company_id) = (contact.as_ref().map(|c| c.id), company.as_ref().map(|c| c.id));
    error.set(None);
    let submit = move || {
        if title.with_untracked(|t| t.trim().is_empty()) {
            error.set(Some(tr!(title_required).into()));
            return;
        }
        match parse_amount(&amount.get_untracked()) {
            Ok(amount) => on_create.run(NewDeal {
                title: title.get_untracked(),
                amount,
                stage: stage.get_untracked(),
                contact: contact_id,
                company: company_id,
            }),
            Err(e) => error.set(Some(e)),
        }
    };
    let linked = |label: &'static str, record: Option<RecordBrief>| {
        record.map(|r| {
            view! {
                <p class="deal-form__linked">
                    <span class="field-label">{label}</span>
                    <span>{r.title}</span>
                </p>
            }
        })
    };
    view! {
        <Modal title=tr!(create_deal) on_close=on_close>
            <form class="record-form" on:submit=move |e| { e.prevent_default(); submit(); }>
                <label class="field-label" for="deal-title">{tr!(title_star)}</label>
                <input id="deal-title" class="field" aria-required="true" maxlength="200"
                    prop:value=move || title.get() on:input=move |e| title.set(event_target_value(&e))/>
                <label class="field-label" for="deal-amount">{tr!(amount)}</label>
                <input id="deal-amount" class="field" inputmode="decimal" placeholder="0.00"
                    prop:value=move || amount.get() on:input=move |e| amount.set(event_target_value(&e))/>
                <label class="field-label" for="deal-stage">{tr!(stage_star)}</label>
                <select id="deal-stage" class="field" on:change=move |e| {
                    if let Some(s) = DealStage::parse(&event_target_value(&e)) { stage.set(s) }
                }>
                    {DealStage::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || stage.get() == s>{s.text()}</option>
                    }).collect_view()}
                </select>
                {linked(tr!(entity_contact), contact)}
                {linked(tr!(entity_company), company)}
                <When when=move || error.with(Option::is_some)>
                    <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </When>
                <footer class="modal__footer">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>{tr!(cancel)}</button>
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>{tr!(create)}</button>
                </footer>
            </form>
        </Modal>
    }
}
