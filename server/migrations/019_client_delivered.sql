-- The newest operator's answer the client's widget has received (shown "Delivered"
-- until it is seen; `client_read_id` says how far they have seen).
ALTER TABLE dialogs ADD COLUMN client_delivered_id INTEGER;
