//! An operator's markdown as Viber shows it: Viber's own `*bold*`, `_italic_`, `~strike~`
//! and ```` ```monospace``` ````; links as their text and address; quotes as `> ` lines.
//! Viber's text is plain, so nothing needs escaping.

use crate::outbox::markup::{render, Markup, Quote};

const VIBER: Markup = Markup {
    escape: str::to_string,
    bold: ("*", "*"),
    italic: ("_", "_"),
    strike: ("~", "~"),
    code: ("```", "```"),
    pre_open: |_| "```".into(),
    pre_close: "```",
    quote: Quote::EachLine("> "),
    link: |text, url| {
        let bare = url.strip_prefix("mailto:").unwrap_or(url);
        if text == url || text == bare || text.is_empty() {
            bare.to_string()
        } else {
            format!("{text} ({bare})")
        }
    },
};

/// Converts message markdown to Viber's text.
pub fn markdown_to_viber(markdown: &str) -> String {
    render(markdown, &VIBER)
}

/// Splits text into messages of at most `max` characters: at a paragraph break, else a
/// line break, else a space, else anywhere. Parts that show nothing are dropped.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while rest.chars().count() > max {
        let limit = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let head = &rest[..limit];
        let cut = ["\n\n", "\n", " "].iter().find_map(|sep| head.rfind(sep).filter(|&i| i > 0)).unwrap_or(limit);
        parts.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    parts.push(rest.to_string());
    parts.retain(|p| !p.trim().is_empty());
    parts
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

    #[test]
    fn long_text_is_cut_where_it_reads_well() {
        let text = format!("{}\n\n{}", "a".repeat(6), "b".repeat(6));
        assert_eq!(split_text(&text, 10), ["aaaaaa", "bbbbbb"]);
        assert_eq!(split_text("one two three", 9), ["one two", "three"]);
        assert_eq!(split_text("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(split_text("ёжик ёжик", 4), ["ёжик", "ёжик"], "characters, not bytes");
        assert!(split_text("  \n ", 10).is_empty());
        let long = "word ".repeat(3000);
        let parts = split_text(&long, 7000);
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|p| p.chars().count() <= 7000));
        assert_eq!(parts.join(" ").split_whitespace().count(), 3000, "nothing lost");
    }
}
