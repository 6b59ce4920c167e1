//! Formatting between Telegram and External Lines: a client's text with Telegram's
//! entities becomes markdown; an operator's markdown becomes the HTML subset
//! `sendMessage` accepts (<https://core.telegram.org/bots/api#html-style>).

use super::update::Entity;
use el_protocol::markdown::{escape_text as escape, is_safe_link, literal};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

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

/// Converts message markdown to Telegram's HTML subset. Raw HTML is shown as text;
/// links keep only `http`, `https` and `mailto` destinations; headings are bold; lists
/// become bullets or numbers; images show their description (files go separately).
pub fn markdown_to_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 32);
    // Each open list: the next number, or `None` for bullets.
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<bool> = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) => out.push_str(&escape(&t)),
            Event::Code(t) => {
                out.push_str("<code>");
                out.push_str(&escape(&t));
                out.push_str("</code>");
            }
            Event::Html(raw) | Event::InlineHtml(raw) => out.push_str(&escape(&raw)),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("——————\n\n"),
            Event::Start(tag) => match tag {
                Tag::Strong | Tag::Heading { .. } => out.push_str("<b>"),
                Tag::Emphasis => out.push_str("<i>"),
                Tag::Strikethrough => out.push_str("<s>"),
                Tag::BlockQuote(_) => out.push_str("<blockquote>"),
                Tag::CodeBlock(kind) => match kind {
                    CodeBlockKind::Fenced(lang) if !lang.trim().is_empty() => {
                        let lang = lang.split_whitespace().next().unwrap_or_default();
                        out.push_str(&format!("<pre><code class=\"language-{}\">", escape(lang)));
                    }
                    _ => out.push_str("<pre><code>"),
                },
                Tag::List(first) => {
                    if !lists.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    lists.push(first);
                }
                Tag::Item => {
                    out.push_str(&"    ".repeat(lists.len().saturating_sub(1)));
                    match lists.last_mut() {
                        Some(Some(n)) => {
                            out.push_str(&format!("{n}. "));
                            *n += 1;
                        }
                        _ => out.push_str("• "),
                    }
                }
                Tag::Link { dest_url, .. } => {
                    let keep = is_safe_link(&dest_url);
                    if keep {
                        out.push_str(&format!("<a href=\"{}\">", escape(&dest_url)));
                    }
                    links.push(keep);
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Strong => out.push_str("</b>"),
                TagEnd::Heading(level) => {
                    out.push_str("</b>");
                    out.push_str(if level == HeadingLevel::H1 { "\n\n" } else { "\n" });
                }
                TagEnd::Emphasis => out.push_str("</i>"),
                TagEnd::Strikethrough => out.push_str("</s>"),
                TagEnd::BlockQuote(_) => {
                    trim_newlines(&mut out);
                    out.push_str("</blockquote>\n\n");
                }
                TagEnd::CodeBlock => {
                    trim_newlines(&mut out);
                    out.push_str("</code></pre>\n\n");
                }
                TagEnd::Paragraph => out.push_str(if lists.is_empty() { "\n\n" } else { "\n" }),
                TagEnd::Item => {
                    trim_newlines(&mut out);
                    out.push('\n');
                }
                TagEnd::List(_) => {
                    lists.pop();
                    if lists.is_empty() {
                        out.push('\n');
                    }
                }
                TagEnd::Link if links.pop().unwrap_or(false) => out.push_str("</a>"),
                _ => {}
            },
            _ => {}
        }
    }
    trim_newlines(&mut out);
    out
}

fn trim_newlines(out: &mut String) {
    while out.ends_with('\n') {
        out.pop();
    }
}

/// Splits markdown into pieces of at most `max` characters, at paragraph breaks, else
/// line breaks, else spaces, else anywhere (each piece is converted on its own).
pub fn split_for_messages(markdown: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = markdown.trim();
    while rest.chars().count() > max {
        let limit = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let window = &rest[..limit];
        let cut = ["\n\n", "\n", " "].iter().find_map(|sep| window.rfind(sep).filter(|&i| i > 0)).unwrap_or(limit);
        pieces.push(rest[..cut].trim().to_string());
        rest = rest[cut..].trim();
    }
    if !rest.is_empty() {
        pieces.push(rest.to_string());
    }
    pieces
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
        let text = format!("{}\n\n{}", "a".repeat(30), "b ".repeat(20).trim());
        let pieces = split_for_messages(&text, 32);
        assert_eq!(pieces[0], "a".repeat(30));
        assert!(pieces.iter().all(|p| p.chars().count() <= 32), "{pieces:?}");
        assert_eq!(pieces.concat().replace(' ', ""), text.replace(['\n', ' '], ""));
        assert_eq!(split_for_messages("short", 32), ["short"]);
        assert_eq!(split_for_messages(&"x".repeat(70), 32).len(), 3);
        assert!(split_for_messages("  ", 32).is_empty());
    }
}
