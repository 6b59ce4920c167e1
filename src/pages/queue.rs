//! `/settings/queue`: administrators choose how each channel's new dialogs reach
//! operators (everyone at once, or in turn with an offer time), set operators'
//! maximum of active dialogs, and watch who is available and what waits.

use crate::api;
use crate::components::app_shell::AppShell;
use crate::components::channel_icon::ChannelIcon;
use crate::components::when::When;
use crate::format::{list_time, waiting_label};
use crate::labels::Text;
use crate::store::Session;
use el_protocol::queue::{time_left, Presence, QueueOverview, Routing, SetRouting, MAX_ACTIVE, OFFER_SECONDS};
use el_protocol::{ChannelId, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// How often the page asks for the queue as it is now.
const REFRESH: Duration = Duration::from_secs(3);

/// What the page shares with its rows: the overview, and what saving answered.
#[derive(Clone, Copy)]
struct QueueState {
    overview: RwSignal<Option<QueueOverview>>,
    error: RwSignal<Option<String>>,
    status: RwSignal<Option<String>>,
}

impl QueueState {
    /// Shows what a change answered.
    fn done(self, result: Result<QueueOverview, api::Failure>, said: String) {
        match result {
            Ok(o) => {
                self.overview.set(Some(o));
                self.error.set(None);
                self.status.set(Some(said));
            }
            Err(f) => {
                self.status.set(None);
                self.error.set(Some(f.message));
            }
        }
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let state = QueueState { overview: RwSignal::new(None), error: RwSignal::new(None), status: RwSignal::new(None) };
    let admin = move || session.me().is_some_and(|me| me.access.admin);
    let reload = move || {
        spawn_local(async move {
            match api::queue().await {
                Ok(o) => state.overview.set(Some(o)),
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => state.error.set(Some(f.message)),
            }
        })
    };
    if admin() {
        reload();
    }
    let tick = set_interval_with_handle(
        move || {
            if admin() {
                reload()
            }
        },
        REFRESH,
    );
    on_cleanup(move || {
        if let Ok(handle) = tick {
            handle.clear();
        }
    });
    let channel_ids =
        move || state.overview.with(|o| o.iter().flat_map(|o| &o.channels).map(|c| c.channel_id).collect::<Vec<_>>());
    let operator_ids =
        move || state.overview.with(|o| o.iter().flat_map(|o| &o.operators).map(|o| o.user.id).collect::<Vec<_>>());
    view! {
        <AppShell>
            <section class="settings queue">
                <h1>{tr!(queue)}</h1>
                <When when=admin fallback=|| view! { <p class="empty-state" role="alert">{tr!(only_admins_queue)}</p> }>
                    <p class="muted">
                        {tr!(queue_everyone)}
                        {tr!(queue_in_turn)}
                        {tr!(queue_in_turn_end)}
                    </p>
                    <When when=move || state.error.with(Option::is_some)>
                        <p class="form-error" role="alert">{move || state.error.get().unwrap_or_default()}</p>
                    </When>
                    <When when=move || state.status.with(Option::is_some)>
                        <p class="muted" role="status">{move || state.status.get().unwrap_or_default()}</p>
                    </When>
                    <h2>{tr!(channels)}</h2>
                    <div class="table-scroll">
                        <table class="crm-table queue__channels">
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(channel)}</th>
                                    <th scope="col">{tr!(distribution)}</th>
                                    <th scope="col">{tr!(offer_time_seconds)}</th>
                                    <th scope="col"><span class="sr-only">{tr!(save)}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=channel_ids key=|id| *id let:id>
                                    <ChannelRow id=id state=state/>
                                </For>
                            </tbody>
                        </table>
                    </div>
                    <h2>{tr!(operators)}</h2>
                    <div class="table-scroll">
                        <table class="crm-table queue__operators">
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(operator)}</th>
                                    <th scope="col">{tr!(status)}</th>
                                    <th scope="col">{tr!(active_dialogs)}</th>
                                    <th scope="col">{tr!(offered_now)}</th>
                                    <th scope="col">{tr!(maximum_of_active)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For each=operator_ids key=|id| *id let:id>
                                    <OperatorRow id=id state=state/>
                                </For>
                            </tbody>
                        </table>
                    </div>
                    <h2>{tr!(waiting_in_turn)}</h2>
                    <Waiting state=state/>
                </When>
            </section>
        </AppShell>
    }
}

/// One channel: its routing and offer time, changed together with Save.
#[component]
fn ChannelRow(id: ChannelId, state: QueueState) -> impl IntoView {
    let channel = move || {
        state.overview.with(|o| o.as_ref().and_then(|o| o.channels.iter().find(|c| c.channel_id == id).cloned()))
    };
    let Some(first) = channel() else { return ().into_any() };
    let routing = RwSignal::new(first.routing);
    let seconds = RwSignal::new(first.offer_seconds.to_string());
    let name = first.name.clone();
    let save = move |_| {
        let name = channel().map(|c| c.name).unwrap_or_default();
        let Ok(offer_seconds) = seconds.get_untracked().trim().parse::<u32>() else {
            let (from, to) = (OFFER_SECONDS.start(), OFFER_SECONDS.end());
            state.error.set(Some(tr!(offer_time_rule, from, to).to_string()));
            return;
        };
        let set = SetRouting { routing: routing.get_untracked(), offer_seconds };
        spawn_local(async move {
            let said = format!("{name}: {}.", set.routing.text());
            state.done(api::set_routing(id, set).await, said);
        });
    };
    view! {
        <tr>
            <th scope="row"><ChannelIcon kind=first.kind/>" "{name.clone()}</th>
            <td data-label=tr!(distribution)>
                <select class="field" aria-label=tr!(distribution_for, name = name.clone()).to_string()
                    on:change=move |e| routing.set(Routing::parse(&event_target_value(&e)).unwrap_or_default())>
                    {Routing::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || routing.get() == r>{r.text()}</option>
                    }).collect_view()}
                </select>
            </td>
            <td data-label=tr!(offer_time_seconds)>
                <input class="field field--number" type="number" inputmode="numeric"
                    min=*OFFER_SECONDS.start() max=*OFFER_SECONDS.end()
                    aria-label=tr!(offer_time_for, name = name.clone()).to_string()
                    prop:value=move || seconds.get() on:input=move |e| seconds.set(event_target_value(&e))/>
            </td>
            <td><button class="button" aria-label=tr!(save_named, name = name.clone()).to_string() on:click=save>{tr!(save)}</button></td>
        </tr>
    }
    .into_any()
}

/// One operator: whether they can take dialogs now, their load, and their maximum.
#[component]
fn OperatorRow(id: UserId, state: QueueState) -> impl IntoView {
    let operator = move || {
        state.overview.with(|o| o.as_ref().and_then(|o| o.operators.iter().find(|op| op.user.id == id).cloned()))
    };
    let Some(first) = operator() else { return ().into_any() };
    let name = first.user.name.clone();
    let maximum = RwSignal::new(first.max_active.map(|m| m.to_string()).unwrap_or_default());
    let status = move || match operator() {
        Some(op) if !op.connected => ("offline", tr!(offline)),
        Some(op) if op.presence == Presence::Away => ("away", tr!(presence_away)),
        Some(op) if op.at_capacity() => ("full", tr!(at_capacity)),
        _ => ("online", tr!(presence_online)),
    };
    let save = {
        let name = name.clone();
        move |_| {
            let text = maximum.get_untracked();
            let max_active = match text.trim() {
                "" => None,
                t => match t.parse::<u32>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        let (from, to) = (MAX_ACTIVE.start(), MAX_ACTIVE.end());
                        state.error.set(Some(tr!(maximum_rule, from, to).to_string()));
                        return;
                    }
                },
            };
            let said = match max_active {
                Some(n) => tr!(at_most_active, name = name.clone(), n).to_string(),
                None => tr!(no_maximum_for, name = name.clone()).to_string(),
            };
            spawn_local(async move { state.done(api::set_capacity(id, max_active).await, said) });
        }
    };
    view! {
        <tr>
            <th scope="row">{name.clone()}</th>
            <td data-label=tr!(status)><span class="presence-state" data-state=move || status().0>{move || status().1}</span></td>
            <td data-label=tr!(active_dialogs)>{move || operator().map(|o| o.active)}</td>
            <td data-label=tr!(offered_now)>{move || operator().map(|o| o.offered)}</td>
            <td data-label=tr!(maximum)>
                <form class="queue__maximum" on:submit=move |e| { e.prevent_default(); save(()); }>
                    <input class="field field--number" type="number" inputmode="numeric"
                        min=*MAX_ACTIVE.start() max=*MAX_ACTIVE.end() placeholder=tr!(scope_none)
                        aria-label=tr!(maximum_for, name = name.clone()).to_string()
                        prop:value=move || maximum.get() on:input=move |e| maximum.set(event_target_value(&e))/>
                    <button class="button" type="submit" aria-label=tr!(save_maximum_for, name = name.clone()).to_string()>{tr!(save)}</button>
                </form>
            </td>
        </tr>
    }
    .into_any()
}

/// The dialogs waiting in turn, oldest first, and whom each is offered to.
#[component]
fn Waiting(state: QueueState) -> impl IntoView {
    move || {
        let o = state.overview.get()?;
        if o.waiting.is_empty() {
            return Some(view! { <p class="empty-state">{tr!(nothing_waiting)}</p> }.into_any());
        }
        let name_of = |id: UserId| o.operators.iter().find(|op| op.user.id == id).map(|op| op.user.name.clone());
        Some(
            view! {
                <ul class="queue__waiting" aria-label=tr!(waiting_in_turn)>
                    {o.waiting.iter().map(|w| {
                        let offer = match w.offer {
                            Some(offer) => tr!(
                                offered_to_left,
                                name = name_of(offer.to).unwrap_or_else(|| tr!(another_user).into()),
                                left = time_left(offer.until, o.now)
                            )
                            .to_string(),
                            None => tr!(nobody_available).into(),
                        };
                        view! {
                            <li class="queue__dialog">
                                <strong>{w.name.clone()}</strong>
                                <span class="muted">{w.channel_name.clone()}{tr!(since_at, at = list_time(w.since)).to_string()}" · "{waiting_label(o.now - w.since)}</span>
                                <span>{offer}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        )
    }
}
