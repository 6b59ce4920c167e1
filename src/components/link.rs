//! A link to a page of the app.

use leptos::prelude::*;
use leptos_router::components::{ToHref, A};

/// leptos_router's `A` to `href`, a page of the app written from its root (`/settings`),
/// placed under the server's base path (`/space/lines/settings`). `A` leaves an absolute
/// path as written, whereas `navigate` and `Redirect` resolve one under the router's base.
#[component]
pub fn Link<H>(href: H, children: Children) -> impl IntoView
where
    H: ToHref + Send + Sync + 'static,
{
    view! { <A href=move || el_web_client::base::at(&href.to_href()())>{children()}</A> }
}
