//! Pages the inbox does not need, downloaded the first time one of them opens.
//!
//! Release builds (`--cfg el_split`, `scripts/build.sh`) cut each part below (Settings,
//! the CRM, the embedded views) into a wasm file of its own with wasm-split, as
//! cargo-leptos does for Leptos's `#[lazy]`, so an operator's first download carries the
//! inbox only. Other builds (component tests, `trunk serve`) keep one file and open the
//! pages at once. A part that cannot be downloaded says so and offers Retry; a later
//! try starts afresh.

use crate::components::app_shell::AppShell;
use crate::pages;
use leptos::prelude::*;
use send_wrapper::SendWrapper;

/// A part could not be downloaded (the network failed).
pub struct NotDownloaded;

impl From<leptos::wasm_split::SplitLoaderError> for NotDownloaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        NotDownloaded
    }
}

/// The pages of each part, and one function per page that the split build
/// downloads its part for; the same names are the [`Page`]s.
macro_rules! parts {
    ($($part:ident { $($page:ident => $component:path),+ $(,)? })+) => {
        /// A page opened on demand.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Page { $($($page),+),+ }

        $($(
            #[allow(non_snake_case)]
            #[cfg_attr(el_split, ::leptos::wasm_split::wasm_split(
                $part, wasm_split_path = ::leptos::wasm_split, fallible
            ))]
            fn $page() -> Result<AnyView, NotDownloaded> {
                Ok(view! { <$component/> }.into_any())
            }
        )+)+

        /// The page's view, once its part is here.
        async fn load(page: Page) -> Result<AnyView, NotDownloaded> {
            match page {
                $($(Page::$page => {
                    #[cfg(el_split)]
                    let view = $page().await;
                    #[cfg(not(el_split))]
                    let view = $page();
                    view
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

/// `inner` inside the top bar when `page` shows there, so the user can go elsewhere.
fn framed(page: Page, inner: impl Fn() -> AnyView + Send + Sync + 'static) -> AnyView {
    match page.in_shell() {
        true => view! { <AppShell>{inner()}</AppShell> }.into_any(),
        false => inner(),
    }
}

/// `page`, with "Loading…" while its part downloads, and what went wrong with Retry
/// when it cannot be.
#[component]
pub fn OnDemand(page: Page) -> impl IntoView {
    let attempt = RwSignal::new(0u32);
    let failed = move || {
        view! {
            <div class="empty-page">
                <p role="alert">{tr!(page_not_downloaded)}</p>
                <button type="button" class="button button--primary" on:click=move |_| attempt.update(|n| *n += 1)>
                    {tr!(retry)}
                </button>
            </div>
        }
        .into_any()
    };
    let shown = move || {
        attempt.track();
        Suspend::new(SendWrapper::new(async move {
            match load(page).await {
                Ok(view) => view,
                Err(NotDownloaded) => framed(page, failed),
            }
        }))
    };
    let loading = move || framed(page, || view! { <p class="loading-page">{tr!(loading)}</p> }.into_any());
    view! { <Suspense fallback=loading>{shown}</Suspense> }
}
