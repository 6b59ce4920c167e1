//! Search across dialogs (SQL only): clients by name, messenger account, phone or email,
//! and messages by their words, each limited to dialogs the reader may open.

use crate::auth::store::CurrentUser;
use crate::dialogs::store as dialogs;
use crate::error::AppResult;
use crate::sql::ToSql;
use crate::sql::{Connection, Dialect};
use el_protocol::api::{DialogSummary, Message};
use el_protocol::inbox::may_open;
use el_protocol::permissions::ViewScope;
use el_protocol::search::MAX_HITS;
use el_protocol::{ClientId, DialogId, MessageId};

/// The dialogs `:user` may open, for a query over `dialogs d JOIN client_accounts a`
/// (the rule of `el_protocol::inbox::may_open`, checked again on every result).
const VISIBLE: &str = "(:others
    OR (d.state = 'unassigned' AND (d.offered_to IS NULL OR d.offered_to = :user))
    OR (d.state = 'active' AND EXISTS (SELECT 1 FROM dialog_members x WHERE x.dialog_id = d.id AND x.user_id = :user))
    OR (d.state = 'ended'
        AND EXISTS (SELECT 1 FROM dialog_participants x WHERE x.dialog_id = d.id AND x.user_id = :user))
    OR EXISTS (SELECT 1 FROM crm_links k JOIN crm_records r ON r.id = k.record_id
               WHERE k.client_id = a.client_id AND (k.only_dialog_id IS NULL OR k.only_dialog_id = d.id)
                 AND r.responsible_id = :user
                 AND ((:leads_own AND r.entity IN ('lead', 'deal'))
                      OR (:contacts_own AND r.entity IN ('contact', 'company')))))";

/// CRM records `:user` may view, for a query over `crm_records r`.
const RECORD_VISIBLE: &str =
    "((r.entity IN ('lead', 'deal') AND (:leads_all OR (:leads_own AND r.responsible_id = :user)))
    OR (r.entity IN ('contact', 'company') AND (:contacts_all OR (:contacts_own AND r.responsible_id = :user))))";

/// Candidate rows read before results are grouped and checked.
const CANDIDATES: usize = 200;

/// The reader's rights as the queries' named parameters.
struct Rights {
    user: i64,
    others: bool,
    leads_all: bool,
    leads_own: bool,
    contacts_all: bool,
    contacts_own: bool,
}

impl Rights {
    fn of(reader: &CurrentUser) -> Rights {
        let access = &reader.access;
        Rights {
            user: reader.id().0,
            others: access.can_open_others_dialogs(),
            leads_all: access.leads.view == ViewScope::All,
            leads_own: access.leads.view == ViewScope::Own,
            contacts_all: access.contacts.view == ViewScope::All,
            contacts_own: access.contacts.view == ViewScope::Own,
        }
    }

    /// The parameters `sql` names: the rights' and `more`.
    fn params<'a>(&'a self, sql: &str, more: &[(&'static str, &'a dyn ToSql)]) -> Vec<(&'static str, &'a dyn ToSql)> {
        let mut all: Vec<(&'static str, &dyn ToSql)> = vec![
            (":user", &self.user),
            (":others", &self.others),
            (":leads_all", &self.leads_all),
            (":leads_own", &self.leads_own),
            (":contacts_all", &self.contacts_all),
            (":contacts_own", &self.contacts_own),
        ];
        all.extend_from_slice(more);
        all.retain(|(name, _)| sql.contains(name));
        all
    }
}

/// A dialog whose client matched, and what matched when it was not the name.
pub struct ClientHit {
    pub dialog: DialogSummary,
    pub matched: Option<String>,
}

/// What the client search looks for.
pub struct ClientQuery<'a> {
    /// `"word" "word"` for the trigram index (each word at least 3 characters), or
    /// `None` when no word is long enough.
    pub words: Option<&'a str>,
    /// `%text%` for emails, or `None`.
    pub email: Option<&'a str>,
    /// `%digits%` for phones, or `None`.
    pub phone: Option<&'a str>,
}

/// Dialogs whose client (or the name an operator gave the dialog) matches, the newest
/// dialog of each client, newest first.
pub fn clients(conn: &Connection, reader: &CurrentUser, query: &ClientQuery) -> AppResult<Vec<ClientHit>> {
    let rights = Rights::of(reader);
    // (dialog, client, last activity, what matched)
    let mut rows: Vec<(DialogId, ClientId, i64, Option<String>)> = Vec::new();
    if let Some(words) = query.words {
        // Each word anywhere in the name or accounts: SQLite's trigram index takes the
        // quoted words as they are; PostgreSQL's (pg_trgm) serves one ILIKE per word.
        let patterns: Vec<String> = quoted(words).map(|w| format!("%{w}%")).collect();
        let named: Vec<(&'static str, &dyn ToSql)> = match conn.dialect() {
            Dialect::Sqlite => vec![(":words", &words)],
            Dialect::Postgres => WORDS.iter().zip(&patterns).map(|(name, p)| (*name, p as &dyn ToSql)).collect(),
        };
        let (client_match, name_match) = match conn.dialect() {
            Dialect::Sqlite => ("client_search MATCH :words".to_string(), "dialog_names MATCH :words".to_string()),
            Dialect::Postgres => (
                each_word(&named, "(s.name || ' ' || s.accounts) LIKE"),
                format!("d.name IS NOT NULL AND {}", each_word(&named, "d.name LIKE")),
            ),
        };
        let (clients_from, names_from) = match conn.dialect() {
            Dialect::Sqlite => (
                "client_search s JOIN client_accounts a ON a.client_id = s.rowid",
                "dialog_names n JOIN dialogs d ON d.id = n.rowid",
            ),
            Dialect::Postgres => ("client_search s JOIN client_accounts a ON a.client_id = s.client_id", "dialogs d"),
        };
        let sql = format!(
            "SELECT d.id, a.client_id, d.last_activity_at, s.name, s.accounts FROM {clients_from}
             JOIN dialogs d ON d.account_id = a.id
             WHERE {client_match} AND {VISIBLE}
             ORDER BY d.last_activity_at DESC LIMIT {CANDIDATES}"
        );
        let params = rights.params(&sql, &named);
        let mut stmt = conn.prepare_cached(&sql)?;
        let found = stmt.query_map(params.as_slice(), |r| {
            let (name, accounts): (String, String) = (r.get(3)?, r.get(4)?);
            Ok((DialogId(r.get(0)?), ClientId(r.get(1)?), r.get(2)?, name, accounts))
        })?;
        for row in found {
            let (dialog, client, at, name, accounts) = row?;
            // The name alone may not hold every word: then the accounts are what matched.
            let shown = (!words_in(words, &name)).then_some(accounts);
            rows.push((dialog, client, at, shown));
        }
        // Dialogs renamed by an operator: the name they gave is the result's title.
        let sql = format!(
            "SELECT d.id, a.client_id, d.last_activity_at FROM {names_from}
             JOIN client_accounts a ON a.id = d.account_id
             WHERE {name_match} AND {VISIBLE}
             ORDER BY d.last_activity_at DESC LIMIT {CANDIDATES}"
        );
        let params = rights.params(&sql, &named);
        let mut stmt = conn.prepare_cached(&sql)?;
        let found = stmt.query_map(params.as_slice(), |r| Ok((DialogId(r.get(0)?), ClientId(r.get(1)?), r.get(2)?)))?;
        for row in found {
            let (dialog, client, at) = row?;
            rows.push((dialog, client, at, None));
        }
    }
    if query.email.is_some() || query.phone.is_some() {
        let sql = format!(
            "SELECT d.id, a.client_id, d.last_activity_at, r.phone, r.email FROM crm_records r
             JOIN crm_links k ON k.record_id = r.id
             JOIN client_accounts a ON a.client_id = k.client_id
             JOIN dialogs d ON d.account_id = a.id AND (k.only_dialog_id IS NULL OR k.only_dialog_id = d.id)
             WHERE ((CAST(:email AS TEXT) IS NOT NULL AND r.email LIKE :email ESCAPE '\\')
                    OR (CAST(:phone AS TEXT) IS NOT NULL AND r.phone != ''
                        AND replace(replace(replace(replace(replace(replace(r.phone, ' ', ''), '-', ''), '(', ''),
                            ')', ''), '+', ''), '.', '') LIKE :phone))
               AND {RECORD_VISIBLE} AND {VISIBLE}
             ORDER BY d.last_activity_at DESC LIMIT {CANDIDATES}"
        );
        let params = rights.params(&sql, &[(":email", &query.email), (":phone", &query.phone)]);
        let mut stmt = conn.prepare_cached(&sql)?;
        let found = stmt.query_map(params.as_slice(), |r| {
            let (phone, email): (String, String) = (r.get(3)?, r.get(4)?);
            Ok((DialogId(r.get(0)?), ClientId(r.get(1)?), r.get(2)?, phone, email))
        })?;
        for row in found {
            let (dialog, client, at, phone, email) = row?;
            let shown = if query.phone.is_some() && !phone.is_empty() { phone } else { email };
            rows.push((dialog, client, at, Some(shown)));
        }
    }
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(b.0.cmp(&a.0)));
    let mut seen = Vec::new();
    let mut hits = Vec::new();
    for (dialog, client, _, matched) in rows {
        if seen.contains(&client) || hits.len() == MAX_HITS {
            continue;
        }
        seen.push(client);
        if let Some(dialog) = dialogs::summary(conn, dialog)?.filter(|d| may_open(d, reader.id(), &reader.access)) {
            hits.push(ClientHit { dialog, matched });
        }
    }
    Ok(hits)
}

/// The quoted words of a query (`"word" "word"*`).
fn quoted(query: &str) -> impl Iterator<Item = &str> {
    query.split('"').skip(1).step_by(2).take(WORDS.len())
}

/// Named parameters for the words of a query on PostgreSQL (no more than
/// `el_protocol::search::MAX_TERMS` words come).
const WORDS: [&str; el_protocol::search::MAX_TERMS] = [":w0", ":w1", ":w2", ":w3", ":w4", ":w5", ":w6", ":w7"];

/// `test :w0 AND test :w1 ...` for each word's parameter in `named`.
fn each_word(named: &[(&'static str, &dyn ToSql)], test: &str) -> String {
    named.iter().map(|(name, _)| format!("{test} {name}")).collect::<Vec<_>>().join(" AND ")
}

/// Whether every quoted word of a trigram query is in `text` (case folded).
fn words_in(words: &str, text: &str) -> bool {
    let text = text.to_lowercase();
    quoted(words).all(|w| text.contains(&w.to_lowercase()))
}

/// The newest matches ranked against each other: a common word matches hundreds of
/// thousands of messages, and ranking them all would take most of a second.
const RANKED_WINDOW: usize = 500;

/// Messages matching the full-text query `fts`, with their dialogs: the best (BM25) of
/// the newest [`RANKED_WINDOW`] matches the reader may see, best first.
pub fn messages(conn: &Connection, reader: &CurrentUser, fts: &str) -> AppResult<Vec<(DialogSummary, Message)>> {
    let rights = Rights::of(reader);
    let sql = match conn.dialect() {
        Dialect::Sqlite => format!(
            "SELECT id FROM (
                 SELECT m.id AS id, f.rank AS rank FROM messages_fts f
                 JOIN messages m ON m.id = f.rowid
                 JOIN dialogs d ON d.id = m.dialog_id
                 JOIN client_accounts a ON a.id = d.account_id
                 WHERE messages_fts MATCH :fts AND {VISIBLE}
                 ORDER BY f.rowid DESC LIMIT {RANKED_WINDOW})
             ORDER BY rank, id DESC LIMIT {MAX_HITS}"
        ),
        // The expression and condition of the `messages_words` index (words without
        // their accents, as FTS5's remove_diacritics).
        Dialect::Postgres => format!(
            "SELECT id FROM (
                 SELECT m.id AS id, ts_rank(to_tsvector('simple', el_fold(m.body)), q) AS rank
                 FROM messages m CROSS JOIN to_tsquery('simple', el_fold(:fts)) q
                 JOIN dialogs d ON d.id = m.dialog_id
                 JOIN client_accounts a ON a.id = d.account_id
                 WHERE m.author_kind != 'system' AND to_tsvector('simple', el_fold(m.body)) @@ q AND {VISIBLE}
                 ORDER BY m.id DESC LIMIT {RANKED_WINDOW}) AS newest
             ORDER BY rank DESC, id DESC LIMIT {MAX_HITS}"
        ),
    };
    // PostgreSQL's query: every word as the start of a word, quoted as a lexeme.
    let fts = match conn.dialect() {
        Dialect::Sqlite => fts.to_string(),
        Dialect::Postgres => quoted(fts)
            .map(|w| format!("'{}':*", w.replace('\\', "\\\\").replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(" & "),
    };
    let params = rights.params(&sql, &[(":fts", &fts)]);
    let ids: Vec<MessageId> = conn
        .prepare_cached(&sql)?
        .query_map(params.as_slice(), |r| Ok(MessageId(r.get(0)?)))?
        .collect::<Result<_, _>>()?;
    let mut hits = Vec::with_capacity(ids.len());
    for id in ids {
        let message = dialogs::message(conn, id)?;
        let dialog = dialogs::summary(conn, message.dialog_id)?;
        if let Some(dialog) = dialog.filter(|d| may_open(d, reader.id(), &reader.access)) {
            hits.push((dialog, message));
        }
    }
    Ok(hits)
}
