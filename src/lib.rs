//! External Lines operator app: the browser inbox where operators answer customer chats.

/// A text of the app in its current language (`locales/*.json`), with its
/// `{{ placeholders }}` filled: `tr!(sign_in)`, `tr!(note_prefix, name)`. The app is drawn
/// anew when the language changes (see [`language::follow`]).
macro_rules! tr {
    ($key:ident $(, $($args:tt)*)?) => {
        $crate::i18n::td_string!($crate::language::current(), $key $(, $($args)*)?)
    };
}

pub mod alerts;
pub mod api;
pub mod components;
pub mod embed;
pub mod format;
pub mod idle;
pub mod labels;
pub mod language;
pub mod on_demand;
pub mod pages;
pub mod part_styles;
pub mod shortcuts;
pub mod store;
pub mod theme;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use el_protocol::api::Me;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, PossibleRouteMatch};
use on_demand::{fetch_chat_early, OnDemand, Page};
use store::{InboxStore, Session};

/// The application: stores in context, the session check, and the routes.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    let inbox = InboxStore::new(store::inbox::NOBODY);
    provide_context(session);
    provide_context(inbox);
    // The unread count in the page title and on the favicon, on every page.
    let unread = Memo::new(move |_| {
        let counts = inbox.inbox.with(|i| i.unread_counts());
        let total = el_protocol::inbox::Tab::ALL.into_iter().map(|t| counts.get(t) as u32).sum::<u32>();
        if session.state.with(|s| matches!(s, store::SessionState::SignedIn(_))) {
            total
        } else {
            0
        }
    });
    Effect::new(move |_| alerts::show_unread(unread.get()));
    on_demand::send_when_live(inbox, session);
    alerts::start();
    language::speak_for_web_client();
    theme::start();
    Effect::new(move |_| {
        if let Some(me) = session.me() {
            theme::apply(me.settings.theme);
        }
    });
    if embed::is_embedded() {
        // Signs in with the token the host page hands over, once the embedded view's
        // part is here (`embed::start`).
        embed::mark_page();
    } else {
        spawn_local(async move {
            match api::me().await {
                Ok(me) => begin_session(session, inbox, me),
                Err(_) => session.signed_out(),
            }
        });
    }
    view! {
        <Routed locale=language::follow(session)/>
    }
}

/// What a route draws. Every route gives this one type of function, so the router's
/// code is made once, not once for each route (see also [`RoutePath`]).
type Draw = fn() -> AnyView;

/// A route's [`Draw`] of `view`.
macro_rules! page {
    ({ $($body:tt)+ }) => { (|| { $($body)+ }.into_any()) as Draw };
    ($($view:tt)+) => { (|| view! { $($view)+ }.into_any()) as Draw };
}

/// A route's path, type-erased like its [`Draw`]: every route is then one type, so the
/// router's matching code is made once instead of once per shape of path (static and
/// parameter segments in each order).
type RoutePath = std::sync::Arc<dyn PossibleRouteMatch + Send + Sync>;

/// The [`RoutePath`] of a path written as for `path!`.
macro_rules! at {
    ($path:tt) => {
        std::sync::Arc::new(path!($path)) as RoutePath
    };
}

/// The pages, drawn anew in each language the user switches to.
#[component]
fn Routed(locale: Memo<i18n::Locale>) -> impl IntoView {
    move || {
        let _ = locale.get();
        view! {
                <Router base=el_web_client::base::path()>
                    <Routes fallback=|| view! { <OnDemand page=Page::NotFound/> }>
                        <Route path=at!("/login") view=page!(<pages::login::LoginPage/>)/>
                        <Route path=at!("/") view=page!(<pages::home::HomePage/>)/>
                        <Route path=at!("/lines") view=page!(<pages::inbox::InboxPage/>)/>
                        <Route path=at!("/lines/:id") view=page!(<pages::inbox::InboxPage/>)/>
                        <Route path=at!("/settings") view=page!(<OnDemand page=Page::Settings/>)/>
                        <Route path=at!("/settings/roles") view=page!(<OnDemand page=Page::Roles/>)/>
                        <Route path=at!("/settings/quick-replies") view=page!(<OnDemand page=Page::QuickReplies/>)/>
                        <Route path=at!("/settings/integrations") view=page!(<OnDemand page=Page::Integrations/>)/>
                        <Route path=at!("/settings/queue") view=page!(<OnDemand page=Page::Queue/>)/>
                        <Route path=at!("/settings/api-keys") view=page!(<OnDemand page=Page::ApiKeys/>)/>
                        <Route path=at!("/crm/:entity") view=page!(<OnDemand page=Page::CrmList/>)/>
                        <Route path=at!("/crm/:entity/:id") view=page!(<OnDemand page=Page::CrmCard/>)/>
                        <Route path=at!("/embed/frame/block/:entity/:id") view=page!(<OnDemand page=Page::EmbeddedBlock/>)/>
                        <Route path=at!("/embed/frame/field/:entity/:id") view=page!(<OnDemand page=Page::EmbeddedField/>)/>
                        <Route path=at!("/embed/frame/chat/:id") view=page!({ fetch_chat_early(); view! { <OnDemand page=Page::EmbeddedChat/> } })/>
                    </Routes>
                </Router>
        }
    }
}

/// After sign-in (or finding a session): remember the user, load the Space's users,
/// and start live sync when the role gives access to External Lines.
pub fn begin_session(session: Session, inbox: InboxStore, me: Me) {
    let lines = me.access.has_lines();
    inbox.begin(me.user.id);
    session.signed_in(me);
    spawn_local(async move {
        if let Ok(users) = api::users().await {
            session.users.set(users.into_iter().map(|u| (u.id, u)).collect());
        }
    });
    if lines {
        store::sync::start(inbox, session);
    }
}
