//! `/crm/:entity/:id` (`/crm/:entity/new` for a new record's form): a record's card:
//! its fields to edit and save, the External lines field, the dialog block, related
//! records, and Convert for a lead.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::dialog_block::DialogBlock;
use crate::components::external_lines_field::ExternalLinesField;
use crate::components::link::Link;
use crate::components::record_form::RecordForm;
use crate::components::when::When;
use crate::labels::{EntityText, Text};
use crate::pages::crm_list::{route_entity, CrmNav};
use crate::pages::not_found::NotFoundPage;
use crate::store::Session;
use el_protocol::crm::{format_amount, Convert, Entity, Record, RecordFields, RecordInput};
use el_protocol::RecordId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn CrmCardPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let entity = route_entity();
    let params = use_params_map();
    let named = Memo::new(move |_| params.with(|p| Named::by(p.get("id").as_deref())));
    let id = Memo::new(move |_| match named.get() {
        Some(Named::Record(id)) => Some(id),
        _ => None,
    });
    // An address of no entity or no record (`/crm/leads/abc`) is not found.
    let known = move || entity.get().is_some() && named.get().is_some();
    let record = RwSignal::new(None::<Record>);
    let load_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    // A card reads as a card; Edit turns it into the form until Save or Cancel.
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        record.set(None);
        editing.set(false);
        load_error.set(None);
        let (Some(e), Some(id)) = (entity.get(), id.get()) else { return };
        spawn_local(async move {
            match api::record(e, id).await {
                Ok(r) => record.set(Some(r)),
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => load_error.set(Some(f.message)),
            }
        });
    });
    let navigate = use_navigate();
    let save = Callback::new(move |input: RecordInput| {
        let Some(e) = entity.get_untracked() else { return };
        let id = id.get_untracked();
        let navigate = navigate.clone();
        busy.set(true);
        saved.set(false);
        spawn_local(async move {
            let answer = match id {
                Some(id) => api::save_record(e, id, &input).await,
                None => api::create_record(e, &input).await,
            };
            busy.set(false);
            match answer {
                Ok(r) if id.is_none() => navigate(&r.brief().href(), Default::default()),
                Ok(r) => {
                    error.set(None);
                    saved.set(true);
                    editing.set(false);
                    record.set(Some(r));
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        });
    });
    let convert = move |into: Convert| {
        let Some(id) = id.get_untracked() else { return };
        busy.set(true);
        spawn_local(async move {
            let answer = api::convert_lead(id, into).await;
            busy.set(false);
            match answer {
                Ok(r) => {
                    error.set(None);
                    record.set(Some(r));
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        });
    };
    let new_form = move || {
        entity.get().map(|e| {
            view! {
                <h1>{e.new_text()}</h1>
                <RecordForm entity=e initial=RecordFields::default() responsible=None submit_label=tr!(create)
                    busy=busy error=error on_submit=save/>
            }
        })
    };
    let card = move || {
        let r = record.get()?;
        let e = r.entity;
        let into_contact = RwSignal::new(true);
        let into_company = RwSignal::new(false);
        let can_convert = e == Entity::Lead && !r.converted;
        Some(view! {
            <header class="card__header">
                <span class="card__kind">{e.text()}</span>
                <h1>{r.fields.name.clone()}</h1>
                {r.converted.then(|| view! { <span class="mark mark--converted">{tr!(converted_mark)}</span> })}
            </header>
            <div class="card">
                <div class="card__main">
                    <When
                        when=move || editing.get()
                        fallback={
                            let (fields, responsible) = (r.fields.clone(), session.user_name(r.responsible));
                            move || view! {
                                <CardFields entity=e fields=fields.clone() responsible=responsible.clone()/>
                                <button class="button" on:click=move |_| {
                                    saved.set(false);
                                    editing.set(true);
                                }>{tr!(edit)}</button>
                            }
                        }
                    >
                        <RecordForm entity=e initial=r.fields.clone() responsible=Some(r.responsible) submit_label=tr!(save)
                            busy=busy error=error on_submit=save/>
                        <button class="button button--ghost" on:click=move |_| {
                            error.set(None);
                            editing.set(false);
                        }>{tr!(cancel)}</button>
                    </When>
                    <When when=move || saved.get()>
                        <p class="muted" role="status">{tr!(saved)}</p>
                    </When>
                </div>
                <aside class="card__side">
                    {(e != Entity::Deal).then(|| view! {
                        <section class="card-block" aria-label=tr!(external_lines)>
                            <h2 class="card-block__title">{tr!(external_lines)}</h2>
                            <ExternalLinesField lines=r.lines.clone()/>
                        </section>
                        <DialogBlock entity=e id=r.id/>
                    })}
                    {(!r.related.is_empty()).then(|| view! {
                        <section class="card-block" aria-label=tr!(related)>
                            <h2 class="card-block__title">{tr!(related)}</h2>
                            <ul class="card-block__related">
                                {r.related.clone().into_iter().map(|b| view! {
                                    <li><span class="crm-chip__kind">{b.entity.text()}</span>" "
                                        <Link href=b.href()>{b.title}</Link></li>
                                }).collect_view()}
                            </ul>
                        </section>
                    })}
                    {can_convert.then(|| view! {
                        <section class="card-block" aria-label=tr!(convert)>
                            <h2 class="card-block__title">{tr!(convert_lead)}</h2>
                            <label class="checkbox"><input type="checkbox" prop:checked=move || into_contact.get()
                                on:change=move |ev| into_contact.set(event_target_checked(&ev))/>{tr!(entity_contact)}</label>
                            <label class="checkbox"><input type="checkbox" prop:checked=move || into_company.get()
                                on:change=move |ev| into_company.set(event_target_checked(&ev))/>{tr!(entity_company)}</label>
                            <button class="button button--primary" disabled=move || busy.get() on:click=move |_| {
                                convert(Convert { contact: into_contact.get_untracked(), company: into_company.get_untracked() })
                            }>{tr!(convert)}</button>
                        </section>
                    })}
                </aside>
            </div>
        })
    };
    view! {
        <When when=known fallback=NotFoundPage>
            <AppShell>
                <section class="crm">
                    <CrmNav current=entity/>
                    {move || match (id.get(), load_error.get()) {
                        (_, Some(message)) => view! {
                            <div class="empty-state" role="alert"><h1>{tr!(record_cannot_open)}</h1><p>{message}</p></div>
                        }.into_any(),
                        (None, None) => new_form().into_any(),
                        (Some(_), None) => view! {
                            <When when=move || record.with(Option::is_some)
                                fallback=|| view! { <p class="empty-state" aria-busy="true">{tr!(loading)}</p> }>
                                {card}
                            </When>
                        }.into_any(),
                    }}
                </section>
            </AppShell>
        </When>
    }
}

/// What a card's address names after the entity: a new record's form or a record.
#[derive(Clone, Copy, PartialEq)]
enum Named {
    New,
    Record(RecordId),
}

impl Named {
    /// `new`, or a record's number; `None` for anything else.
    fn by(id: Option<&str>) -> Option<Named> {
        match id? {
            "new" => Some(Named::New),
            number => number.parse().ok().map(|n| Named::Record(RecordId(n))),
        }
    }
}

/// A record's fields as a card shows them; empty ones say so.
#[component]
fn CardFields(entity: Entity, fields: RecordFields, responsible: String) -> impl IntoView {
    let or_dash = |s: &str| if s.trim().is_empty() { "—".to_string() } else { s.to_string() };
    let rows: Vec<(&str, String)> = if entity == Entity::Deal {
        vec![
            (tr!(amount), fields.amount.map(format_amount).unwrap_or_else(|| "—".into())),
            (tr!(stage), fields.stage.map(|s| s.text().to_string()).unwrap_or_else(|| "—".into())),
            (tr!(responsible), responsible),
        ]
    } else {
        vec![
            (tr!(phone), or_dash(&fields.phone)),
            (tr!(email), or_dash(&fields.email)),
            (tr!(source), or_dash(&fields.source)),
            (tr!(responsible), responsible),
        ]
    };
    view! {
        <dl class="card__fields">
            {rows.into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
    }
}
