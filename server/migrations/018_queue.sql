-- The queue. A channel's new dialogs reach every operator at once (as before) or are
-- offered in turn: to one available operator at a time for `offer_seconds`, then to
-- the next.
ALTER TABLE channels ADD COLUMN routing TEXT NOT NULL DEFAULT 'everyone' CHECK (routing IN ('everyone', 'in_turn'));
ALTER TABLE channels ADD COLUMN offer_seconds INTEGER NOT NULL DEFAULT 60 CHECK (offer_seconds BETWEEN 10 AND 600);

-- Operators set themselves Online or Away; `online_until` is kept in the future while
-- they have the app open on some server instance (refreshed by a heartbeat, so an
-- instance that dies lets it lapse); `max_active` bounds their active dialogs and
-- offers (NULL: no maximum); `last_offer_at` makes "in turn" go round.
ALTER TABLE users ADD COLUMN presence TEXT NOT NULL DEFAULT 'online' CHECK (presence IN ('online', 'away'));
ALTER TABLE users ADD COLUMN online_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN max_active INTEGER CHECK (max_active IS NULL OR max_active BETWEEN 1 AND 100);
ALTER TABLE users ADD COLUMN last_offer_at INTEGER NOT NULL DEFAULT 0;

-- The operator an Unassigned dialog is offered to now, and until when.
ALTER TABLE dialogs ADD COLUMN offered_to INTEGER REFERENCES users(id);
ALTER TABLE dialogs ADD COLUMN offered_until INTEGER;
CREATE INDEX dialogs_offered ON dialogs(offered_to) WHERE offered_to IS NOT NULL;

-- Who has had a waiting dialog offered in this round (it goes to the others first).
CREATE TABLE dialog_offer_tries (
    dialog_id INTEGER NOT NULL REFERENCES dialogs(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (dialog_id, user_id)
) WITHOUT ROWID;
