-- Roles carry CRM permissions; users have one role.
CREATE TABLE roles (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    lead_create    INTEGER NOT NULL CHECK (lead_create IN (0, 1)),
    lead_view      TEXT NOT NULL CHECK (lead_view IN ('all', 'own', 'none')),
    contact_create INTEGER NOT NULL CHECK (contact_create IN (0, 1)),
    contact_view   TEXT NOT NULL CHECK (contact_view IN ('all', 'own', 'none'))
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role_id       INTEGER NOT NULL REFERENCES roles(id),
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    created_at    INTEGER NOT NULL
);

-- Sign-in sessions; only a hash of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- A connected messenger bot or website widget.
CREATE TABLE channels (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('widget', 'telegram', 'viber', 'whatsapp')),
    name       TEXT NOT NULL,
    public_key TEXT UNIQUE,
    created_at INTEGER NOT NULL
);

-- An end customer; one person may write from several channels.
CREATE TABLE clients (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- The client's identity on one channel (Telegram user id, widget visitor id...).
CREATE TABLE client_accounts (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id),
    channel_id  INTEGER NOT NULL REFERENCES channels(id),
    external_id TEXT NOT NULL,
    token_hash  TEXT UNIQUE,
    created_at  INTEGER NOT NULL,
    UNIQUE (channel_id, external_id)
);

CREATE TABLE dialogs (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES client_accounts(id),
    name             TEXT,
    state            TEXT NOT NULL CHECK (state IN ('unassigned', 'active', 'ended')),
    created_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    last_message_id  INTEGER
);
CREATE INDEX dialogs_state_activity ON dialogs(state, last_activity_at DESC);
CREATE INDEX dialogs_account ON dialogs(account_id, id DESC);

-- Users responsible for a dialog now.
CREATE TABLE dialog_members (
    dialog_id INTEGER NOT NULL REFERENCES dialogs(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    since     INTEGER NOT NULL,
    PRIMARY KEY (dialog_id, user_id)
) WITHOUT ROWID;
CREATE INDEX dialog_members_user ON dialog_members(user_id);

-- Users who ever worked on a dialog (its Inactive tab audience).
CREATE TABLE dialog_participants (
    dialog_id INTEGER NOT NULL REFERENCES dialogs(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (dialog_id, user_id)
) WITHOUT ROWID;
CREATE INDEX dialog_participants_user ON dialog_participants(user_id);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    dialog_id      INTEGER NOT NULL REFERENCES dialogs(id),
    author_kind    TEXT NOT NULL CHECK (author_kind IN ('client', 'operator', 'system')),
    author_user_id INTEGER REFERENCES users(id),
    body           TEXT NOT NULL,
    client_msg_id  TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX messages_dialog ON messages(dialog_id, id);
-- A sender's idempotency key stores one message, however often it is retried.
CREATE UNIQUE INDEX messages_idempotency ON messages(dialog_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;

-- The global event log that sockets replay and stream.
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    payload    TEXT NOT NULL
);

-- Small facts about the installation (e.g. demo data loaded).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
