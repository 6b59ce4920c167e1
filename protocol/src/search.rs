//! Search across dialogs: the request, the answer, and the pure rules both sides share
//! (which words a query has, how a matching text is cut and highlighted).

use crate::api::{Author, DialogSummary};
use crate::{MessageId, Millis};
use serde::{Deserialize, Serialize};

/// Fewest characters a search needs (a single letter would match nearly everything).
pub const MIN_QUERY_CHARS: usize = 2;
/// Longest search accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words of a search that count.
pub const MAX_TERMS: usize = 8;
/// Most results of each kind in one answer.
pub const MAX_HITS: usize = 20;
/// Characters of a message shown around its first match.
pub const SNIPPET_CHARS: usize = 160;

/// `GET /api/search?q=...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    pub q: String,
}

/// Dialogs whose client matches, and messages that match, each only where the user may
/// open the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as it was searched.
    pub query: String,
    /// Newest activity first.
    pub dialogs: Vec<DialogHit>,
    /// Best match first.
    pub messages: Vec<MessageHit>,
}

/// A dialog whose client matched: by name, messenger account, phone or email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialogHit {
    pub dialog: DialogSummary,
    /// What matched ("@olena_k", "+380 67 123 4567"...) when it is not the name shown.
    pub matched: Option<String>,
}

/// A message that matched, with the part of it to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageHit {
    pub dialog: DialogSummary,
    pub message_id: MessageId,
    pub author: Author,
    pub created_at: Millis,
    pub snippet: Vec<Span>,
}

/// A piece of a snippet; `hit` pieces are what matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hit: bool,
}

/// The words of a query, lowercased, in order, without repeats: what must all appear
/// (each as a word or the start of one). At most [`MAX_TERMS`].
pub fn terms(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let word = word.to_lowercase();
        if !out.contains(&word) && out.len() < MAX_TERMS {
            out.push(word);
        }
    }
    out
}

/// Checks a query's length; the error says what to change.
pub fn check_query(query: &str) -> Result<&str, String> {
    let query = query.trim();
    let chars = query.chars().count();
    if chars < MIN_QUERY_CHARS || terms(query).is_empty() {
        return Err(format!("Type at least {MIN_QUERY_CHARS} letters or digits to search."));
    }
    if chars > MAX_QUERY_CHARS {
        return Err(format!("The search is too long: at most {MAX_QUERY_CHARS} characters."));
    }
    Ok(query)
}

/// Where the words of `text` start with one of `terms`: byte ranges, in order.
fn matches(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let check = |from: usize, to: usize, out: &mut Vec<(usize, usize)>| {
        let word = text[from..to].to_lowercase();
        // The longest term the word starts with, mapped back onto the original letters.
        if let Some(term) = terms.iter().filter(|t| word.starts_with(t.as_str())).max_by_key(|t| t.len()) {
            let chars = term.chars().count();
            let end = text[from..to].char_indices().nth(chars).map_or(to, |(i, _)| from + i);
            out.push((from, end));
        }
    };
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                check(s, i, &mut out);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        check(s, text.len(), &mut out);
    }
    out
}

/// Up to [`SNIPPET_CHARS`] of `text` around its first match, cut at word bounds and
/// marked with "…" where cut, split into plain and matching spans.
pub fn snippet(text: &str, terms: &[String]) -> Vec<Span> {
    let found = matches(text, terms);
    let first = found.first().map_or(0, |m| m.0);
    // Start a little before the first match, at a word's start.
    let lead = text[..first].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
    let from = if lead == 0 { 0 } else { text[lead..first].find(' ').map_or(lead, |s| lead + s + 1) };
    let to = text[from..].char_indices().nth(SNIPPET_CHARS).map_or(text.len(), |(i, _)| from + i);
    let to = if to < text.len() { text[from..to].rfind(' ').map_or(to, |s| from + s).max(first.min(to)) } else { to };
    let mut spans = Vec::new();
    let mut push = |text: &str, hit: bool| {
        if !text.is_empty() {
            spans.push(Span { text: text.to_string(), hit });
        }
    };
    if from > 0 {
        push("…", false);
    }
    let mut at = from;
    for (s, e) in found.into_iter().filter(|&(s, e)| s >= from && e <= to) {
        push(&text[at..s], false);
        push(&text[s..e], true);
        at = e;
    }
    push(&text[at..to], false);
    if to < text.len() {
        push("…", false);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(spans: &[Span]) -> String {
        spans.iter().map(|s| if s.hit { format!("[{}]", s.text) } else { s.text.clone() }).collect()
    }

    #[test]
    fn a_query_is_its_distinct_words_lowercased() {
        assert_eq!(terms("Олена  ОЛЕНА, pay-ment!"), ["олена", "pay", "ment"]);
        assert_eq!(terms("  ...  "), Vec::<String>::new());
        assert_eq!(terms("a b c d e f g h i j").len(), MAX_TERMS);
    }

    #[test]
    fn queries_are_bounded_with_a_clear_reason() {
        assert_eq!(check_query("  delivery "), Ok("delivery"));
        assert!(check_query("x").unwrap_err().contains("at least 2"));
        assert!(check_query("--").unwrap_err().contains("at least 2"));
        assert!(check_query(&"й".repeat(201)).unwrap_err().contains("too long"));
    }

    #[test]
    fn matches_are_word_starts_highlighted_as_written() {
        let t = terms("deliv київ");
        assert_eq!(shown(&snippet("Delivery to Київ, redelivery later", &t)), "[Deliv]ery to [Київ], redelivery later");
    }

    #[test]
    fn a_long_text_is_cut_around_its_first_match() {
        let text = format!("{} the parcel number is 42 {}", "word ".repeat(60), "tail ".repeat(60));
        let spans = snippet(&text, &terms("parcel"));
        let s = shown(&spans);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("[parcel] number is 42"), "{s}");
        let chars: usize = spans.iter().map(|s| s.text.chars().count()).sum();
        assert!(chars <= SNIPPET_CHARS + 2, "{chars}");
        assert!(!s.contains("wor…") && !s.starts_with("…ord"), "cut at word bounds: {s}");
    }

    #[test]
    fn a_text_without_a_match_shows_its_start() {
        assert_eq!(shown(&snippet("Hello there", &terms("zzz"))), "Hello there");
    }
}
