-- "Is typing" signals pass through here to the other instances on the same database
-- (the instance that received one tells its own sockets directly). Kept for seconds.
CREATE TABLE typing_signals (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    instance   TEXT NOT NULL,
    dialog_id  INTEGER NOT NULL,
    client_id  INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    user_id    INTEGER,
    name       TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX typing_signals_by_age ON typing_signals (at);
