//! `/settings/roles`: administrators create and edit roles (leads and contacts:
//! create yes/no, view all/own/none) and give users their role. What a role means
//! for External Lines is spelled out next to it.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::when::When;
use crate::labels::Text;
use crate::store::Session;
use el_protocol::permissions::{Access, EntityRights, LinesAccess, Role, RoleInput, RolesOverview, ViewScope};
use el_protocol::RoleId;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What a role means in External Lines, in words.
fn meaning(leads: EntityRights, contacts: EntityRights) -> &'static str {
    match Access::derive(leads, contacts, false).lines {
        LinesAccess::Full => tr!(lines_full),
        LinesAccess::Own => tr!(lines_own),
        LinesAccess::Limited => tr!(lines_limited),
        LinesAccess::None => tr!(no_access_title),
    }
}

/// One role's rights, editable; `role` is `None` for a new one.
#[component]
fn RoleRow(
    role: Option<Role>,
    on_save: Callback<(Option<RoleId>, RoleInput)>,
    on_delete: Callback<RoleId>,
) -> impl IntoView {
    let id = role.as_ref().map(|r| r.id);
    let blank = EntityRights::new(true, ViewScope::Own);
    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let leads = RwSignal::new(role.as_ref().map(|r| r.leads).unwrap_or(blank));
    let contacts = RwSignal::new(role.as_ref().map(|r| r.contacts).unwrap_or(blank));
    let label = role.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| tr!(new_role).into());
    let rights = move |what: &'static str, signal: RwSignal<EntityRights>| {
        let label = label.clone();
        view! {
            <td data-label=if what == "leads" { tr!(entity_leads) } else { tr!(entity_contacts) }>
                <label class="checkbox">
                    <input type="checkbox" aria-label=if what == "leads" { tr!(create_leads_of, role = label.clone()) } else { tr!(create_contacts_of, role = label.clone()) }.to_string() prop:checked=move || signal.get().create
                        on:change=move |e| signal.update(|r| r.create = event_target_checked(&e))/>
                    {tr!(create)}
                </label>
                <select class="field" aria-label=if what == "leads" { tr!(view_leads_of, role = label.clone()) } else { tr!(view_contacts_of, role = label.clone()) }.to_string() on:change=move |e| {
                    signal.update(|r| r.view = ViewScope::parse(&event_target_value(&e)).unwrap_or(ViewScope::None))
                }>
                    {ViewScope::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || signal.get().view == s>{tr!(view_scope, scope = s.text()).to_string()}</option>
                    }).collect_view()}
                </select>
            </td>
        }
    };
    view! {
        <tr>
            <td><input class="field" aria-label=tr!(role_name) placeholder=tr!(role_name) maxlength="60"
                prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/></td>
            {rights("leads", leads)}
            {rights("contacts", contacts)}
            <td class="muted" data-label=tr!(external_lines)>{move || meaning(leads.get(), contacts.get())}</td>
            <td><div class="roles__buttons">
                <button class="button button--small button--primary" on:click=move |_| {
                    on_save.run((id, RoleInput { name: name.get_untracked(), leads: leads.get_untracked(), contacts: contacts.get_untracked() }))
                }>{if id.is_some() { tr!(save) } else { tr!(add_role) }}</button>
                {id.map(|id| view! {
                    <button class="button button--small" on:click=move |_| on_delete.run(id)>{tr!(delete)}</button>
                })}
            </div></td>
        </tr>
    }
}

#[component]
pub fn RolesPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let overview = RwSignal::new(None::<RolesOverview>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let answer = move |result: Result<Option<RolesOverview>, api::Failure>, done: &'static str| match result {
        Ok(o) => {
            error.set(None);
            status.set(Some(done));
            if let Some(o) = o {
                overview.set(Some(o));
            }
        }
        Err(f) if f.is_unauthorized() => session.signed_out(),
        Err(f) => error.set(Some(f.message)),
    };
    let reload = move || spawn_local(async move { answer(api::roles().await.map(Some), "") });
    reload();
    let save = Callback::new(move |(id, input): (Option<RoleId>, RoleInput)| {
        spawn_local(async move { answer(api::save_role(id, &input).await.map(Some), tr!(saved)) })
    });
    let delete = Callback::new(move |id: RoleId| {
        spawn_local(async move {
            answer(api::delete_role(id).await.map(|_| None), tr!(deleted));
            reload();
        })
    });
    let assign =
        move |user, role| spawn_local(async move { answer(api::assign_role(user, role).await.map(Some), tr!(saved)) });
    let admin = move || session.me().is_some_and(|me| me.access.admin);
    view! {
        <AppShell>
            <section class="settings roles">
                <h1>{tr!(roles)}</h1>
                <When when=admin fallback=|| view! { <p class="empty-state" role="alert">{tr!(only_admins_roles)}</p> }>
                    <p class="muted">{tr!(roles_apply_at_once)}</p>
                    <When when=move || error.with(Option::is_some)>
                        <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                    </When>
                    <When when=move || status.with(|s| s.is_some_and(|s| !s.is_empty()))>
                        <p class="muted" role="status">{move || status.get().unwrap_or_default()}</p>
                    </When>
                    {move || overview.get().map(|o| {
                        let roles = o.roles.clone();
                        view! {
                            <table class="crm-table roles__table">
                                <thead><tr>
                                    <th scope="col">{tr!(role)}</th><th scope="col">{tr!(entity_leads)}</th><th scope="col">{tr!(entity_contacts)}</th>
                                    <th scope="col">{tr!(external_lines_title)}</th><th scope="col"><span class="sr-only">{tr!(actions)}</span></th>
                                </tr></thead>
                                <tbody>
                                    {o.roles.into_iter().map(|r| view! { <RoleRow role=Some(r) on_save=save on_delete=delete/> }).collect_view()}
                                    <RoleRow role=None on_save=save on_delete=delete/>
                                </tbody>
                            </table>
                            <h2>{tr!(users)}</h2>
                            <table class="crm-table">
                                <thead><tr><th scope="col">{tr!(user)}</th><th scope="col">{tr!(login)}</th><th scope="col">{tr!(role)}</th></tr></thead>
                                <tbody>
                                    {o.users.into_iter().map(|u| {
                                        let roles = roles.clone();
                                        let user = u.user;
                                        view! {
                                            <tr>
                                                <td>{u.name.clone()}{u.admin.then(|| view! { <span class="mark">{tr!(administrator)}</span> })}</td>
                                                <td class="muted" data-label=tr!(login)>{u.login.clone()}</td>
                                                <td data-label=tr!(role)><select class="field" aria-label=tr!(role_of, name = u.name.clone()).to_string() on:change=move |e| {
                                                    if let Ok(id) = event_target_value(&e).parse() { assign(user, RoleId(id)) }
                                                }>
                                                    {roles.into_iter().map(|r| view! {
                                                        <option value=r.id.0 selected=r.id == u.role>{r.name}</option>
                                                    }).collect_view()}
                                                </select></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }
                    })}
                </When>
            </section>
        </AppShell>
    }
}
