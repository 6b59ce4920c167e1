//! Message markdown to safe HTML, for operators' and clients' screens alike.
//!
//! Message text is hostile. Rendering it: raw HTML is shown as text; links keep only
//! `http`, `https` and `mailto` destinations and open in a new tab without an opener;
//! images load only from our own file store (others show their description as text);
//! plain `http(s)://` URLs become links; a single new line is a line break, as in any
//! chat. Everything else is escaped by pulldown-cmark.

pub mod edit;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

/// Where our own uploaded files are served from; images may load only from here.
pub const FILE_STORE_PREFIX: &str = "/api/files/";

/// Is `url` a link destination we allow (`http`, `https`, `mailto`)? Browsers ignore
/// ASCII whitespace and control characters inside a scheme, so they are ignored here too.
pub fn is_safe_link(url: &str) -> bool {
    let compact: String = url.chars().filter(|c| !c.is_ascii_whitespace() && !c.is_control()).collect();
    let lower = compact.to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme))
}

/// Is `url` an image in our own file store?
fn is_own_file(url: &str) -> bool {
    url.starts_with(FILE_STORE_PREFIX) && !url.contains("..") && !url.chars().any(|c| c.is_control() || c == '\\')
}

/// Renders message markdown to HTML that is safe to insert into a page. Images of our
/// file store (written `/api/files/...`) load from under `base`, the server's base path
/// (`""` at the root).
pub fn to_safe_html(text: &str, base: &str) -> String {
    // Each open link or image: whether we kept it (its end tag is dropped otherwise).
    let mut open: Vec<bool> = Vec::new();
    let mut in_image = false; // inside a kept image: text goes into its alt attribute
    let mut out: Vec<Event> = Vec::new();
    let text = link_plain_urls(text);
    for event in Parser::new_ext(&text, Options::ENABLE_STRIKETHROUGH) {
        if in_image {
            match event {
                Event::End(TagEnd::Image) => {
                    open.pop();
                    in_image = false;
                    out.push(Event::Html("\" loading=\"lazy\">".into()));
                }
                Event::Text(t) | Event::Code(t) => out.push(Event::Html(escape_text(&t).into())),
                Event::Start(Tag::Image { .. }) | Event::Start(Tag::Link { .. }) => open.push(false),
                Event::End(TagEnd::Link) => {
                    open.pop();
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => out.push(Event::Text(raw)),
            Event::Start(Tag::Link { dest_url, link_type, .. }) => {
                let target =
                    if link_type == LinkType::Email { format!("mailto:{dest_url}") } else { dest_url.to_string() };
                let keep = is_safe_link(&target);
                if keep {
                    out.push(Event::Html(link_open(&target).into()));
                }
                open.push(keep);
            }
            Event::End(TagEnd::Link) => {
                if open.pop().unwrap_or(false) {
                    out.push(Event::Html("</a>".into()));
                }
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                let keep = is_own_file(&dest_url);
                if keep {
                    out.push(Event::Html(
                        format!("<img src=\"{base}{}\" title=\"{}\" alt=\"", href(&dest_url), escape_text(&title))
                            .into(),
                    ));
                    in_image = true;
                }
                // An image from elsewhere shows its description as text.
                open.push(keep);
            }
            Event::End(TagEnd::Image) => {
                open.pop();
            }
            // In a chat a new line is a new line.
            Event::SoftBreak => out.push(Event::HardBreak),
            other => out.push(other),
        }
    }
    let mut html = String::with_capacity(text.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    html
}

/// The words of message markdown without its marks, on one line: what a list's
/// preview shows ("**Hi** there" reads "Hi there").
pub fn to_plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => {
                out.push(' ')
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn href(url: &str) -> String {
    let mut out = String::new();
    let _ = escape_href(&mut out, url);
    out
}

/// Escapes text for HTML text or a quoted attribute (`&`, `<`, `>`, `"`).
pub fn escape_text(text: &str) -> String {
    let mut out = String::new();
    let _ = escape_html(&mut out, text);
    out
}

fn link_open(url: &str) -> String {
    format!("<a href=\"{}\" target=\"_blank\" rel=\"noopener noreferrer\">", href(url))
}

/// Text that must show exactly as written (a client's message from a messenger), as
/// markdown: every character that markdown would read as formatting is escaped, and so
/// are the marks a line may start with (headings, lists, quotes, rules, indented code).
/// Plain URLs are left as they are: they become links whole. `line_start` tells whether
/// `text` starts a line (or continues one).
pub fn literal(text: &str, line_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let body = if i > 0 || line_start { escape_line_start(line, &mut out) } else { line };
        let mut rest = body;
        while let Some(at) = find_url(rest) {
            let end = at + url_len(&rest[at..]);
            escape_chars(&rest[..at], &mut out);
            out.push_str(&rest[at..end]);
            rest = &rest[end..];
        }
        escape_chars(rest, &mut out);
    }
    out
}

/// A place a client shared, as markdown: its name or address (`place`, shown exactly as
/// written) and its coordinates, linked to the map.
pub fn location(place: Option<&str>, lat: f64, lon: f64) -> String {
    let place = place.map(str::trim).filter(|p| !p.is_empty()).map(|p| format!(" {}", literal(p, false)));
    format!(
        "📍 Location:{} [{lat:.5}, {lon:.5}](https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon})",
        place.unwrap_or_default()
    )
}

/// Writes what would make `line` a block (heading, list, quote, rule, indented code)
/// escaped; returns the rest of the line.
fn escape_line_start<'a>(line: &'a str, out: &mut String) -> &'a str {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent >= 4 {
        // Spaces that do not indent: an entity is not indentation.
        out.push_str(&"&#32;".repeat(indent));
    } else {
        out.push_str(&line[..indent]);
    }
    let rest = &line[indent..];
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if (1..=9).contains(&digits) && rest[digits..].starts_with(['.', ')']) {
        // "1. first" or "1) first" would start an ordered list.
        out.push_str(&rest[..digits]);
        out.push('\\');
        return &rest[digits..];
    }
    if rest.starts_with(['#', '-', '+', '=', '|']) {
        out.push('\\');
    }
    rest
}

/// Writes `text` with every character markdown reads inline escaped.
fn escape_chars(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '&' | '!') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Marks each plain `http(s)://` URL outside code and links as an autolink (`<url>`),
/// so that the whole URL becomes one link: its `_`, `*`, `~` or `(` start no emphasis.
/// Where a URL ends follows GitHub's autolink rules: at white space or `<`, without
/// trailing punctuation, and without a closing parenthesis that has no opening one.
fn link_plain_urls(text: &str) -> std::borrow::Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("http://") && !lower.contains("https://") {
        return text.into();
    }
    // Where a URL must stay as it is: code, links, autolinks and raw HTML.
    let mut kept: Vec<std::ops::Range<usize>> = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::Link { .. } | Tag::Image { .. } | Tag::HtmlBlock) => {
                if depth == 0 {
                    start = range.start;
                }
                depth += 1;
            }
            Event::End(TagEnd::CodeBlock | TagEnd::Link | TagEnd::Image | TagEnd::HtmlBlock) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    kept.push(start..range.end);
                }
            }
            Event::Code(_) | Event::InlineHtml(_) | Event::Html(_) if depth == 0 => kept.push(range),
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut done = 0;
    let mut from = 0;
    while let Some(at) = find_url(&text[from..]).map(|i| from + i) {
        if let Some(r) = kept.iter().find(|r| r.contains(&at)) {
            from = r.end.max(at + 1);
            continue;
        }
        let end = at + url_len(&text[at..]);
        out.push_str(&text[done..at]);
        out.push('<');
        out.push_str(&text[at..end]);
        out.push('>');
        done = end;
        from = end;
    }
    out.push_str(&text[done..]);
    out.into()
}

/// The length of the URL at the start of `s` (GitHub's extended autolink rules).
fn url_len(s: &str) -> usize {
    let mut end = s.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`')).unwrap_or(s.len());
    loop {
        let url = &s[..end];
        if url.ends_with(['?', '!', '.', ',', ':', '*', '_', '~', '\'', ';']) && !ends_with_entity(url) {
            end -= 1;
        } else if url.ends_with(';') {
            // `&amp;` and the like at the end are not part of the URL.
            end = url.rfind('&').unwrap_or(end - 1);
        } else if url.ends_with(')') && url.matches(')').count() > url.matches('(').count() {
            end -= 1;
        } else {
            return end;
        }
    }
}

/// Does `url` end with an entity reference such as `&amp;`?
fn ends_with_entity(url: &str) -> bool {
    url.ends_with(';')
        && url.rfind('&').is_some_and(|amp| {
            let name = &url[amp + 1..url.len() - 1];
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

fn find_url(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let at = [lower.find("https://"), lower.find("http://")].into_iter().flatten().min()?;
    // Only at a word start, and with something after the scheme.
    let boundary = at == 0 || !s[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric());
    let scheme_len = if lower[at..].starts_with("https://") { 8 } else { 7 };
    let has_host = s[at + scheme_len..].chars().next().is_some_and(|c| c.is_alphanumeric());
    if boundary && has_host {
        Some(at)
    } else {
        // Skip this occurrence and look further.
        let skip = at + scheme_len;
        find_url(&s[skip..]).map(|next| skip + next)
    }
}

#[cfg(test)]
mod tests;
