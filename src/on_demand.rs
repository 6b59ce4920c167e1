//! What the inbox's first screen does not need, downloaded when it is first needed.
//!
//! Release builds (`--cfg el_split`, `scripts/build.sh`) cut each part below (Settings,
//! the CRM, the embedded views, the not-found page, the open chat) into a wasm file of
//! its own with wasm-split, as cargo-leptos does for Leptos's `#[lazy]`, so an
//! operator's first download carries the sign-in, the top bar and the dialog list
//! only; the chat's part (with the search's results) and the live part (what follows
//! the socket, with the notifications) follow as soon as the list's rows are painted.
//! Other builds (component tests, `trunk serve`) keep one file and open everything at
//! once. What a part draws waits for the parts' style sheet too (`part_styles`). A part
//! that cannot be downloaded says so and offers Retry (a later try starts afresh), or
//! Reload when the app was updated since the page opened.

use crate::components::app_shell::AppShell;
use crate::components::chat_window::ChatWindow;
use crate::components::search_panel::{SearchIn, SearchResultsList};
use crate::components::shortcuts_help::ShortcutsHelp;
use crate::idle::after_paint;
use crate::pages;
use crate::part_styles;
use crate::store::chat_calls::{self, Notice};
use crate::store::sync::{self, Followed};
use crate::store::{outbox, Connection, InboxActions, InboxStore, Session};
use el_protocol::outbox::Outbox;
use el_protocol::{DialogId, MessageId};
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

/// A part could not be downloaded (the network failed).
pub struct NotDownloaded;

impl From<leptos::wasm_split::SplitLoaderError> for NotDownloaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        NotDownloaded
    }
}

/// What draws a page; it lives in the page's part.
type Maker = fn() -> AnyView;

/// The pages of each part, and one function per page that the split build
/// downloads its part for; the same names are the [`Page`]s.
macro_rules! parts {
    ($($part:ident { $($page:ident => $component:path),+ $(,)? })+) => {
        /// A page opened on demand.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Page { $($($page),+),+ }

        impl Page {
            /// The part it is in.
            fn part(self) -> &'static str {
                match self { $($(Page::$page)|+ => stringify!($part),)+ }
            }
        }

        $($(
            #[allow(non_snake_case)]
            #[cfg_attr(el_split, ::leptos::wasm_split::wasm_split(
                $part, wasm_split_path = ::leptos::wasm_split, fallible
            ))]
            fn $page() -> Result<Maker, NotDownloaded> {
                Ok(|| view! { <$component/> }.into_any())
            }
        )+)+

        /// What draws `page`, once its part is here.
        async fn download(page: Page) -> Result<Maker, NotDownloaded> {
            match page {
                $($(Page::$page => {
                    #[cfg(el_split)]
                    let maker = $page().await;
                    #[cfg(not(el_split))]
                    let maker = $page();
                    maker
                })+)+
            }
        }
    };
}

parts! {
    settings {
        Settings => pages::settings::SettingsPage,
        Roles => pages::roles::RolesPage,
        QuickReplies => pages::quick_replies::QuickRepliesPage,
        Integrations => pages::integrations::IntegrationsPage,
        Queue => pages::queue::QueuePage,
        ApiKeys => pages::api_keys::ApiKeysPage,
    }
    crm {
        CrmList => pages::crm_list::CrmListPage,
        CrmCard => pages::crm_card::CrmCardPage,
    }
    missing {
        NotFound => pages::not_found::NotFoundPage,
    }
    embedded {
        EmbeddedBlock => pages::embed::EmbeddedBlockPage,
        EmbeddedField => pages::embed::EmbeddedFieldPage,
        EmbeddedChat => pages::embed::EmbeddedChatPage,
    }
}

impl Page {
    /// Where it shows: inside the app's top bar, or alone (the embedded views, the
    /// not-found page).
    fn place(self) -> Place {
        match self {
            Page::EmbeddedBlock | Page::EmbeddedField | Page::EmbeddedChat | Page::NotFound => Place::Alone,
            _ => Place::Shell,
        }
    }
}

/// Where a part's view shows, which decides the frame and the words of its download's
/// states.
#[derive(Clone, Copy)]
enum Place {
    /// A page inside the top bar, so the user can go elsewhere.
    Shell,
    /// A page of its own (an embedded view, the not-found page).
    Alone,
    /// The chat, beside the dialog list.
    Chat,
    /// The search's results, in the list's place.
    Search,
}

/// What draws the open chat; it lives in the chat's part.
type ChatMaker = fn(DialogId, Option<MessageId>) -> AnyView;

/// The chat's part: the chat window with its composer, menus, modals and the markdown
/// renderer, and the search's results. The inbox's list shows without it; it is fetched
/// once the list is here ([`fetch_chat_early`]), so opening a dialog or searching seldom
/// waits.
const CHAT: &str = "chat";

/// `$name`, which lives in part `$part` and gives what draws (or runs) from it, and
/// `$download`, which gives that once the part is here (the split build downloads it
/// first).
macro_rules! in_part {
    ($part:ident: $name:ident, $vis:vis $download:ident -> $maker:ty = $make:expr) => {
        #[cfg_attr(el_split, ::leptos::wasm_split::wasm_split($part, wasm_split_path = ::leptos::wasm_split, fallible))]
        fn $name() -> Result<$maker, NotDownloaded> {
            Ok($make)
        }

        $vis async fn $download() -> Result<$maker, NotDownloaded> {
            #[cfg(el_split)]
            let maker = $name().await;
            #[cfg(not(el_split))]
            let maker = $name();
            maker
        }
    };
}

in_part!(chat: chat, download_chat -> ChatMaker = |id, at| view! { <ChatWindow id=id at=at/> }.into_any());

/// What draws the search's results; it lives in the chat's part.
type SearchMaker = fn(SearchIn) -> AnyView;

in_part!(chat: search, download_search -> SearchMaker = |search| view! { <SearchResultsList search=search/> }.into_any());

/// What sends the messages that wait for the connection; it lives in the chat's part.
type Sender = fn(InboxStore, Session);

in_part!(chat: sender, download_sender -> Sender = |inbox, session| outbox::flush(inbox, session, None));

/// What loads the open chat's older messages; it lives in the chat's part.
type OlderLoader = fn(InboxStore, Session, Notice);

in_part!(chat: older, download_older -> OlderLoader = chat_calls::older);

/// Loads the open chat's older messages. Only the chat window asks, so its part is here.
pub fn load_older(inbox: InboxStore, session: Session, notice: Notice) {
    spawn_local(async move {
        if let Ok(load) = download_older().await {
            load(inbox, session, notice);
        }
    });
}

/// What draws the keyboard shortcuts' sheet (closed with the callback); it lives in the
/// chat's part.
pub type HelpMaker = fn(Callback<()>) -> AnyView;

in_part!(chat: help, download_help -> HelpMaker = |on_close| view! { <ShortcutsHelp on_close=on_close/> }.into_any());

/// Gives `show` what draws the keyboard shortcuts' sheet once the chat's part is here
/// (at once, nearly always: it follows the list), or tells `failed` it could not be
/// downloaded (a later call tries afresh).
pub fn shortcuts_help(show: impl FnOnce(HelpMaker) + 'static, failed: impl FnOnce() + 'static) {
    spawn_local(async move {
        match styled(download_help()).await {
            Ok(make) => show(make),
            Err(NotDownloaded) => failed(),
        }
    });
}

/// What follows the socket for a session (see `sync::follow`).
type Follower = fn(InboxStore, Session, u64) -> LocalBoxFuture<'static, Followed>;

in_part!(live: live, download_live -> Follower = sync::follow);

/// The live part: what follows the socket once the list shows its snapshot.
const LIVE: &str = "live";

/// What follows the socket, downloaded (when it is not here yet) once the browser has
/// painted the list's first rows: loading a part takes the main thread for a while, and
/// beside the list's data it held the rows back (README, Bundles). Events meanwhile are
/// not lost: the socket starts from the snapshot's position.
pub(crate) async fn follower() -> Result<Follower, NotDownloaded> {
    if !is_here(LIVE) {
        crate::idle::painted().await;
    }
    let follow = download_live().await?;
    DOWNLOADED.with(|parts| parts.borrow_mut().insert(LIVE));
    Ok(follow)
}

/// Sends the messages written while the connection was down whenever it is live again.
/// They were written in a chat, so the chat's part is here whenever there are any.
pub fn send_when_live(inbox: InboxStore, session: Session) {
    Effect::new(move |_| {
        if inbox.connection.get() != Connection::Live || inbox.outbox.with_untracked(Outbox::waiting) == 0 {
            return;
        }
        spawn_local(async move {
            if let Ok(send) = download_sender().await {
                send(inbox, session);
            }
        });
    });
}

thread_local! {
    /// The parts downloaded so far.
    static DOWNLOADED: RefCell<HashSet<&'static str>> = RefCell::default();
}

/// Whether `part` is here (always, in a build that is not split).
fn is_here(part: &'static str) -> bool {
    !cfg!(el_split) || DOWNLOADED.with(|parts| parts.borrow().contains(part))
}

/// Downloads the chat's part (and the parts' style sheet) if it is not here yet, once
/// the browser has painted what it draws now (the list's first rows) and is idle, since
/// the part's loading takes the main thread for a while. A failure is left to the chat
/// itself, which says so with Retry when a dialog opens.
pub fn fetch_chat_early() {
    if is_here(CHAT) {
        return;
    }
    after_paint(|| {
        part_styles::prefetch();
        spawn_local(async {
            if download_chat().await.is_ok() {
                DOWNLOADED.with(|parts| parts.borrow_mut().insert(CHAT));
            }
        })
    });
}

/// `inner`, inside the top bar when it shows there; the chat's comes with the way back
/// to the list, which a phone shows instead of the list beside it.
fn framed(place: Place, inner: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView {
    match place {
        Place::Shell => view! { <AppShell>{inner()}</AppShell> }.into_any(),
        Place::Alone | Place::Search => inner(),
        Place::Chat => {
            let actions = expect_context::<InboxActions>();
            view! {
                <div class="chat-pending">
                    <button class="button button--ghost chat__back" on:click=move |_| actions.back.run(())>
                        <span aria-hidden="true">"‹ "</span>
                        {tr!(back_to_dialogs)}
                    </button>
                    {inner()}
                </div>
            }
            .into_any()
        }
    }
}

/// Whether the server now serves another build of the app than this page runs (an
/// update was installed since it opened, and the parts this build asks for are gone):
/// the page names its build's script, and the server's page no longer does.
pub async fn app_was_updated() -> bool {
    let ours =
        document().query_selector("link[rel=modulepreload]").ok().flatten().and_then(|link| link.get_attribute("href"));
    match (ours, crate::api::app_page().await) {
        (Some(ours), Ok(page)) => !page.contains(&format!("\"{ours}\"")),
        _ => false,
    }
}

/// What `made` gives once the parts' style sheet is applied too: a part draws nothing
/// before it is (the sheet downloads while `made` is awaited).
async fn styled<M>(made: impl std::future::Future<Output = Result<M, NotDownloaded>>) -> Result<M, NotDownloaded> {
    part_styles::prefetch();
    let made = made.await?;
    part_styles::applied().await?;
    Ok(made)
}

/// Where a part's download stands.
#[derive(Clone)]
enum Download {
    Under,
    /// Here: what draws the view.
    Done(ViewFn),
    /// It failed: the network, or an update of the app since this page opened.
    Failed {
        updated: bool,
    },
}

/// A part's download, giving what draws the view.
type Drawing = Arc<dyn Fn() -> LocalBoxFuture<'static, Result<ViewFn, NotDownloaded>> + Send + Sync>;

/// What `part` draws with `draw`: at once when the part and the parts' style sheet are
/// here (then `get` answers at its first poll and asks the browser for nothing; a part
/// that is not here is never polled this way); otherwise "Loading…" while they
/// download, and when they cannot be, what went wrong: the network (Retry) or an update
/// of the app since this page opened (Reload), framed as `place` wants. What the part
/// draws is drawn in a plain reactive closure, as a route's page is, never inside a
/// `Suspense`. The work is done by [`drawn_when_here`], one copy for every kind of part.
fn when_here<M, F>(
    part: &'static str,
    place: Place,
    get: impl Fn() -> F + Copy + Send + Sync + 'static,
    draw: impl Fn(M) -> AnyView + Copy + Send + Sync + 'static,
) -> AnyView
where
    M: Copy + Send + Sync + 'static,
    F: std::future::Future<Output = Result<M, NotDownloaded>> + 'static,
{
    use futures::FutureExt;
    let drawing = move || get().map(move |made| made.map(|make| ViewFn::from(move || draw(make)))).boxed_local();
    drawn_when_here(part, place, Arc::new(drawing))
}

/// [`when_here`] with the part's download type-erased.
fn drawn_when_here(part: &'static str, place: Place, get: Drawing) -> AnyView {
    use futures::FutureExt;
    let get = move || styled(get());
    if let Some(Ok(draw)) = is_here(part).then(|| get().now_or_never()).flatten() {
        return draw.run();
    }
    let state = RwSignal::new(Download::Under);
    let fetch = Callback::new(move |()| {
        state.set(Download::Under);
        let download = get();
        spawn_local(async move {
            let next = match download.await {
                Ok(draw) => {
                    DOWNLOADED.with(|parts| parts.borrow_mut().insert(part));
                    Download::Done(draw)
                }
                Err(NotDownloaded) => Download::Failed { updated: app_was_updated().await },
            };
            // The user may have gone elsewhere meanwhile.
            let _ = state.try_set(next);
        });
    });
    fetch.run(());
    let failed = move |updated: bool| {
        let (text, action) = match (updated, place) {
            (true, _) => (tr!(app_updated), tr!(reload)),
            (false, Place::Chat) => (tr!(chat_not_downloaded), tr!(retry)),
            (false, Place::Search) => (tr!(search_not_downloaded), tr!(retry)),
            (false, Place::Shell | Place::Alone) => (tr!(page_not_downloaded), tr!(retry)),
        };
        let act = move |_| {
            if updated {
                let _ = window().location().reload();
            } else {
                fetch.run(());
            }
        };
        view! {
            <div class="empty-page">
                <p role="alert">{text}</p>
                <button type="button" class="button button--primary" on:click=act>{action}</button>
            </div>
        }
        .into_any()
    };
    (move || match state.get() {
        Download::Under => framed(place, || view! { <p class="loading-page">{tr!(loading)}</p> }.into_any()),
        Download::Done(draw) => draw.run(),
        Download::Failed { updated } => framed(place, move || failed(updated)),
    })
    .into_any()
}

/// `page`, downloaded first when its part is not here.
#[component]
pub fn OnDemand(page: Page) -> impl IntoView {
    when_here(page.part(), page.place(), move || download(page), |make: Maker| make())
}

/// The chat of dialog `id` (showing message `at`, when given), downloaded first when
/// its part is not here.
#[component]
pub fn OnDemandChat(id: DialogId, #[prop(optional_no_strip)] at: Option<MessageId>) -> impl IntoView {
    if !is_here(CHAT) {
        // Its messages are asked for beside the part, not after it.
        crate::api::preload_chat(id);
    }
    when_here(CHAT, Place::Chat, download_chat, move |make: ChatMaker| make(id, at))
}

/// The search's results, downloaded first when the chat's part is not here.
#[component]
pub fn OnDemandSearch(search: SearchIn) -> impl IntoView {
    when_here(CHAT, Place::Search, download_search, move |make: SearchMaker| make(search))
}
