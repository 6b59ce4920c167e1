-- Pending uploads are counted per sender before each new one.
CREATE INDEX uploads_user ON uploads(user_id);
CREATE INDEX uploads_account ON uploads(account_id);
