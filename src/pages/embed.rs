//! `/embed/frame/...`: the components a host page mounts (see [`crate::embed`]): a CRM
//! card's dialog block and External lines field, and a dialog's chat.

use crate::api;
use crate::components::dialog_block::DialogBlock;
use crate::components::external_lines_field::ExternalLinesField;
use crate::components::when::When;
use crate::embed::{emit, report_height};
use crate::on_demand::OnDemandChat;
use crate::store::{chat_calls, InboxActions, InboxStore, Session, SessionState};
use el_protocol::api::DialogState;
use el_protocol::crm::{Entity, LinesAccount};
use el_protocol::{DialogId, RecordId};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Tells the host that the user wants dialog `id` opened.
fn open_dialog(id: DialogId) {
    emit("open-dialog", &[("dialog", id.0.into())]);
}

/// The record the path names (`:entity/:id`).
fn record_param() -> Memo<Option<(Entity, RecordId)>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| Some((Entity::parse(&p.get("entity")?)?, RecordId(p.get("id")?.parse().ok()?)))))
}

/// What every embedded view shows around itself (the first one drawn starts listening
/// to the host, `embed::start`): a wait until the host's token signed in, a clear
/// message (and "unauthorized" to the host) when the session ended, and its height to
/// the host as it changes (unless it fills the frame).
#[component]
fn Embedded(#[prop(optional)] fill: bool, children: ChildrenFn) -> impl IntoView {
    let session = expect_context::<Session>();
    crate::embed::start(session, expect_context::<InboxStore>());
    Effect::new(move |_| {
        if session.state.with(|s| matches!(s, SessionState::SignedOut)) {
            emit("unauthorized", &[]);
        }
    });
    let root = NodeRef::<Div>::new();
    if !fill {
        Effect::new(move |_| {
            let Some(element) = root.get() else { return };
            // The view's own height (the document's is never less than the frame's).
            let measured = element.clone();
            let observer = Closure::<dyn FnMut()>::new(move || report_height(f64::from(measured.scroll_height())));
            if let Ok(resize) = web_sys::ResizeObserver::new(observer.as_ref().unchecked_ref()) {
                resize.observe(&element);
            }
            observer.forget();
        });
    }
    view! {
        <div class="embedded-view" class:embedded-view--fill=fill node_ref=root>
            {move || match session.state.get() {
                SessionState::Checking => view! { <p class="muted" aria-busy="true">{tr!(loading)}</p> }.into_any(),
                SessionState::SignedOut => view! {
                    <p class="form-error" role="alert">{tr!(embed_session_ended)}</p>
                }
                .into_any(),
                SessionState::SignedIn(_) => children().into_any(),
            }}
        </div>
    }
}

/// `/embed/frame/block/:entity/:id`.
#[component]
pub fn EmbeddedBlockPage() -> impl IntoView {
    let record = record_param();
    let closed = Callback::new(|id: DialogId| emit("dialog-closed", &[("dialog", id.0.into())]));
    view! {
        <Embedded>
            {move || match record.get() {
                Some((entity, id)) => view! {
                    <DialogBlock entity=entity id=id on_open=Callback::new(open_dialog) on_closed=closed/>
                }
                .into_any(),
                None => view! { <p class="form-error" role="alert">{tr!(embed_bad_address)}</p> }.into_any(),
            }}
        </Embedded>
    }
}

/// `/embed/frame/field/:entity/:id`.
#[component]
pub fn EmbeddedFieldPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let record = record_param();
    let lines = RwSignal::new(None::<Vec<LinesAccount>>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let signed_in = session.state.with(|s| matches!(s, SessionState::SignedIn(_)));
        let Some((entity, id)) = record.get().filter(|_| signed_in) else { return };
        spawn_local(async move {
            match api::record(entity, id).await {
                Ok(r) => lines.set(Some(r.lines)),
                Err(f) if f.is_unauthorized() => session.signed_out(),
                Err(f) => error.set(Some(f.message)),
            }
        });
    });
    view! {
        <Embedded>
            <section class="card-block" aria-label=tr!(external_lines)>
                <h2 class="card-block__title">{tr!(external_lines)}</h2>
                {move || match (lines.get(), error.get()) {
                    (_, Some(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                    (Some(lines), None) => {
                        view! { <ExternalLinesField lines=lines on_open=Callback::new(open_dialog)/> }.into_any()
                    }
                    (None, None) => view! { <p class="muted" aria-busy="true">{tr!(loading)}</p> }.into_any(),
                }}
            </section>
        </Embedded>
    }
}

/// `/embed/frame/chat/:id`: the chat as in the inbox, with Join, Reply and the composer.
#[component]
pub fn EmbeddedChatPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let inbox = expect_context::<InboxStore>();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).and_then(|s| s.parse().ok()).map(DialogId));
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    provide_context(InboxActions {
        open: Callback::new(open_dialog),
        reply: Callback::new(move |dialog| chat_calls::reply(inbox, session, dialog, notice, || {})),
        follow: Callback::new(|_| {}),
        more: Callback::new(|_| {}),
        older: Callback::new(move |_| chat_calls::older(inbox, session, notice)),
        chat_failed: Callback::new(move |why| error.set(Some(why))),
        back: Callback::new(|_| {}),
    });
    // The chat window loads the dialog the address names.
    Effect::new(move |_| {
        id.track();
        error.set(None);
    });
    // The host hears when the dialog ends, here or elsewhere.
    let state = Memo::new(move |_| inbox.chat.with(|c| c.as_ref().map(|c| c.dialog.state)));
    Effect::new(move |was: Option<Option<DialogState>>| {
        let now = state.get();
        if let (Some(Some(before)), Some(DialogState::Ended), Some(dialog)) = (was, now, id.get_untracked()) {
            if before != DialogState::Ended {
                emit("dialog-closed", &[("dialog", dialog.0.into())]);
            }
        }
        now
    });
    view! {
        <Embedded fill=true>
            <When when=move || notice.with(Option::is_some)>
                <p class="form-error" role="alert">{move || notice.get().unwrap_or_default()}</p>
            </When>
            {move || match (id.get(), error.get()) {
                (_, Some(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
                (Some(dialog), None) => view! { <OnDemandChat id=dialog at=None/> }.into_any(),
                (None, None) => view! { <p class="form-error" role="alert">{tr!(embed_bad_address)}</p> }.into_any(),
            }}
        </Embedded>
    }
}
