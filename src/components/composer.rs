//! The text input of a chat: Enter sends, Shift+Enter starts a new line.

use leptos::prelude::*;

#[component]
pub fn Composer(
    /// The text being written (owned by the caller, so it survives errors).
    draft: RwSignal<String>,
    /// Called with the text when the user sends.
    on_send: Callback<String>,
    #[prop(into)] sending: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let send = move || {
        let text = draft.get_untracked();
        if !text.trim().is_empty() && !sending.get_untracked() {
            on_send.run(text);
        }
    };
    view! {
        <form
            class="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
        >
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="composer__row">
                <textarea
                    class="composer__input"
                    aria-label="Message"
                    placeholder="Write a message… (Enter sends, Shift+Enter for a new line)"
                    rows="2"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                    on:keydown=move |ev: web_sys::KeyboardEvent| {
                        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                            ev.prevent_default();
                            send();
                        }
                    }
                ></textarea>
                <button
                    type="submit"
                    class="button button--primary"
                    disabled=move || sending.get() || draft.with(|d| d.trim().is_empty())
                >
                    "Send"
                </button>
            </div>
        </form>
    }
}
