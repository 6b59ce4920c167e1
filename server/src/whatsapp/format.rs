//! An operator's markdown as WhatsApp shows it: its own `*bold*`, `_italic_`, `~strike~`,
//! `` `code` `` and ```` ```monospace``` ````, `> ` quotes, and links as their text and
//! address (<https://faq.whatsapp.com/539178204879377>). WhatsApp's text is plain, so
//! nothing needs escaping.

use crate::outbox::markup::{render, text_and_address, Markup, Quote};

pub const WHATSAPP: Markup = Markup {
    escape: str::to_string,
    bold: ("*", "*"),
    italic: ("_", "_"),
    strike: ("~", "~"),
    code: ("`", "`"),
    pre_open: |_| "```".into(),
    pre_close: "```",
    quote: Quote::EachLine("> "),
    link: text_and_address,
};

/// Converts message markdown to WhatsApp's text.
pub fn markdown_to_whatsapp(markdown: &str) -> String {
    render(markdown, &WHATSAPP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_whatsapp_formatting() {
        assert_eq!(markdown_to_whatsapp("**Hi** *there* ~~old~~ `x<y`"), "*Hi* _there_ ~old~ `x<y`");
        assert_eq!(markdown_to_whatsapp("```\nlet a = 1;\n```"), "```let a = 1;```");
        assert_eq!(markdown_to_whatsapp("> quoted\n\nafter"), "> quoted\n\nafter");
        assert_eq!(markdown_to_whatsapp("[track it](https://example.com/t)"), "track it (https://example.com/t)");
        assert_eq!(markdown_to_whatsapp("<b>raw</b> & <script>x</script>"), "<b>raw</b> & <script>x</script>");
        assert_eq!(markdown_to_whatsapp("[x](javascript:alert(1))"), "x");
    }
}
