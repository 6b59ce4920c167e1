//! Pages the inbox does not need, downloaded the first time one of them opens.
//!
//! Release builds (`--cfg el_split`, `scripts/build.sh`) cut each part below (Settings,
//! the CRM, the embedded views) into a wasm file of its own with wasm-split, as
//! cargo-leptos does for Leptos's `#[lazy]`, so an operator's first download carries the
//! inbox only. Other builds (component tests, `trunk serve`) keep one file and open the
//! pages at once. A part that cannot be downloaded says so and offers Retry (a later try
//! starts afresh), or Reload when the app was updated since the page opened.

use crate::components::app_shell::AppShell;
use crate::pages;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::collections::HashSet;

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
    embedded {
        EmbeddedBlock => pages::embed::EmbeddedBlockPage,
        EmbeddedField => pages::embed::EmbeddedFieldPage,
        EmbeddedChat => pages::embed::EmbeddedChatPage,
    }
}

impl Page {
    /// Whether it shows inside the app's top bar (the embedded views stand alone).
    fn in_shell(self) -> bool {
        !matches!(self, Page::EmbeddedBlock | Page::EmbeddedField | Page::EmbeddedChat)
    }
}

thread_local! {
    /// The parts downloaded so far.
    static DOWNLOADED: RefCell<HashSet<&'static str>> = RefCell::default();
}

/// What draws `page` when its part is here already: then it needs no waiting (the
/// download answers at its first poll and asks the browser for nothing; a part that is
/// not here is never polled this way).
fn downloaded(page: Page) -> Option<Maker> {
    use futures::FutureExt;
    let here = !cfg!(el_split) || DOWNLOADED.with(|parts| parts.borrow().contains(page.part()));
    here.then(|| download(page).now_or_never()?.ok()).flatten()
}

/// `inner` inside the top bar when `page` shows there, so the user can go elsewhere.
fn framed(page: Page, inner: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView {
    match page.in_shell() {
        true => view! { <AppShell>{inner()}</AppShell> }.into_any(),
        false => inner(),
    }
}

/// Whether the server now serves another build of the app than this page runs (an
/// update was installed since it opened, and the parts this build asks for are gone):
/// the page names its build's script, and the server's page no longer does.
async fn app_was_updated() -> bool {
    let ours =
        document().query_selector("link[rel=modulepreload]").ok().flatten().and_then(|link| link.get_attribute("href"));
    match (ours, crate::api::app_page().await) {
        (Some(ours), Ok(page)) => !page.contains(&format!("\"{ours}\"")),
        _ => false,
    }
}

/// Where a page's download stands.
#[derive(Clone, Copy)]
enum Download {
    Under,
    Done(Maker),
    /// It failed: the network, or an update of the app since this page opened.
    Failed {
        updated: bool,
    },
}

/// `page`: at once when its part is here; otherwise "Loading…" while it downloads, and
/// when it cannot be, what went wrong: the network (Retry) or an update of the app since
/// this page opened (Reload). The page is drawn in a plain reactive closure, as a route's
/// page is, never inside a `Suspense`.
#[component]
pub fn OnDemand(page: Page) -> impl IntoView {
    if let Some(make) = downloaded(page) {
        return make();
    }
    let state = RwSignal::new(Download::Under);
    let fetch = move || {
        state.set(Download::Under);
        spawn_local(async move {
            let next = match download(page).await {
                Ok(make) => {
                    DOWNLOADED.with(|parts| parts.borrow_mut().insert(page.part()));
                    Download::Done(make)
                }
                Err(NotDownloaded) => Download::Failed { updated: app_was_updated().await },
            };
            // The user may have gone elsewhere meanwhile.
            let _ = state.try_set(next);
        });
    };
    fetch();
    let failed = move |updated: bool| {
        let (text, action) = match updated {
            true => (tr!(app_updated), tr!(reload)),
            false => (tr!(page_not_downloaded), tr!(retry)),
        };
        let act = move |_| {
            if updated {
                let _ = window().location().reload();
            } else {
                fetch();
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
        Download::Under => framed(page, || view! { <p class="loading-page">{tr!(loading)}</p> }.into_any()),
        Download::Done(make) => make(),
        Download::Failed { updated } => framed(page, move || failed(updated)),
    })
    .into_any()
}
