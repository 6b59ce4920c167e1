//! Demo data: roles for the seed's four permission cases, users for each, and a
//! website widget channel. Loaded once; a marker in `meta` keeps later starts from
//! loading it again (and from touching anything the users changed since).

use crate::auth::hash_password;
use crate::db::{now_ms, Db};
use crate::error::AppResult;
use rusqlite::{params, OptionalExtension, Transaction};

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "demo";
/// Public key of the demo website channel (it is public by nature: it sits in the
/// page's HTML).
pub const DEMO_WIDGET_KEY: &str = "website-demo";

/// The demo users: login, name, role, administrator.
pub const DEMO_USERS: [(&str, &str, &str, bool); 6] = [
    ("admin", "Administrator", "Full access", true),
    ("anna", "Anna Kovalenko", "Full access", false),
    ("bob", "Bob Marchenko", "Full access", false),
    ("carol", "Carol Shevchenko", "No CRM access", false),
    ("dave", "Dave Bondarenko", "Create only", false),
    ("erin", "Erin Tkachenko", "Own records", false),
];

/// Roles: name, lead create, lead view, contact create, contact view.
const DEMO_ROLES: [(&str, bool, &str, bool, &str); 4] = [
    ("Full access", true, "all", true, "all"),
    ("No CRM access", false, "none", false, "none"),
    ("Create only", true, "none", true, "none"),
    ("Own records", true, "own", true, "own"),
];

/// Loads the demo data unless it was loaded before. Returns whether it loaded now.
pub async fn load_once(db: &Db) -> AppResult<bool> {
    // Hash outside the transaction: argon2 is deliberately slow.
    let hash = hash_password(DEMO_PASSWORD)?;
    db.transaction(move |tx| {
        let loaded: Option<String> =
            tx.query_row("SELECT value FROM meta WHERE key = 'demo_loaded'", [], |r| r.get(0)).optional()?;
        if loaded.is_some() {
            return Ok(false);
        }
        insert(tx, &hash)?;
        tx.execute("INSERT INTO meta (key, value) VALUES ('demo_loaded', ?1)", [now_ms().to_string()])?;
        Ok(true)
    })
    .await
}

fn insert(tx: &Transaction, hash: &str) -> AppResult<()> {
    let now = now_ms();
    for (name, lc, lv, cc, cv) in DEMO_ROLES {
        tx.execute(
            "INSERT OR IGNORE INTO roles (name, lead_create, lead_view, contact_create, contact_view) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![name, lc, lv, cc, cv],
        )?;
    }
    for (login, name, role, admin) in DEMO_USERS {
        tx.execute(
            "INSERT OR IGNORE INTO users (login, name, password_hash, role_id, is_admin, created_at)
             SELECT ?1, ?2, ?3, id, ?4, ?5 FROM roles WHERE name = ?6",
            params![login, name, hash, admin, now, role],
        )?;
    }
    tx.execute(
        "INSERT OR IGNORE INTO channels (kind, name, public_key, created_at) VALUES ('widget', 'Website', ?1, ?2)",
        params![DEMO_WIDGET_KEY, now],
    )?;
    Ok(())
}
