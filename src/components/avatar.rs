//! A round picture for a dialog: its image when it has one, else its initial.

use crate::format::initial;
use leptos::prelude::*;

#[component]
pub fn Avatar(name: String, image: Option<String>, #[prop(optional)] large: bool) -> impl IntoView {
    view! {
        <span class="avatar" class:avatar--large=large aria-hidden="true">
            {match image {
                Some(src) => view! { <img class="avatar__image" src=el_web_client::base::at(&src) alt=""/> }.into_any(),
                None => initial(&name).into_any(),
            }}
        </span>
    }
}
