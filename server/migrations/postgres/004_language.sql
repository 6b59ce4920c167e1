-- Each user's language for the app: as the browser says (the default), English or Ukrainian.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'browser' CHECK (language IN ('browser', 'en', 'uk'));
