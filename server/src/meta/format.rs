//! An operator's markdown as Messenger and Instagram show it. Messenger reads the same
//! marks as WhatsApp (`*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ``` ````);
//! Instagram shows text as it is, so formatting leaves only its words: lists stay
//! bullets and numbers, quotes `> ` lines, links their text and address.

use crate::outbox::markup::{render, text_and_address, Markup, Quote};
use crate::whatsapp::format::WHATSAPP;
use el_protocol::api::ChannelKind;

const INSTAGRAM: Markup = Markup {
    escape: str::to_string,
    bold: ("", ""),
    italic: ("", ""),
    strike: ("", ""),
    code: ("", ""),
    pre_open: |_| String::new(),
    pre_close: "",
    quote: Quote::EachLine("> "),
    link: text_and_address,
};

/// Converts message markdown to the text of `kind` (Facebook Messenger or Instagram).
pub fn markdown_to_meta(kind: ChannelKind, markdown: &str) -> String {
    match kind {
        ChannelKind::Instagram => render(markdown, &INSTAGRAM),
        _ => render(markdown, &WHATSAPP),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messenger_keeps_its_marks_and_instagram_the_words() {
        let md = "**Hi** *there* ~~old~~ `x<y` [track](https://example.com/t)";
        assert_eq!(
            markdown_to_meta(ChannelKind::Facebook, md),
            "*Hi* _there_ ~old~ `x<y` track (https://example.com/t)"
        );
        assert_eq!(markdown_to_meta(ChannelKind::Instagram, md), "Hi there old x<y track (https://example.com/t)");
        assert_eq!(markdown_to_meta(ChannelKind::Instagram, "- one\n- two"), "• one\n• two");
        assert_eq!(markdown_to_meta(ChannelKind::Instagram, "<b>raw</b>"), "<b>raw</b>");
    }
}
