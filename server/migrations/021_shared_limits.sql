-- What several server instances on one database must count together.

-- Failed sign-ins per address and login, and per address: every instance checks and
-- counts them here, so a second instance is no way around the waits.
CREATE TABLE sign_in_failures (
    key      TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last_at);

-- Bumped in every transaction that changes users' rights or ends a session: each
-- instance's feed sees it change and its sockets re-read their readers' rights.
INSERT INTO meta (key, value) VALUES ('rights_version', '0');
