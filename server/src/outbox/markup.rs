//! Operators write markdown; each messenger shows its own formatting. One renderer walks
//! the markdown and a [`Markup`] says how a messenger marks each thing: Telegram's HTML
//! subset, Viber's `*bold*` and `_italic_`. Raw HTML shows as text; links keep only
//! `http`, `https` and `mailto` destinations; headings are bold; lists become bullets or
//! numbers; images show their description (files go separately).

use el_protocol::markdown::is_safe_link;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// How a messenger marks formatting.
pub struct Markup {
    /// Text as the messenger shows it literally.
    pub escape: fn(&str) -> String,
    pub bold: (&'static str, &'static str),
    pub italic: (&'static str, &'static str),
    pub strike: (&'static str, &'static str),
    pub code: (&'static str, &'static str),
    /// Opens a code block of a language (empty when none is named).
    pub pre_open: fn(&str) -> String,
    pub pre_close: &'static str,
    /// A quotation: marks around it, or a prefix on each of its lines.
    pub quote: Quote,
    /// A link around its shown (already marked) text.
    pub link: fn(text: &str, url: &str) -> String,
}

/// How a quotation is marked.
pub enum Quote {
    Around(&'static str, &'static str),
    EachLine(&'static str),
}

/// Renders message markdown in `markup`.
pub fn render(markdown: &str, markup: &Markup) -> String {
    let escape = markup.escape;
    let mut out = String::with_capacity(markdown.len() + 32);
    // Each open list: the next number, or `None` for bullets.
    let mut lists: Vec<Option<u64>> = Vec::new();
    // Each open link: where its text starts and where it leads, when kept.
    let mut links: Vec<Option<(usize, String)>> = Vec::new();
    // Messengers take no code inside bold, italic, struck or linked text, and no quote
    // inside a quote: those show as their text only.
    let mut inline = 0usize;
    let mut quotes = 0usize;
    let mut quote_start = 0usize;
    let open = |out: &mut String, inline: &mut usize, (mark, _): (&str, &str)| {
        *inline += 1;
        out.push_str(mark);
    };
    let close = |out: &mut String, inline: &mut usize, (_, mark): (&str, &str)| {
        *inline -= 1;
        out.push_str(mark);
    };
    for event in Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) => out.push_str(&escape(&t)),
            Event::Code(t) if inline > 0 => out.push_str(&escape(&t)),
            Event::Code(t) => {
                out.push_str(markup.code.0);
                out.push_str(&escape(&t));
                out.push_str(markup.code.1);
            }
            Event::Html(raw) | Event::InlineHtml(raw) => out.push_str(&escape(&raw)),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Rule => out.push_str("——————\n\n"),
            Event::Start(tag) => match tag {
                Tag::Strong | Tag::Heading { .. } => open(&mut out, &mut inline, markup.bold),
                Tag::Emphasis => open(&mut out, &mut inline, markup.italic),
                Tag::Strikethrough => open(&mut out, &mut inline, markup.strike),
                Tag::BlockQuote(_) => {
                    quotes += 1;
                    if quotes == 1 {
                        quote_start = out.len();
                        if let Quote::Around(mark, _) = markup.quote {
                            out.push_str(mark);
                        }
                    }
                }
                Tag::CodeBlock(kind) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(lang) => lang.split_whitespace().next().unwrap_or_default().to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    out.push_str(&(markup.pre_open)(&escape(&lang)));
                }
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
                        inline += 1;
                    }
                    links.push(keep.then(|| (out.len(), dest_url.to_string())));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Strong => close(&mut out, &mut inline, markup.bold),
                TagEnd::Heading(level) => {
                    close(&mut out, &mut inline, markup.bold);
                    out.push_str(if level == HeadingLevel::H1 { "\n\n" } else { "\n" });
                }
                TagEnd::Emphasis => close(&mut out, &mut inline, markup.italic),
                TagEnd::Strikethrough => close(&mut out, &mut inline, markup.strike),
                TagEnd::BlockQuote(_) => {
                    quotes -= 1;
                    trim_newlines(&mut out);
                    if quotes > 0 {
                        out.push('\n');
                        continue;
                    }
                    match markup.quote {
                        Quote::Around(_, mark) => out.push_str(mark),
                        Quote::EachLine(prefix) => {
                            let quoted = out.split_off(quote_start);
                            let lines: Vec<String> = quoted.lines().map(|l| format!("{prefix}{l}")).collect();
                            out.push_str(&lines.join("\n"));
                        }
                    }
                    out.push_str("\n\n");
                }
                TagEnd::CodeBlock => {
                    trim_newlines(&mut out);
                    out.push_str(markup.pre_close);
                    out.push_str("\n\n");
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
                TagEnd::Link => {
                    if let Some(Some((start, url))) = links.pop() {
                        inline -= 1;
                        let text = out.split_off(start);
                        out.push_str(&(markup.link)(&text, &url));
                    }
                }
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

/// A link in plain text (messengers that link addresses themselves): its text, then its
/// address in brackets, or only the address when that is all the text says.
pub fn text_and_address(text: &str, url: &str) -> String {
    let bare = url.strip_prefix("mailto:").unwrap_or(url);
    if text == url || text == bare || text.is_empty() {
        bare.to_string()
    } else {
        format!("{text} ({bare})")
    }
}

/// Splits text into messages of at most `max` characters: at a paragraph break, else a
/// line break, else a space, else anywhere. Parts that show nothing are dropped.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    split(text, |rest| rest.char_indices().nth(max).map(|(i, _)| i))
}

/// Splits text as [`split_text`] does, into messages of at most `max` bytes of UTF-8.
pub fn split_bytes(text: &str, max: usize) -> Vec<String> {
    split(text, |rest| (rest.len() > max).then(|| rest.floor_char_boundary(max)))
}

/// Splits text where `too_long` says a rest is too long (at the byte it must end by).
fn split(text: &str, too_long: impl Fn(&str) -> Option<usize>) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text.trim();
    while let Some(limit) = too_long(rest) {
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

    #[test]
    fn bytes_bound_parts_where_the_messenger_counts_bytes() {
        assert_eq!(split_bytes("ёжик ёжик", 9), ["ёжик", "ёжик"], "8 bytes each");
        assert_eq!(split_bytes("ёжики", 5), ["ёж", "ик", "и"], "never inside a character");
        let long = "слово ".repeat(500);
        let parts = split_bytes(&long, 1000);
        assert!(parts.iter().all(|p| p.len() <= 1000));
        assert_eq!(parts.join(" ").split_whitespace().count(), 500, "nothing lost");
    }
}
