-- The newest message of a dialog its client has seen (the website widget reports it).
ALTER TABLE dialogs ADD COLUMN client_read_id INTEGER REFERENCES messages(id);
