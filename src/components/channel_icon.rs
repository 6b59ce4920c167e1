//! The messenger's icon (its shape and colour), next to a visible or accessible name.

use el_protocol::api::ChannelKind;
use leptos::prelude::*;

#[component]
pub fn ChannelIcon(kind: ChannelKind) -> impl IntoView {
    let (color, path) = match kind {
        // A paper plane.
        ChannelKind::Telegram => ("#229ED9", "M3 11.5 20 4.5l-3 15-5.5-4.2-2.8 2.7.4-4.3L17 7.6 7.5 13.3z"),
        // A phone in a speech bubble.
        ChannelKind::Viber => ("#7360F2", "M12 3c5 0 8 2.8 8 7.5S17 18 12 18l-4 3v-3.6C5.5 16.3 4 14 4 10.5 4 5.8 7 3 12 3zm-2.2 4.2-1.3.2c-.5.4-.4 1.3.3 2.5a9 9 0 0 0 3.6 3.5c1 .5 1.8.6 2.2.1l.3-1.1-1.8-1-.8.6a5.6 5.6 0 0 1-2.1-2.2l.6-.8z"),
        // A round bubble with a handset.
        ChannelKind::Whatsapp => ("#25D366", "M12 3a9 9 0 0 0-7.8 13.5L3 21l4.6-1.2A9 9 0 1 0 12 3zm-2.3 4.6h-.8c-.4.1-1 .6-1 1.7s.9 2.4 1.3 2.9c.4.5 1.9 2.9 4.4 3.8 2 .7 2.4.5 2.9.4.6-.1 1.3-.7 1.4-1.3l.1-1-1.9-.9-.8 1c-.6-.2-2.4-1-3.3-2.7l.7-.9z"),
        // Messenger's bubble with its lightning stroke.
        ChannelKind::Facebook => ("#0866FF", "M12 3C7 3 3 6.7 3 11.4c0 2.6 1.2 4.9 3.2 6.4V21l2.9-1.6c.9.2 1.9.4 2.9.4 5 0 9-3.7 9-8.4S17 3 12 3zm1 11.2-2.3-2.4-4.4 2.4 4.9-5.2 2.3 2.4 4.4-2.4z"),
        // A rounded camera.
        ChannelKind::Instagram => ("#E1306C", "M8 3h8a5 5 0 0 1 5 5v8a5 5 0 0 1-5 5H8a5 5 0 0 1-5-5V8a5 5 0 0 1 5-5zm0 2a3 3 0 0 0-3 3v8a3 3 0 0 0 3 3h8a3 3 0 0 0 3-3V8a3 3 0 0 0-3-3zm4 3.5a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7zm0 2a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zM16.8 6a1 1 0 1 1 0 2 1 1 0 0 1 0-2z"),
        // A chat bubble on a web page.
        ChannelKind::Widget => ("#2563EB", "M4 5h16v11H9l-4 3v-3H4zm3 4v1.6h10V9zm0 3v1.6h7V12z"),
    };
    view! {
        <svg class="channel-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path fill=color d=path/>
        </svg>
    }
}
