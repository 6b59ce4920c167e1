//! `GET /api/search?q=...`: one search over the user's dialogs, their clients (name,
//! messenger account, phone, email) and the words of their messages.

pub mod store;

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use el_protocol::markdown::to_plain_text;
use el_protocol::search::{check_query, snippet, terms, DialogHit, MessageHit, SearchQuery, SearchResults};
use store::ClientQuery;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

/// Fewest characters of a word the client index can look for.
const TRIGRAM: usize = 3;
/// Fewest digits that search phones.
const PHONE_DIGITS: usize = 5;

/// The full-text query for messages: every word, as a word or the start of one.
fn message_query(terms: &[String]) -> String {
    terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" ")
}

/// The client index's query: every word long enough, anywhere in the name or accounts.
fn client_words(terms: &[String]) -> Option<String> {
    let long: Vec<String> = terms.iter().filter(|t| t.chars().count() >= TRIGRAM).map(|t| format!("\"{t}\"")).collect();
    (!long.is_empty()).then(|| long.join(" "))
}

/// `%query%` for emails, when the query could be part of one.
fn email_pattern(query: &str) -> Option<String> {
    let escaped: String =
        query.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    (query.chars().count() >= TRIGRAM && !query.contains(char::is_whitespace)).then(|| format!("%{escaped}%"))
}

/// `%digits%` for phones, when the query is written like (part of) a phone number.
fn phone_pattern(query: &str) -> Option<String> {
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let phone_like = query.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    (phone_like && digits.len() >= PHONE_DIGITS).then(|| format!("%{digits}%"))
}

async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> AppResult<Json<SearchResults>> {
    user.require_lines()?;
    let Query(SearchQuery { q }) =
        query.map_err(|_| AppError::BadRequest("Say what to search for (?q=...).".into()))?;
    let q = check_query(&q).map_err(AppError::BadRequest)?.to_string();
    let terms = terms(&q);
    let (fts, words, email, phone) =
        (message_query(&terms), client_words(&terms), email_pattern(&q), phone_pattern(&q));
    let reader = user.clone();
    let (clients, messages) = state
        .db
        .read(move |conn| {
            let clients = ClientQuery { words: words.as_deref(), email: email.as_deref(), phone: phone.as_deref() };
            Ok((store::clients(conn, &reader, &clients)?, store::messages(conn, &reader, &fts)?))
        })
        .await?;
    let dialogs = clients.into_iter().map(|hit| DialogHit { dialog: hit.dialog, matched: hit.matched }).collect();
    let messages = messages
        .into_iter()
        .map(|(dialog, message)| MessageHit {
            snippet: snippet(&to_plain_text(&message.text), &terms),
            dialog,
            message_id: message.id,
            author: message.author,
            created_at: message.created_at,
        })
        .collect();
    Ok(Json(SearchResults { query: q, dialogs, messages }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_index_gets_the_query_it_understands() {
        let t = terms("Ol пошта");
        assert_eq!(message_query(&t), r#""ol"* "пошта"*"#);
        assert_eq!(client_words(&t).as_deref(), Some(r#""пошта""#), "two letters are too few for the client index");
        assert_eq!(client_words(&terms("ol")), None);
        assert_eq!(email_pattern("olena_k@"), Some(r"%olena\_k@%".into()));
        assert_eq!(email_pattern("olena k"), None);
        assert_eq!(phone_pattern("+380 (67) 123-45"), Some("%3806712345%".into()));
        assert_eq!(phone_pattern("067 1"), None, "too few digits");
        assert_eq!(phone_pattern("order 12345"), None, "words are not phones");
    }
}
