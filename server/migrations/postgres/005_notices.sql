-- A system note as data (JSON of el_protocol::notices::Notice), so each app words it in
-- its reader's language; `body` keeps the English text. Older notes have none.
ALTER TABLE messages ADD COLUMN notice TEXT;
