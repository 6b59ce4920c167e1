//! `/settings/roles`: administrators create and edit roles (leads and contacts:
//! create yes/no, view all/own/none) and give users their role. What a role means
//! for External Lines is spelled out next to it.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::store::Session;
use el_protocol::permissions::{Access, EntityRights, LinesAccess, Role, RoleInput, RolesOverview, ViewScope};
use el_protocol::RoleId;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What a role means in External Lines, in words.
fn meaning(leads: EntityRights, contacts: EntityRights) -> &'static str {
    match Access::derive(leads, contacts, false).lines {
        LinesAccess::Full => "Full access: chats and every linked lead and contact",
        LinesAccess::Own => "Chats; linked records only where responsible (a lead of their own otherwise)",
        LinesAccess::Limited => "Limited: chats and Create lead, no details of linked records",
        LinesAccess::None => "No access to External Lines",
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
    let label = role.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| "new role".into());
    let rights = move |what: &'static str, signal: RwSignal<EntityRights>| {
        let label = label.clone();
        view! {
            <td data-label=if what == "leads" { "Leads" } else { "Contacts" }>
                <label class="checkbox">
                    <input type="checkbox" aria-label=format!("{label}: create {what}") prop:checked=move || signal.get().create
                        on:change=move |e| signal.update(|r| r.create = event_target_checked(&e))/>
                    "Create"
                </label>
                <select class="field" aria-label=format!("{label}: view {what}") on:change=move |e| {
                    signal.update(|r| r.view = ViewScope::parse(&event_target_value(&e)).unwrap_or(ViewScope::None))
                }>
                    {ViewScope::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || signal.get().view == s>{format!("View: {}", s.label())}</option>
                    }).collect_view()}
                </select>
            </td>
        }
    };
    view! {
        <tr>
            <td><input class="field" aria-label="Role name" placeholder="Role name" maxlength="60"
                prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/></td>
            {rights("leads", leads)}
            {rights("contacts", contacts)}
            <td class="muted" data-label="External Lines">{move || meaning(leads.get(), contacts.get())}</td>
            <td><div class="roles__buttons">
                <button class="button button--small button--primary" on:click=move |_| {
                    on_save.run((id, RoleInput { name: name.get_untracked(), leads: leads.get_untracked(), contacts: contacts.get_untracked() }))
                }>{if id.is_some() { "Save" } else { "Add role" }}</button>
                {id.map(|id| view! {
                    <button class="button button--small" on:click=move |_| on_delete.run(id)>"Delete"</button>
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
        spawn_local(async move { answer(api::save_role(id, &input).await.map(Some), "Saved.") })
    });
    let delete = Callback::new(move |id: RoleId| {
        spawn_local(async move {
            answer(api::delete_role(id).await.map(|_| None), "Deleted.");
            reload();
        })
    });
    let assign =
        move |user, role| spawn_local(async move { answer(api::assign_role(user, role).await.map(Some), "Saved.") });
    let admin = move || session.me().is_some_and(|me| me.access.admin);
    view! {
        <AppShell>
            <section class="settings roles">
                <h1>"Roles"</h1>
                <Show when=admin fallback=|| view! { <p class="empty-state" role="alert">"Only administrators manage roles."</p> }>
                    <p class="muted">"Changes apply at once, also to users who are signed in."</p>
                    <Show when=move || error.with(Option::is_some)>
                        <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
                    </Show>
                    <Show when=move || status.with(|s| s.is_some_and(|s| !s.is_empty()))>
                        <p class="muted" role="status">{move || status.get().unwrap_or_default()}</p>
                    </Show>
                    {move || overview.get().map(|o| {
                        let roles = o.roles.clone();
                        view! {
                            <table class="crm-table roles__table">
                                <thead><tr>
                                    <th scope="col">"Role"</th><th scope="col">"Leads"</th><th scope="col">"Contacts"</th>
                                    <th scope="col">"External Lines"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {o.roles.into_iter().map(|r| view! { <RoleRow role=Some(r) on_save=save on_delete=delete/> }).collect_view()}
                                    <RoleRow role=None on_save=save on_delete=delete/>
                                </tbody>
                            </table>
                            <h2>"Users"</h2>
                            <table class="crm-table">
                                <thead><tr><th scope="col">"User"</th><th scope="col">"Login"</th><th scope="col">"Role"</th></tr></thead>
                                <tbody>
                                    {o.users.into_iter().map(|u| {
                                        let roles = roles.clone();
                                        let user = u.user;
                                        view! {
                                            <tr>
                                                <td>{u.name.clone()}{u.admin.then(|| view! { <span class="mark">"Administrator"</span> })}</td>
                                                <td class="muted" data-label="Login">{u.login.clone()}</td>
                                                <td data-label="Role"><select class="field" aria-label=format!("Role of {}", u.name) on:change=move |e| {
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
                </Show>
            </section>
        </AppShell>
    }
}
