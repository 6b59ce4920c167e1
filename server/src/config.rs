//! Server configuration, from the command line or the environment.

use clap::Parser;
use std::net::IpAddr;
use std::path::PathBuf;

/// External Lines server.
#[derive(Debug, Clone, Parser)]
#[command(name = "external-lines-server", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// The database, created or migrated on start: a SQLite file (a plain path or
    /// `sqlite://path`), or `postgres://user:password@host:port/name` for PostgreSQL
    /// (several instances may share one).
    #[arg(long = "db", env = "DATABASE_URL", default_value = "data/external-lines.db")]
    pub database: String,
    /// Where uploaded files are kept.
    #[arg(long, env = "FILES_DIR", default_value = "data/files")]
    pub files_dir: PathBuf,
    /// The built operator SPA (Trunk's dist).
    #[arg(long, env = "SPA_DIR", default_value = "dist")]
    pub spa_dir: PathBuf,
    /// The built website widget (its Trunk dist).
    #[arg(long, env = "WIDGET_DIR", default_value = "widget/dist")]
    pub widget_dir: PathBuf,
    /// Load the demo users, roles and channel (once: skipped when already loaded).
    #[arg(long, env = "DEMO", default_value_t = false)]
    pub demo: bool,
    /// Also load this many realistic demo dialogs (for trying large inboxes and for the
    /// benchmarks); only the ones missing are added on later starts.
    #[arg(long, env = "DEMO_DIALOGS", default_value_t = 0)]
    pub demo_dialogs: u32,
    /// Extra origins allowed to call state-changing endpoints and open sockets, besides
    /// the server's own (comma separated, e.g. `https://inbox.example.com`).
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    #[arg(long, env = "SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Largest file that may be attached to a message, in megabytes.
    #[arg(long, env = "MAX_FILE_MB", default_value_t = el_protocol::api::DEFAULT_MAX_FILE_MB)]
    pub max_file_mb: u64,
    /// Most files one message may carry.
    #[arg(long, env = "MAX_FILES", default_value_t = el_protocol::api::DEFAULT_MAX_FILES)]
    pub max_files: usize,
    /// How long a sign-in lasts, in days.
    #[arg(long, env = "SESSION_DAYS", default_value_t = 30)]
    pub session_days: u32,
    /// The address messengers reach this server at (e.g. `https://inbox.example.com`,
    /// or `https://space.example.com/space/lines` under a base path); webhooks are
    /// registered under it. Telegram needs HTTPS on port 443, 80, 88 or 8443.
    #[arg(long, env = "PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// The Telegram Bot API server (a local one, or a test double).
    #[arg(long, env = "TELEGRAM_API", default_value = "https://api.telegram.org")]
    pub telegram_api: String,
    /// Viber's REST bot API server (a test double in tests).
    #[arg(long, env = "VIBER_API", default_value = "https://chatapi.viber.com")]
    pub viber_api: String,
    /// Meta's Graph API, which serves the WhatsApp Cloud API (a test double in tests).
    #[arg(long, env = "GRAPH_API", default_value = "https://graph.facebook.com/v21.0")]
    pub graph_api: String,
    /// How many of the newest events the server keeps in memory for sockets that
    /// reconnect; a client further behind than that reloads its snapshot instead.
    #[arg(long, env = "REPLAY_EVENTS", default_value_t = 10_000)]
    pub replay_events: usize,
    /// Behind a reverse proxy: the request header in which the proxy passes the
    /// client's address (e.g. `X-Forwarded-For`, whose last entry is used, or
    /// `X-Real-IP`). Throttles count per address; without it, the peer's address counts.
    /// Set it only behind a proxy that sets the header, or clients could pick their own.
    #[arg(long, env = "TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<String>,
    /// Connections one address may hold open at once (browsers use a few per tab; a
    /// whole office behind one address needs more). Not applied behind a trusted proxy.
    #[arg(long, env = "MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 1000)]
    pub max_connections_per_address: usize,
    /// Website chats one address may start per hour (more are refused with a message).
    #[arg(long, env = "WIDGET_SESSIONS_PER_HOUR", default_value_t = 60)]
    pub widget_sessions_per_hour: u32,
    /// Messages one website visitor may send per minute; one address may send ten
    /// times as many.
    #[arg(long, env = "WIDGET_MESSAGES_PER_MINUTE", default_value_t = 30)]
    pub widget_messages_per_minute: u32,
    /// Megabytes of files the visitors of one website chat channel may upload per hour
    /// (beyond it, uploads are refused with a message until the hour has passed).
    #[arg(long, env = "WIDGET_UPLOAD_MB_PER_HOUR", default_value_t = 2048)]
    pub widget_upload_mb_per_hour: u64,
    /// Embed sessions one API key may open per minute (a host asks for one per page
    /// view or token renewal; more are refused with a message until the minute passes).
    #[arg(long, env = "EMBED_SESSIONS_PER_MINUTE", default_value_t = 600)]
    pub embed_sessions_per_minute: u32,
    /// With the demo data: also serve a demo host on this port (0 picks a free one), a
    /// small "Space CRM" on a second origin that embeds our components.
    #[arg(long, env = "EMBED_DEMO_PORT")]
    pub embed_demo_port: Option<u16>,
    /// First wait before a message a messenger could not take is retried, in
    /// milliseconds; it doubles with each attempt, up to 30 seconds.
    #[arg(long, env = "OUTBOX_RETRY_MS", default_value_t = 2000)]
    pub outbox_retry_ms: u64,
    /// The path everything is served under when a host site (or its reverse proxy)
    /// gives External Lines a part of its own address space, e.g. `/space/lines`: the
    /// inbox is then at `/space/lines/`, the API at `/space/lines/api/`. Empty: the root.
    #[arg(long, env = "BASE_PATH", default_value = "", value_parser = parse_base_path)]
    pub base_path: String,
}

/// `""` or `/segment[/segment...]` of URL-safe characters, without a trailing slash
/// (`/` alone is the root, `""`).
fn parse_base_path(raw: &str) -> Result<String, String> {
    let path = raw.trim().trim_end_matches('/');
    let segment_ok = |s: &str| {
        !s.is_empty() && s != "." && s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    };
    match path.strip_prefix('/') {
        None if path.is_empty() => Ok(String::new()),
        Some(rest) if rest.split('/').all(segment_ok) => Ok(path.to_string()),
        _ => Err(format!(
            "{raw:?} is not a base path: write it as /name or /name/name (letters, digits, - . _ ~), e.g. /space/lines"
        )),
    }
}

/// An `http(s)://host[:port][/path]` address, without its trailing slash.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['?', '#', ' ']) => Ok(url.to_string()),
        _ => Err(format!("{raw:?} is not an http(s):// address")),
    }
}

impl Config {
    /// The SQLite file path, with any `sqlite://` or `sqlite:` prefix removed.
    pub fn database_path(&self) -> PathBuf {
        crate::db::sqlite_path(&self.database)
    }

    /// What may be attached to one message.
    pub fn upload_limits(&self) -> el_protocol::api::UploadLimits {
        el_protocol::api::UploadLimits { max_file_bytes: self.max_file_mb * 1024 * 1024, max_files: self.max_files }
    }

    /// [`Config::public_url`] with the base path at its end (added when not written).
    pub fn public_address(&self) -> Option<String> {
        let url = self.public_url.as_deref()?;
        let path_given = url.ends_with(&self.base_path);
        Some(if path_given { url.to_string() } else { format!("{url}{}", self.base_path) })
    }

    /// The path the session cookie is sent on: the base path, or the whole site.
    pub fn cookie_path(&self) -> &str {
        if self.base_path.is_empty() {
            "/"
        } else {
            &self.base_path
        }
    }

    /// A configuration for tests and embedding: defaults, with the given database.
    pub fn for_database(path: impl Into<PathBuf>) -> Self {
        let mut config = Config::parse_from(["external-lines-server"]);
        config.database = path.into().to_string_lossy().into_owned();
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_are_checked_and_written_one_way() {
        for (raw, path) in [("", ""), ("/", ""), ("/space/lines", "/space/lines"), ("/space/lines/", "/space/lines")] {
            assert_eq!(parse_base_path(raw).as_deref(), Ok(path), "{raw:?}");
        }
        for raw in ["space", "/space//lines", "/a b", "/../etc", "/x?y", "/x\"\u{3c}", "//evil.example"] {
            assert!(parse_base_path(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn the_public_address_ends_with_the_base_path() {
        let mut c = Config::for_database("x.db");
        c.public_url = Some("https://space.example".into());
        assert_eq!(c.public_address().as_deref(), Some("https://space.example"));
        c.base_path = "/space/lines".into();
        assert_eq!(c.public_address().as_deref(), Some("https://space.example/space/lines"));
        c.public_url = Some("https://space.example/space/lines".into());
        assert_eq!(c.public_address().as_deref(), Some("https://space.example/space/lines"));
        assert_eq!(c.cookie_path(), "/space/lines");
    }

    #[test]
    fn database_url_forms() {
        let mut c = Config::for_database("x.db");
        assert_eq!(c.database_path(), PathBuf::from("x.db"));
        c.database = "sqlite://data/a.db?mode=rwc".into();
        assert_eq!(c.database_path(), PathBuf::from("data/a.db"));
        c.database = "sqlite:b.db".into();
        assert_eq!(c.database_path(), PathBuf::from("b.db"));
    }

    #[test]
    fn public_urls() {
        assert_eq!(parse_public_url("https://inbox.example.com/").unwrap(), "https://inbox.example.com");
        assert_eq!(parse_public_url(" http://127.0.0.1:8080/lines ").unwrap(), "http://127.0.0.1:8080/lines");
        for bad in ["", "inbox.example.com", "ftp://x", "https://", "https://a b", "https://x?y=1"] {
            assert!(parse_public_url(bad).is_err(), "{bad:?}");
        }
    }
}
