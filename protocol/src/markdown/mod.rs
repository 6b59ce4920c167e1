//! Message markdown to safe HTML, for operators' and clients' screens alike.
//!
//! Message text is hostile. Rendering it: raw HTML is shown as text; links keep only
//! `http`, `https` and `mailto` destinations and open in a new tab without an opener;
//! images load only from our own file store (others show their description as text);
//! plain `http(s)://` URLs become links; a single new line is a line break, as in any
//! chat. Everything else is escaped by pulldown-cmark.

pub mod edit;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
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

/// Renders message markdown to HTML that is safe to insert into a page.
pub fn to_safe_html(text: &str) -> String {
    // Each open link or image: whether we kept it (its end tag is dropped otherwise).
    let mut open: Vec<bool> = Vec::new();
    let mut links = 0usize; // kept links we are inside of (no autolinks there)
    let mut in_image = false; // inside a kept image: text goes into its alt attribute
    let mut out: Vec<Event> = Vec::new();
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
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
                    links += 1;
                }
                open.push(keep);
            }
            Event::End(TagEnd::Link) => {
                if open.pop().unwrap_or(false) {
                    out.push(Event::Html("</a>".into()));
                    links -= 1;
                }
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                let keep = is_own_file(&dest_url);
                if keep {
                    out.push(Event::Html(
                        format!("<img src=\"{}\" title=\"{}\" alt=\"", href(&dest_url), escape_text(&title)).into(),
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
            Event::Text(t) if links == 0 => autolink(t, &mut out),
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

/// Splits plain text around `http(s)://` URLs, turning those into links.
fn autolink<'a>(text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
    let s: &str = &text;
    let mut rest = s;
    let mut found = false;
    while let Some(start) = find_url(rest) {
        found = true;
        let candidate = &rest[start..];
        let len =
            candidate.find(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"').unwrap_or(candidate.len());
        let url = candidate[..len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'']);
        if !rest[..start].is_empty() {
            out.push(Event::Text(rest[..start].to_string().into()));
        }
        out.push(Event::Html(link_open(url).into()));
        out.push(Event::Text(url.to_string().into()));
        out.push(Event::Html("</a>".into()));
        rest = &rest[start + url.len()..];
    }
    if !found {
        out.push(Event::Text(text));
    } else if !rest.is_empty() {
        out.push(Event::Text(rest.to_string().into()));
    }
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
