-- Search. Words of what people wrote (clients, operators, private notes; system notes
-- are not searched), kept in step with `messages` by triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (rowid, body) SELECT id, body FROM messages WHERE author_kind != 'system';
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.author_kind != 'system' BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages WHEN new.author_kind != 'system' BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.author_kind != 'system' BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;

-- A client's accounts, found from the client (search, and the rows below).
CREATE INDEX client_accounts_client ON client_accounts(client_id);

-- Clients by any part of their name or of a messenger account (@login, id), case
-- folded: one row per client, rebuilt whenever the client or one of its accounts changes.
CREATE VIRTUAL TABLE client_search USING fts5(name, accounts, tokenize = 'trigram');
CREATE VIEW client_search_rows AS
SELECT c.id AS client_id, c.name AS name,
       COALESCE((SELECT group_concat(TRIM(COALESCE(a.display_name, '') || ' '
                    || CASE WHEN ch.kind = 'widget' THEN '' ELSE a.external_id END), ' ')
                 FROM client_accounts a JOIN channels ch ON ch.id = a.channel_id
                 WHERE a.client_id = c.id), '') AS accounts
FROM clients c;
INSERT INTO client_search (rowid, name, accounts) SELECT client_id, name, accounts FROM client_search_rows;
CREATE TRIGGER client_search_new AFTER INSERT ON clients BEGIN
    INSERT INTO client_search (rowid, name, accounts)
        SELECT client_id, name, accounts FROM client_search_rows WHERE client_id = new.id;
END;
CREATE TRIGGER client_search_renamed AFTER UPDATE OF name ON clients WHEN old.name IS NOT new.name BEGIN
    DELETE FROM client_search WHERE rowid = new.id;
    INSERT INTO client_search (rowid, name, accounts)
        SELECT client_id, name, accounts FROM client_search_rows WHERE client_id = new.id;
END;
CREATE TRIGGER client_search_gone AFTER DELETE ON clients BEGIN
    DELETE FROM client_search WHERE rowid = old.id;
END;
CREATE TRIGGER client_search_account AFTER INSERT ON client_accounts BEGIN
    DELETE FROM client_search WHERE rowid = new.client_id;
    INSERT INTO client_search (rowid, name, accounts)
        SELECT client_id, name, accounts FROM client_search_rows WHERE client_id = new.client_id;
END;
CREATE TRIGGER client_search_account_shown AFTER UPDATE OF display_name ON client_accounts
    WHEN old.display_name IS NOT new.display_name BEGIN
    DELETE FROM client_search WHERE rowid = new.client_id;
    INSERT INTO client_search (rowid, name, accounts)
        SELECT client_id, name, accounts FROM client_search_rows WHERE client_id = new.client_id;
END;
