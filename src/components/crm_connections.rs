//! The CRM connections block of the chat window: the client's lead, contact, company
//! and deals as the user's role shows them (names link to cards; a "no access"
//! placeholder otherwise), Create lead, Create deal, and an existing contact with the
//! same phone or email offered instead of a duplicate. Opening it may give a manager
//! who sees only their own records a lead of their own (seed case 4b).

use crate::api::{self, CrmCommand};
use crate::components::deal_form::DealForm;
use crate::components::link::Link;
use crate::components::when::When;
use crate::labels::Text;
use crate::store::Session;
use el_protocol::crm::{Connections, Linked, NewDeal};
use el_protocol::DialogId;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn CrmConnections(
    dialog: DialogId,
    /// Changes whenever the connections may have changed (a CRM note arrived, the user
    /// took or left the dialog): the block reads them again.
    #[prop(into)]
    changes: Signal<(usize, bool)>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let state = RwSignal::new(None::<Connections>);
    let error = RwSignal::new(None::<String>);
    let deal_form = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // Only the answer to the latest request counts: an older one (opening the block while
    // the dialog was Unassigned, say) may arrive after it and would show stale actions.
    let latest = StoredValue::new(0u64);
    let run = move |command: Option<CrmCommand>| {
        let asked = latest.get_value() + 1;
        latest.set_value(asked);
        spawn_local(async move {
            busy.set(true);
            let answer = match command {
                Some(c) => api::crm(dialog, c).await,
                None => api::connections(dialog).await,
            };
            if latest.get_value() != asked {
                return;
            }
            busy.set(false);
            match answer {
                Ok(c) => {
                    error.set(None);
                    deal_form.set(false);
                    state.set(Some(c));
                }
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        })
    };
    // Opening the block first, then re-reading it as the chat changes.
    Effect::new(move |opened: Option<bool>| {
        // Read, not only tracked: a memo nobody reads is never computed, so it would
        // never notice its own inputs change.
        let _ = changes.get();
        // A new role shows the records differently at once.
        let _ = session.me().map(|me| me.access);
        run(if opened.is_some() { None } else { Some(CrmCommand::Open) });
        true
    });

    let items = move || {
        state.get().map(|c| {
            c.linked
                .into_iter()
                .map(|l| match l {
                    Linked::Shown { record } => {
                        // One line: long names are cut, and shown whole on hover and focus.
                        let whole = format!("{}: {}", record.entity.text(), record.title);
                        view! {
                            <li class="crm-chip" title=whole>
                                <span class="crm-chip__kind">{record.entity.text()}</span>
                                <Link href=record.href()>{record.title.clone()}</Link>
                            </li>
                        }
                        .into_any()
                    }
                    Linked::Hidden { entity } => view! {
                        <li class="crm-chip crm-chip--hidden" title=tr!(role_hides_record)>
                            <span class="crm-chip__kind">{entity.text()}</span>
                            <span>{tr!(no_access)}</span>
                        </li>
                    }
                    .into_any(),
                })
                .collect_view()
        })
    };
    let suggestions = move || {
        state.get().map(|c| {
            c.suggestions
                .into_iter()
                .map(|s| {
                    let id = s.id;
                    view! {
                        <p class="crm-suggestion" role="note">
                            {tr!(same_contact_exists)}
                            <Link href=s.href()>{s.title.clone()}</Link>
                            <button
                                class="button button--small"
                                disabled=move || busy.get()
                                on:click=move |_| run(Some(CrmCommand::Link(id)))
                            >
                                {tr!(link_contact)}
                            </button>
                        </p>
                    }
                })
                .collect_view()
        })
    };
    let can = move |f: fn(&Connections) -> bool| state.with(|c| c.as_ref().is_some_and(f));
    view! {
        <section class="crm-block" aria-label=tr!(crm_connections)>
            <span class="crm-block__title">{tr!(crm)}</span>
            <ul class="crm-block__items">
                {items}
                <When when=move || state.with(|c| c.as_ref().is_some_and(|c| c.linked.is_empty()))>
                    <li class="muted">{tr!(nothing_linked)}</li>
                </When>
            </ul>
            <div class="crm-block__actions">
                <When when=move || can(|c| c.can_create_lead)>
                    <button class="button button--small" disabled=move || busy.get() on:click=move |_| run(Some(CrmCommand::CreateLead))>
                        {tr!(create_lead)}
                    </button>
                </When>
                <When when=move || can(|c| c.can_create_deal)>
                    <button class="button button--small" on:click=move |_| deal_form.set(true)>{tr!(create_deal)}</button>
                </When>
            </div>
            {suggestions}
            <When when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </When>
        </section>
        {move || (deal_form.get()).then(|| {
            let c = state.get_untracked().unwrap_or_default();
            view! {
                <DealForm
                    contact=c.deal_contact
                    company=c.deal_company
                    busy=busy
                    error=error
                    on_create=Callback::new(move |deal: NewDeal| run(Some(CrmCommand::CreateDeal(deal))))
                    on_close=Callback::new(move |_| deal_form.set(false))
                />
            }
        })}
    }
}
