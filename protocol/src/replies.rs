//! Quick replies: saved answers, shared by administrators or kept by one operator, that
//! `/` in the composer finds and inserts with their variables filled in.

use serde::{Deserialize, Serialize};

/// Longest title of a quick reply, in characters.
pub const MAX_REPLY_TITLE_CHARS: usize = 80;
/// Quick replies one user may keep for themselves (and administrators may share).
pub const MAX_REPLIES: usize = 500;
/// Quick replies the composer lists at once.
pub const LISTED_REPLIES: usize = 8;

/// `GET /api/quick-replies`: the shared ones and the reader's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReply {
    pub id: i64,
    pub title: String,
    pub text: String,
    /// Everyone's (managed by administrators); otherwise the reader's own.
    pub shared: bool,
}

/// `POST /api/quick-replies`, `PUT /api/quick-replies/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyInput {
    pub title: String,
    pub text: String,
    #[serde(default)]
    pub shared: bool,
}

/// What variables stand for in one chat.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    pub client_name: String,
    pub operator_name: String,
    pub channel_name: String,
}

impl Variables {
    /// The variables a reply may use, as shown to whoever writes one.
    pub const NAMES: [&'static str; 3] = ["{client_name}", "{operator_name}", "{channel_name}"];

    /// `text` with each known variable replaced; anything else in braces stays as written.
    pub fn fill(&self, text: &str) -> String {
        text.replace("{client_name}", &self.client_name)
            .replace("{operator_name}", &self.operator_name)
            .replace("{channel_name}", &self.channel_name)
    }
}

/// The replies matching what follows `/` (in title or text, any case), those whose
/// title starts with it first, each group in title order; at most [`LISTED_REPLIES`].
pub fn matching<'a>(replies: &'a [QuickReply], query: &str) -> Vec<&'a QuickReply> {
    let query = query.trim().to_lowercase();
    let mut found: Vec<(bool, String, &QuickReply)> = replies
        .iter()
        .filter_map(|r| {
            let title = r.title.to_lowercase();
            let hit = title.contains(&query) || r.text.to_lowercase().contains(&query);
            hit.then(|| (!title.starts_with(&query), title, r))
        })
        .collect();
    found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    found.into_iter().take(LISTED_REPLIES).map(|(_, _, r)| r).collect()
}

/// The quick-reply search a draft asks for: the text after a leading `/` on one line.
pub fn reply_query(draft: &str) -> Option<&str> {
    draft.strip_prefix('/').filter(|q| !q.contains('\n') && q.chars().count() <= MAX_REPLY_TITLE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(id: i64, title: &str, text: &str) -> QuickReply {
        QuickReply { id, title: title.into(), text: text.into(), shared: id % 2 == 0 }
    }

    #[test]
    fn titles_that_start_with_the_query_come_first() {
        let all = [
            reply(1, "Thanks", "Thank you for writing, {client_name}!"),
            reply(2, "Delivery times", "We deliver in 2 days."),
            reply(3, "Greeting", "Hello! This is {operator_name} from {channel_name}."),
            reply(4, "Returns", "Free returns within 14 days of delivery."),
        ];
        let titles = |q: &str| matching(&all, q).into_iter().map(|r| r.title.as_str()).collect::<Vec<_>>();
        assert_eq!(titles(""), ["Delivery times", "Greeting", "Returns", "Thanks"]);
        assert_eq!(titles("DEL"), ["Delivery times", "Returns"], "title first, then text");
        assert_eq!(titles("nothing like it"), Vec::<&str>::new());
        let many: Vec<QuickReply> = (0..20).map(|i| reply(i, &format!("R{i:02}"), "")).collect();
        assert_eq!(matching(&many, "r").len(), LISTED_REPLIES);
    }

    #[test]
    fn variables_are_filled_and_unknown_braces_stay() {
        let vars = Variables {
            client_name: "Olena".into(),
            operator_name: "Anna Kovalenko".into(),
            channel_name: "Website".into(),
        };
        assert_eq!(
            vars.fill("Hello {client_name}! This is {operator_name} from {channel_name}. {order_id} {client_name}"),
            "Hello Olena! This is Anna Kovalenko from Website. {order_id} Olena"
        );
    }

    #[test]
    fn only_a_leading_slash_on_one_line_searches() {
        assert_eq!(reply_query("/thanks"), Some("thanks"));
        assert_eq!(reply_query("/"), Some(""));
        assert_eq!(reply_query("see /thanks"), None);
        assert_eq!(reply_query("/a\nb"), None);
    }
}
