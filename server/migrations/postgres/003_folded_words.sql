-- Words are found without their accents ("cafe" finds "café"), as SQLite's FTS5 index
-- (remove_diacritics 2) finds them. unaccent() is only STABLE, since its dictionary
-- could change; el_fold names the dictionary, which lets an index use it.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE FUNCTION el_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
DROP INDEX messages_words;
CREATE INDEX messages_words ON messages USING gin (to_tsvector('simple', el_fold(body)))
    WHERE author_kind != 'system';
