//! `/crm/:entity`: a CRM list (leads, contacts, companies, deals) with search, sort,
//! and the External lines column the user can show.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::external_lines_field::ExternalLinesField;
use crate::components::link::Link;
use crate::components::when::When;
use crate::format::list_time;
use crate::labels::{EntityText, Text};
use crate::pages::not_found::NotFoundPage;
use crate::store::Session;
use el_protocol::crm::{format_amount, Entity, ListQuery, Record, RecordList, SortKey, LIST_PAGE};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

/// Where the choice to show the External lines column is kept.
const LINES_COLUMN_KEY: &str = "external-lines:crm-lines-column";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The entity named in the route (`/crm/leads/...`).
pub fn route_entity() -> Memo<Option<Entity>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("entity")).and_then(|e| Entity::parse(&e)))
}

/// The four lists, as tabs.
#[component]
pub fn CrmNav(#[prop(into)] current: Signal<Option<Entity>>) -> impl IntoView {
    view! {
        <nav class="crm-nav" aria-label=tr!(crm)>
            {Entity::ALL.into_iter().map(|e| view! {
                <Link href=format!("/crm/{}", e.plural()) attr:class=move || if current.get() == Some(e) { "crm-nav__item crm-nav__item--active" } else { "crm-nav__item" }>
                    {e.plural_text()}
                </Link>
            }).collect_view()}
        </nav>
    }
}

#[component]
pub fn CrmListPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let entity = route_entity();
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new(SortKey::Updated);
    let show_lines =
        RwSignal::new(storage().and_then(|s| s.get_item(LINES_COLUMN_KEY).ok().flatten()).is_some_and(|v| v == "1"));
    let list = RwSignal::new(None::<RecordList>);
    let error = RwSignal::new(None::<String>);
    // Answers to older searches are dropped.
    let generation = StoredValue::new(0u32);
    let load = move |offset: usize| {
        let Some(entity) = entity.get_untracked() else { return };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let query = ListQuery {
            q: Some(search.get_untracked()),
            sort: Some(sort.get_untracked()),
            desc: None,
            offset: Some(offset),
            limit: Some(LIST_PAGE),
        };
        spawn_local(async move {
            let answer = api::records(entity, &query).await;
            if generation.get_value() != mine {
                return;
            }
            match answer {
                Ok(page) => {
                    error.set(None);
                    list.update(|l| match l {
                        Some(l) if offset > 0 => {
                            l.records.extend(page.records);
                            l.total = page.total;
                        }
                        l => *l = Some(page),
                    });
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => {
                    list.set(None);
                    error.set(Some(f.message));
                }
            }
        })
    };
    Effect::new(move |_| {
        entity.track();
        search.track();
        sort.track();
        load(0);
    });
    Effect::new(move |_| {
        if let Some(s) = storage() {
            let _ = s.set_item(LINES_COLUMN_KEY, if show_lines.get() { "1" } else { "0" });
        }
    });
    let can_create = move || {
        let (me, e) = (session.me(), entity.get());
        me.zip(e).is_some_and(|(me, e)| e.rights(&me.access).create)
    };
    let row = move |r: Record| {
        let e = r.entity;
        let details = match e {
            Entity::Deal => format!(
                "{} · {}",
                r.fields.amount.map(format_amount).unwrap_or_else(|| "—".into()),
                r.fields.stage.map(|s| s.text()).unwrap_or_default()
            ),
            _ => [r.fields.phone.as_str(), r.fields.email.as_str()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
        };
        let lines = r.lines.clone();
        view! {
            <tr data-record-id=r.id.0>
                <td><Link href=format!("/crm/{}/{}", e.plural(), r.id)>{r.fields.name.clone()}</Link>
                    {r.converted.then(|| view! { <span class="mark">{tr!(converted)}</span> })}</td>
                <td class="muted">{details}</td>
                <td data-label=tr!(responsible)>{session.user_name(r.responsible)}</td>
                <When when=move || show_lines.get()>
                    <td data-label=tr!(external_lines)><ExternalLinesField lines=lines.clone() compact=true/></td>
                </When>
                <td class="muted" data-label=tr!(sort_updated)><time>{list_time(r.updated_at)}</time></td>
            </tr>
        }
    };
    let title = move || entity.get().map(|e| e.plural_text()).unwrap_or(tr!(crm));
    view! {
        <When when=move || entity.get().is_some() fallback=NotFoundPage>
            <AppShell>
                <section class="crm">
                    <header class="crm__header">
                        <h1>{title}</h1>
                        <When when=can_create>
                            <Link href=move || format!("/crm/{}/new", entity.get().map(|e| e.plural()).unwrap_or("leads")) attr:class="button button--primary">
                                {move || entity.get().map(|e| e.new_text()).unwrap_or_default()}
                            </Link>
                        </When>
                    </header>
                    <CrmNav current=entity/>
                    <div class="crm__toolbar">
                        <input class="field crm__search" type="search" aria-label=tr!(search_crm)
                            placeholder=tr!(search_crm)
                            prop:value=move || search.get() on:input=move |e| search.set(event_target_value(&e))/>
                        <label class="crm__sort">{tr!(sort_by)}
                            <select class="field" on:change=move |e| {
                                let v = event_target_value(&e);
                                if let Some(k) = SortKey::ALL.into_iter().find(|k| k.as_str() == v) { sort.set(k) }
                            }>
                                {SortKey::ALL.into_iter().map(|k| view! {
                                    <option value=k.as_str() selected=move || sort.get() == k>{k.text()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <When when=move || entity.get() != Some(Entity::Deal)>
                            <label class="checkbox">
                                <input type="checkbox" prop:checked=move || show_lines.get()
                                    on:change=move |e| show_lines.set(event_target_checked(&e))/>
                                {tr!(lines_column)}
                            </label>
                        </When>
                    </div>
                    <When when=move || error.with(Option::is_some)>
                        <div class="empty-state" role="alert"><p>{move || error.get().unwrap_or_default()}</p></div>
                    </When>
                    {move || list.get().map(|l| {
                        if l.records.is_empty() {
                            let what = entity.get().map(|e| e.plural_text().to_lowercase()).unwrap_or_default();
                            let text = if search.with(|s| s.trim().is_empty()) { tr!(no_records_yet, what) } else { tr!(no_records_match, what) }.to_string();
                            return view! { <p class="empty-state">{text}</p> }.into_any();
                        }
                        let shown = l.records.len();
                        let total = l.total;
                        view! {
                            <table class="crm-table">
                                <thead><tr>
                                    <th scope="col">{entity.get().map(|e| e.title_text()).unwrap_or(tr!(field_name))}</th>
                                    <th scope="col">{if entity.get() == Some(Entity::Deal) { tr!(amount_stage) } else { tr!(phone_email) }}</th>
                                    <th scope="col">{tr!(responsible)}</th>
                                    <When when=move || show_lines.get()><th scope="col">{tr!(external_lines)}</th></When>
                                    <th scope="col">{tr!(sort_updated)}</th>
                                </tr></thead>
                                <tbody>{l.records.into_iter().map(row).collect_view()}</tbody>
                            </table>
                            <p class="muted crm__count">{tr!(shown_of_total, shown, total).to_string()}</p>
                            {(shown < total).then(|| view! {
                                <button class="button" on:click=move |_| load(shown)>{tr!(load_more)}</button>
                            })}
                        }.into_any()
                    })}
                </section>
            </AppShell>
        </When>
    }
}
