//! Pick Space users: several (Add to dialog) or one with an optional handover note
//! (Redirect). Searchable by name; only users who can work with dialogs are offered.

use crate::components::modal::Modal;
use crate::components::when::When;
use crate::store::Session;
use el_protocol::UserId;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// What the picker answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub users: Vec<UserId>,
    pub note: Option<String>,
}

#[component]
pub fn UserPicker(
    #[prop(into)] title: String,
    /// One user (radio buttons and a note) instead of several (checkboxes).
    #[prop(optional)]
    single: bool,
    /// Users not to offer (already members, or the user themself).
    exclude: Vec<UserId>,
    on_pick: Callback<Picked>,
    on_close: Callback<()>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let search = RwSignal::new(String::new());
    let chosen = RwSignal::new(BTreeSet::<UserId>::new());
    let note = RwSignal::new(String::new());
    let candidates = Memo::new(move |_| {
        let needle = search.get().to_lowercase();
        let mut users: Vec<_> = session.users.with(|u| {
            u.values()
                .filter(|u| u.works_in_lines && !exclude.contains(&u.id))
                .filter(|u| needle.is_empty() || u.name.to_lowercase().contains(needle.trim()))
                .cloned()
                .collect()
        });
        users.sort_by_key(|u| u.name.to_lowercase());
        users
    });
    let toggle = move |id: UserId| {
        chosen.update(|c| {
            if single {
                c.clear();
                c.insert(id);
            } else if !c.remove(&id) {
                c.insert(id);
            }
        })
    };
    let confirm = move |_| {
        let users: Vec<UserId> = chosen.get_untracked().into_iter().collect();
        let text = note.get_untracked().trim().to_string();
        on_pick.run(Picked { users, note: (!text.is_empty()).then_some(text) });
    };
    view! {
        <Modal title=title on_close=on_close>
            <input
                class="field"
                type="search"
                aria-label=tr!(search_users)
                placeholder=tr!(search_by_name)
                prop:value=move || search.get()
                on:input=move |e| search.set(event_target_value(&e))
            />
            <ul class="picker" role="list">
                <For each=move || candidates.get() key=|u| u.id let:user>
                    <li>
                        <label class="picker__item">
                            <input
                                type=if single { "radio" } else { "checkbox" }
                                name="picked-user"
                                prop:checked=move || chosen.with(|c| c.contains(&user.id))
                                on:change=move |_| toggle(user.id)
                            />
                            <span>{user.name.clone()}</span>
                        </label>
                    </li>
                </For>
            </ul>
            <When when=move || candidates.with(Vec::is_empty)>
                <p class="muted">{tr!(nobody_matches)}</p>
            </When>
            <When when=move || single>
                <label class="field-label" for="handover-note">{tr!(note_for_responsible)}</label>
                <textarea
                    id="handover-note"
                    class="field"
                    rows="3"
                    maxlength="1000"
                    prop:value=move || note.get()
                    on:input=move |e| note.set(event_target_value(&e))
                ></textarea>
            </When>
            <footer class="modal__footer">
                <button class="button" on:click=move |_| on_close.run(())>{tr!(cancel)}</button>
                <button class="button button--primary" disabled=move || chosen.with(BTreeSet::is_empty) on:click=confirm>
                    {tr!(add)}
                </button>
            </footer>
        </Modal>
    }
}
