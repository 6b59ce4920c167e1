//! Formatting between Telegram and External Lines: a client's text with Telegram's
//! entities becomes markdown; an operator's markdown becomes the HTML subset
//! `sendMessage` accepts (<https://core.telegram.org/bots/api#html-style>).

use crate::outbox::markup::{render, Markup, Quote};
use el_protocol::markdown::{escape_text as escape, is_safe_link, literal};
use serde::Deserialize;

/// A formatted part of a text; offsets and lengths count UTF-16 code units.
#[derive(Debug, Clone, Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: String,
    pub offset: usize,
    pub length: usize,
    pub url: Option<String>,
    pub language: Option<String>,
}

/// Marks Telegram formatting with markdown: bold, italic, strikethrough, code, code
/// blocks and text links. Overlapping or nested entities keep the outer one only.
pub fn entities_to_markdown(text: &str, entities: &[Entity]) -> String {
    // Byte offset of every UTF-16 position (Telegram counts in UTF-16 code units).
    let mut byte_at = Vec::with_capacity(text.len() + 1);
    for (i, c) in text.char_indices() {
        for _ in 0..c.len_utf16() {
            byte_at.push(i);
        }
    }
    byte_at.push(text.len());
    let mut sorted: Vec<&Entity> = entities.iter().collect();
    sorted.sort_by_key(|e| (e.offset, std::cmp::Reverse(e.length)));
    let (mut out, mut done) = (String::with_capacity(text.len() + 16), 0usize);
    // What the client wrote shows as written: only their entities format it.
    let plain = |from: usize, to: usize| literal(&text[from..to], from == 0 || text[..from].ends_with('\n'));
    for e in sorted {
        let (Some(&start), Some(&end)) = (byte_at.get(e.offset), byte_at.get(e.offset + e.length)) else { continue };
        if start < done || start >= end {
            continue;
        }
        let inner = &text[start..end];
        // Markdown emphasis cannot start or end with a space: keep spaces outside.
        let (lead, core, trail) = split_spaces(inner);
        let marked = match e.kind.as_str() {
            "bold" => format!("**{}**", literal(core, false)),
            "italic" => format!("*{}*", literal(core, false)),
            "strikethrough" => format!("~~{}~~", literal(core, false)),
            "code" => code_span(core),
            "pre" => {
                let fence = "```";
                format!("\n{fence}{}\n{inner}\n{fence}\n", e.language.as_deref().unwrap_or_default())
            }
            "text_link" => match e.url.as_deref().filter(|u| is_safe_link(u)) {
                Some(url) => format!("[{}](<{}>)", literal(core, false), url.replace(['<', '>'], "")),
                None => literal(core, false),
            },
            _ => continue,
        };
        out.push_str(&plain(done, start));
        if e.kind == "pre" {
            out.push_str(&marked);
        } else {
            out.push_str(lead);
            out.push_str(&marked);
            out.push_str(trail);
        }
        done = end;
    }
    out.push_str(&plain(done, text.len()));
    out
}

fn split_spaces(s: &str) -> (&str, &str, &str) {
    let core = s.trim();
    if core.is_empty() {
        return (s, "", "");
    }
    let lead = &s[..s.len() - s.trim_start().len()];
    let trail = &s[s.trim_end().len()..];
    (lead, core, trail)
}

/// A code span that survives backticks inside.
fn code_span(code: &str) -> String {
    let mut ticks = 1;
    while code.contains(&"`".repeat(ticks)) {
        ticks += 1;
    }
    let fence = "`".repeat(ticks);
    // Spaces keep a backtick at either end from joining the fence (and are not shown).
    let pad = if code.starts_with('`') || code.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{code}{pad}{fence}")
}

/// Telegram's HTML subset (<https://core.telegram.org/bots/api#html-style>).
const TELEGRAM_HTML: Markup = Markup {
    escape,
    bold: ("<b>", "</b>"),
    italic: ("<i>", "</i>"),
    strike: ("<s>", "</s>"),
    code: ("<code>", "</code>"),
    pre_open: |lang| match lang {
        "" => "<pre><code>".into(),
        lang => format!("<pre><code class=\"language-{lang}\">"),
    },
    pre_close: "</code></pre>",
    quote: Quote::Around("<blockquote>", "</blockquote>"),
    link: |text, url| format!("<a href=\"{}\">{text}</a>", escape(url)),
};

/// Converts message markdown to Telegram's HTML subset (see [`render`]).
pub fn markdown_to_html(markdown: &str) -> String {
    render(markdown, &TELEGRAM_HTML)
}

/// Splits Telegram HTML into messages that each show at most `max` characters (as
/// Telegram counts them: UTF-16 units of the text, tags and entities aside), at a
/// paragraph break, else a line break, else a space, else anywhere. Formatting open at a
/// cut is closed at the end of one message and opened again at the start of the next,
/// so every message is balanced and keeps its formatting.
pub fn split_html(html: &str, max: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut shown = 0usize; // UTF-16 units shown by `part`
    let mut open: Vec<(&str, &str)> = Vec::new(); // (opening tag, its name)
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = &rest[..end];
            rest = &rest[end..];
            if let Some(name) = tag.strip_prefix("</") {
                let name = name.trim_end_matches('>');
                if let Some(at) = open.iter().rposition(|(_, n)| *n == name) {
                    open.truncate(at);
                }
            } else {
                let name = tag[1..].split([' ', '>']).next().unwrap_or_default();
                open.push((tag, name));
            }
            part.push_str(tag);
            continue;
        }
        // Text up to the next tag, as units: a character or an entity (`&amp;`).
        let text_end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..text_end];
        let mut units: Vec<(usize, usize)> = Vec::new(); // (byte end, UTF-16 width)
        let mut at = 0;
        while at < text.len() {
            let c = text[at..].chars().next().unwrap_or(' ');
            let len = if c == '&' { text[at..].find(';').map_or(1, |i| i + 1) } else { c.len_utf8() };
            let width = if c == '&' { 1 } else { c.len_utf16() };
            at += len;
            units.push((at, width));
        }
        let total: usize = units.iter().map(|u| u.1).sum();
        if shown + total <= max {
            part.push_str(text);
            shown += total;
            rest = &rest[text_end..];
            continue;
        }
        // Cut in this text: as much as fits, back to the best break.
        let mut fit = 0; // units that fit
        let mut width = shown;
        while fit < units.len() && width + units[fit].1 <= max {
            width += units[fit].1;
            fit += 1;
        }
        let fit_bytes = if fit == 0 { 0 } else { units[fit - 1].0 };
        let window = &text[..fit_bytes];
        let at_break =
            ["\n\n", "\n", " "].iter().find_map(|sep| window.rfind(sep).filter(|&i| i > 0).map(|i| (i, i + sep.len())));
        let (end, next) = match at_break {
            Some(cut) => cut,
            // No break in what fits: the message ends before this text...
            None if shown > 0 => (0, 0),
            // ...unless it holds nothing yet: then the text is cut where it must be (at
            // least one character, to make progress).
            None => {
                let at = fit_bytes.max(units.first().map_or(text.len(), |u| u.0));
                (at, at)
            }
        };
        part.push_str(&text[..end]);
        rest = &rest[next..];
        finish(&mut parts, &mut part, &open);
        shown = 0;
        for (tag, _) in &open {
            part.push_str(tag);
        }
    }
    finish(&mut parts, &mut part, &open);
    parts
}

/// Ends `part` with the closing tags of what is open and keeps it if it shows anything.
fn finish(parts: &mut Vec<String>, part: &mut String, open: &[(&str, &str)]) {
    for (_, name) in open.iter().rev() {
        part.push_str(&format!("</{name}>"));
    }
    let mut text = std::mem::take(part);
    // Breaks at the edges show nothing.
    let trimmed = text.trim_matches('\n');
    if trimmed.len() != text.len() {
        text = trimmed.to_string();
    }
    if shows_something(&text) {
        parts.push(text);
    }
}

/// Does the HTML show any text besides white space?
fn shows_something(html: &str) -> bool {
    let mut in_tag = false;
    html.chars().any(|c| match c {
        '<' => {
            in_tag = true;
            false
        }
        '>' => {
            in_tag = false;
            false
        }
        c => !in_tag && !c.is_whitespace(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(kind: &str, offset: usize, length: usize) -> Entity {
        Entity { kind: kind.into(), offset, length, url: None, language: None }
    }

    #[test]
    fn telegram_entities_become_markdown() {
        let text = "Hello bold and italic, see site or run cargo";
        let mut link = entity("text_link", 27, 4);
        link.url = Some("https://example.com".into());
        let entities = [entity("italic", 15, 6), entity("bold", 6, 4), link, entity("code", 39, 5)];
        assert_eq!(
            entities_to_markdown(text, &entities),
            "Hello **bold** and *italic*, see [site](<https://example.com>) or run `cargo`"
        );
        assert_eq!(entities_to_markdown("a `b", &[entity("code", 2, 2)]), "a `` `b ``");
    }

    #[test]
    fn entity_offsets_count_utf16_units() {
        // "😀" is two UTF-16 units: "bold" starts at 3, not 2.
        let text = "😀 bold";
        assert_eq!(entities_to_markdown(text, &[entity("bold", 3, 4)]), "😀 **bold**");
        // Out of range or overlapping entities are left alone.
        assert_eq!(entities_to_markdown(text, &[entity("bold", 3, 40)]), text);
        assert_eq!(entities_to_markdown("abc def", &[entity("bold", 0, 7), entity("italic", 4, 3)]), "**abc def**");
        // Unsafe link targets keep the text only; unknown entities change nothing.
        let mut js = entity("text_link", 0, 3);
        js.url = Some("javascript:alert(1)".into());
        assert_eq!(entities_to_markdown("abc def", &[js, entity("hashtag", 4, 3)]), "abc def");
        // Spaces stay outside the markers, so they still render.
        assert_eq!(entities_to_markdown("a bold b", &[entity("bold", 1, 6)]), "a **bold** b");
    }

    #[test]
    fn markdown_becomes_telegram_html() {
        assert_eq!(
            markdown_to_html("**Hi** *there* ~~old~~ `x<y`"),
            "<b>Hi</b> <i>there</i> <s>old</s> <code>x&lt;y</code>"
        );
        assert_eq!(
            markdown_to_html("See [the docs](https://example.com/a?b=1&c=\"2\")"),
            "See <a href=\"https://example.com/a?b=1&amp;c=&quot;2&quot;\">the docs</a>"
        );
        assert_eq!(markdown_to_html("Line one\nline two\n\nNext"), "Line one\nline two\n\nNext");
        assert_eq!(markdown_to_html("- one\n- two\n\n1. first\n2. second"), "• one\n• two\n\n1. first\n2. second");
        assert_eq!(markdown_to_html("# Title\ntext"), "<b>Title</b>\n\ntext");
        assert_eq!(
            markdown_to_html("```rust\nfn main() {}\n```"),
            "<pre><code class=\"language-rust\">fn main() {}</code></pre>"
        );
        assert_eq!(markdown_to_html("> quoted"), "<blockquote>quoted</blockquote>");
    }

    #[test]
    fn hostile_markdown_stays_text() {
        assert_eq!(
            markdown_to_html("<b>raw</b> & <script>x</script>"),
            "&lt;b&gt;raw&lt;/b&gt; &amp; &lt;script&gt;x&lt;/script&gt;"
        );
        assert_eq!(markdown_to_html("[click](javascript:alert(1))"), "click");
        assert_eq!(markdown_to_html("![logo](https://evil.example/x.png)"), "logo");
    }

    #[test]
    fn long_texts_split_at_breaks() {
        let html = markdown_to_html(&format!("{}\n\n{}", "a".repeat(30), "b ".repeat(20).trim()));
        let pieces = split_html(&html, 32);
        assert_eq!(pieces[0], "a".repeat(30));
        assert!(pieces.iter().all(|p| p.chars().count() <= 32), "{pieces:?}");
        assert_eq!(pieces.concat().replace(' ', ""), html.replace(['\n', ' '], ""));
        assert_eq!(split_html("short", 32), ["short"]);
        assert_eq!(split_html(&"x".repeat(70), 32).len(), 3);
        assert!(split_html("  ", 32).is_empty());
        assert!(split_html("<b> </b>", 32).is_empty(), "nothing to show, nothing to send");
    }

    /// The text Telegram shows for a piece of its HTML: UTF-16 units, entities as one.
    fn shown(html: &str) -> usize {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
        text.encode_utf16().count()
    }

    /// Every opening tag is closed, in order.
    fn balanced(html: &str) -> bool {
        let mut open = Vec::new();
        for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or_default()) {
            match tag.strip_prefix('/') {
                Some(name) => {
                    if open.pop() != Some(name.to_string()) {
                        return false;
                    }
                }
                None => open.push(tag.split(' ').next().unwrap_or_default().to_string()),
            }
        }
        open.is_empty()
    }

    #[test]
    fn long_formatted_texts_split_by_what_shows_and_stay_formatted() {
        // 5,000 bold characters: every part is bold, none shows a markdown mark.
        let bold = markdown_to_html(&format!("**{}**", "word ".repeat(1000).trim()));
        let parts = split_html(&bold, 4096);
        assert_eq!(parts.len(), 2);
        for p in &parts {
            assert!(p.starts_with("<b>") && p.ends_with("</b>") && !p.contains("**"), "{}", &p[..40]);
            assert!(shown(p) <= 4096 && balanced(p));
        }
        // A 5,000-character code block keeps its formatting in each part.
        let code = markdown_to_html(&format!("```rust\n{}\n```", "let x = 1;\n".repeat(500)));
        let parts = split_html(&code, 4096);
        assert!(parts.len() >= 2);
        for p in &parts {
            assert!(p.starts_with("<pre><code class=\"language-rust\">") && p.ends_with("</code></pre>"), "{p:.60}");
            assert!(shown(p) <= 4096 && balanced(p));
        }
        // 200 nested list items render longer than their source: still within the limit.
        let list: String = (0..200).map(|i| format!("{}- item {i}\n", "  ".repeat(i % 3))).collect();
        let parts = split_html(&markdown_to_html(&list), 4096);
        assert!(parts.iter().all(|p| shown(p) <= 4096 && balanced(p)), "{parts:?}");
        // Entities and two-unit characters count as Telegram counts them.
        let parts = split_html(&"&amp;😀".repeat(3000), 4096);
        assert!(parts.len() == 3 && parts.iter().all(|p| shown(p) <= 4096), "{}", parts.len());
        assert!(parts.iter().all(|p| p.matches('&').count() == p.matches("&amp;").count()), "no entity is cut");
    }

    #[test]
    fn only_html_telegram_accepts() {
        // No quote inside a quote, no code inside a link or bold.
        let html = markdown_to_html("> outer\n> > inner\n\n[see `code`](https://example.com) **`x`**");
        assert_eq!(html.matches("<blockquote>").count(), 1, "{html}");
        assert!(!html.contains("<a href=\"https://example.com\">see <code>"), "{html}");
        assert!(html.contains("<a href=\"https://example.com\">see code</a>"), "{html}");
        assert!(html.contains("<b>x</b>"), "{html}");
        assert!(balanced(&html));
    }
}
