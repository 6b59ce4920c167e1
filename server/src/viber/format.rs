//! An operator's markdown as Viber shows it: Viber's own `*bold*`, `_italic_`, `~strike~`
//! and ```` ```monospace``` ````; links as their text and address; quotes as `> ` lines.
//! Viber's text is plain, so nothing needs escaping.

use crate::outbox::markup::{render, text_and_address, Markup, Quote};

const VIBER: Markup = Markup {
    escape: str::to_string,
    bold: ("*", "*"),
    italic: ("_", "_"),
    strike: ("~", "~"),
    code: ("```", "```"),
    pre_open: |_| "```".into(),
    pre_close: "```",
    quote: Quote::EachLine("> "),
    link: text_and_address,
};

/// Converts message markdown to Viber's text.
pub fn markdown_to_viber(markdown: &str) -> String {
    render(markdown, &VIBER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_viber_formatting() {
        assert_eq!(markdown_to_viber("**Hi** *there* ~~old~~ `x<y`"), "*Hi* _there_ ~old~ ```x<y```");
        assert_eq!(
            markdown_to_viber("See [the docs](https://example.com/a?b=1)"),
            "See the docs (https://example.com/a?b=1)"
        );
        assert_eq!(markdown_to_viber("<https://example.com>"), "https://example.com");
        assert_eq!(markdown_to_viber("[write](mailto:a@b.example)"), "write (a@b.example)");
        assert_eq!(markdown_to_viber("- one\n- two\n\n1. first\n2. second"), "• one\n• two\n\n1. first\n2. second");
        assert_eq!(markdown_to_viber("# Title\ntext"), "*Title*\n\ntext");
        assert_eq!(markdown_to_viber("```rust\nfn main() {}\n```"), "```fn main() {}```");
        assert_eq!(markdown_to_viber("> quoted\n> twice\n\nafter"), "> quoted\n> twice\n\nafter");
    }

    #[test]
    fn what_is_unsafe_or_foreign_shows_as_text() {
        assert_eq!(markdown_to_viber("<b>raw</b> & <script>x</script>"), "<b>raw</b> & <script>x</script>");
        assert_eq!(markdown_to_viber("[click](javascript:alert(1))"), "click");
        assert_eq!(markdown_to_viber("![logo](https://evil.example/x.png)"), "logo");
        assert_eq!(markdown_to_viber("![](https://tracker.example/p.gif)"), "");
    }
}
