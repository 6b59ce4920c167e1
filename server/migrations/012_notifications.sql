-- Per-user notification preferences: browser notifications and a sound for new
-- client messages and new Unassigned dialogs (both on until the user turns them off).
ALTER TABLE users ADD COLUMN notify_desktop INTEGER NOT NULL DEFAULT 1 CHECK (notify_desktop IN (0, 1));
ALTER TABLE users ADD COLUMN notify_sound INTEGER NOT NULL DEFAULT 1 CHECK (notify_sound IN (0, 1));
