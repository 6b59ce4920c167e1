//! Demo data: roles for the seed's four permission cases, users for each, and a
//! website widget channel. Loaded once; a marker in `meta` keeps later starts from
//! loading it again (and from touching anything the users changed since).

use crate::auth::hash_password;
use crate::db::{now_ms, Db};
use crate::error::AppResult;
use crate::sql::{params, Connection, OptionalExtension};

/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "demo";
/// Public key of the demo website channel (it is public by nature: it sits in the
/// page's HTML).
pub const DEMO_WIDGET_KEY: &str = "website-demo";
/// Public key of a second demo widget channel (the shop's pages), where returning
/// visitors are recognized.
pub const DEMO_SHOP_KEY: &str = "shop-demo";

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

fn insert(tx: &Connection, hash: &str) -> AppResult<()> {
    let now = now_ms();
    for (name, lc, lv, cc, cv) in DEMO_ROLES {
        tx.execute(
            "INSERT INTO roles (name, lead_create, lead_view, contact_create, contact_view) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
            params![name, lc, lv, cc, cv],
        )?;
    }
    for (login, name, role, admin) in DEMO_USERS {
        tx.execute(
            "INSERT INTO users (login, name, password_hash, role_id, is_admin, created_at)
             SELECT ?1, ?2, ?3, id, ?4, ?5 FROM roles WHERE name = ?6
             ON CONFLICT DO NOTHING",
            params![login, name, hash, admin, now, role],
        )?;
    }
    for (name, key) in [("Website", DEMO_WIDGET_KEY), ("Online shop", DEMO_SHOP_KEY)] {
        tx.execute(
            "INSERT INTO channels (kind, name, public_key, created_at) VALUES ('widget', ?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![name, key, now],
        )?;
    }
    Ok(())
}

const FIRST_NAMES: [&str; 16] = [
    "Olena",
    "Taras",
    "Iryna",
    "Mykola",
    "Oksana",
    "Andrii",
    "Sofiia",
    "Dmytro",
    "Kateryna",
    "Yurii",
    "Natalia",
    "Bohdan",
    "Mariia",
    "Serhii",
    "Viktoriia",
    "Oleksandr",
];
const LAST_NAMES: [&str; 12] = [
    "Shevchenko",
    "Kovalenko",
    "Bondarenko",
    "Tkachenko",
    "Kravchenko",
    "Oliinyk",
    "Melnyk",
    "Boiko",
    "Moroz",
    "Lysenko",
    "Savchenko",
    "Rudenko",
];
const QUESTIONS: [&str; 8] = [
    "Hello! Do you deliver to Lviv?",
    "What is the price of the large terracotta pot?",
    "Can I change the delivery address for my order?",
    "Is the lavender seedling still in stock?",
    "My order arrived damaged, what should I do?",
    "Do you have a discount for wholesale orders?",
    "When will the spring catalogue be available?",
    "Can I pay on delivery?",
];
const PRODUCTS: [&str; 8] = [
    "terracotta pot",
    "lavender seedling",
    "garden hose",
    "rose bush",
    "clay planter",
    "watering can",
    "seed set",
    "pruning shears",
];
const CITIES: [&str; 8] = ["Lviv", "Kyiv", "Odesa", "Kharkiv", "Dnipro", "Vinnytsia", "Poltava", "Chernihiv"];

/// A demo conversation (`true`: the client speaks): a waiting client's first words, or
/// an exchange with an operator of 16 to 28 messages, varied by `n`.
fn conversation(n: usize, answered: bool) -> Vec<(bool, String)> {
    let pick = |i: usize, len: usize| (n.wrapping_mul(2_654_435_761).wrapping_add(i.wrapping_mul(40_503)) >> 7) % len;
    let (product, city) = (PRODUCTS[pick(1, PRODUCTS.len())], CITIES[pick(2, CITIES.len())]);
    let order = 10_000 + (n * 7_919) % 90_000;
    let client = [
        QUESTIONS[n % QUESTIONS.len()].to_string(),
        format!("My order number is {order}."),
        format!("How much is delivery to {city}?"),
        format!("I would like {} of the {product}.", 2 + pick(3, 5)),
        format!("Is the {product} frost-resistant?"),
        "Can I pick it up myself?".to_string(),
        "Thank you, that helps a lot!".to_string(),
    ];
    if !answered {
        return (0..1 + pick(4, 4)).map(|i| (true, client[(i * 3) % client.len()].clone())).collect();
    }
    let operator = [
        ANSWERS[n % ANSWERS.len()].to_string(),
        format!("The {product} costs {} UAH.", 150 + 25 * pick(5, 20)),
        format!("Delivery to {city} takes two or three days."),
        format!("Your order {order} is packed and leaves today."),
        format!("We have {} of the {product} in stock.", 3 + pick(6, 30)),
        "Nova Poshta or a courier, which do you prefer?".to_string(),
        "You are welcome! Write to us any time.".to_string(),
    ];
    (0..16 + 2 * pick(7, 7))
        .map(|i| {
            if i % 2 == 0 {
                (true, client[(i / 2) % client.len()].clone())
            } else {
                (false, operator[(i / 2) % operator.len()].clone())
            }
        })
        .collect()
}

const ANSWERS: [&str; 4] = [
    "Good afternoon! Let me check that for you.",
    "Yes, of course. Could you tell me your order number?",
    "Thank you for waiting, it is on its way.",
    "We will get back to you within the hour.",
];

/// Adds demo dialogs until `wanted` exist (a mix of Unassigned, Active and ended ones,
/// over the last 30 days, on the demo website channel). Needs the demo data. Returns
/// how many were added.
pub async fn load_dialogs(db: &Db, wanted: u32) -> AppResult<u32> {
    db.transaction(move |tx| {
        let have: u32 = tx
            .query_row("SELECT value FROM meta WHERE key = 'demo_dialogs'", [], |r| r.get::<_, String>(0))
            .optional()?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        if have >= wanted {
            return Ok(0);
        }
        let channel: i64 = tx
            .query_row("SELECT id FROM channels WHERE public_key = ?1", [DEMO_WIDGET_KEY], |r| r.get(0))
            .optional()?
            .ok_or_else(|| crate::error::AppError::BadRequest("--demo-dialogs needs --demo".into()))?;
        let operators: Vec<i64> = {
            let mut stmt = tx.prepare_cached("SELECT id FROM users WHERE login IN ('anna', 'bob') ORDER BY login")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let now = now_ms();
        for i in have..wanted {
            let n = i as usize;
            let name = format!("{} {}", FIRST_NAMES[n % FIRST_NAMES.len()], LAST_NAMES[(n / FIRST_NAMES.len()) % LAST_NAMES.len()]);
            // Spread over 30 days, newest first for low numbers.
            let at = now - (i as i64 * 2_592_000_000 / wanted.max(1) as i64) - 60_000;
            tx.execute("INSERT INTO clients (name, created_at) VALUES (?1, ?2)", params![name, at])?;
            let client = tx.last_insert_rowid()?;
            tx.execute(
                "INSERT INTO client_accounts (client_id, channel_id, external_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![client, channel, format!("demo-{i}"), at],
            )?;
            let account = tx.last_insert_rowid()?;
            let (state, operator) = match i % 20 {
                0..=11 => ("unassigned", None),
                12..=16 => ("active", operators.get(n % operators.len().max(1)).copied()),
                _ => ("ended", operators.get(n % operators.len().max(1)).copied()),
            };
            tx.execute(
                "INSERT INTO dialogs (account_id, state, created_at, last_activity_at) VALUES (?1, ?2, ?3, ?3)",
                params![account, state, at],
            )?;
            let dialog = tx.last_insert_rowid()?;
            if let Some(op) = operator {
                tx.execute("INSERT INTO dialog_members (dialog_id, user_id, since) VALUES (?1, ?2, ?3)", params![dialog, op, at])?;
                tx.execute("INSERT INTO dialog_participants (dialog_id, user_id) VALUES (?1, ?2)", params![dialog, op])?;
            }
            let lines = conversation(n, operator.is_some());
            let mut last = (0, at);
            for (j, (client, text)) in lines.iter().enumerate() {
                let sent = at + j as i64 * 45_000;
                let (kind, author) = if *client { ("client", None) } else { ("operator", operator) };
                tx.execute(
                    "INSERT INTO messages (dialog_id, author_kind, author_user_id, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![dialog, kind, author, text, sent],
                )?;
                last = (tx.last_insert_rowid()?, sent);
            }
            tx.execute(
                "UPDATE dialogs SET last_message_id = ?1, last_activity_at = ?2, people_count = ?3 WHERE id = ?4",
                params![last.0, last.1, lines.len(), dialog],
            )?;
            if let Some(op) = operator {
                // The operator has read the conversation up to its end.
                tx.execute(
                    "INSERT INTO dialog_reads (user_id, dialog_id, last_read_message_id, read_count) VALUES (?1, ?2, ?3, ?4)",
                    params![op, dialog, last.0, lines.len()],
                )?;
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('demo_dialogs', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [wanted.to_string()],
        )?;
        Ok(wanted - have)
    })
    .await
}
