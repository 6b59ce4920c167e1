-- Dialogs an operator renamed, found by any part of that name (case folded), as
-- clients are found by theirs.
CREATE VIRTUAL TABLE dialog_names USING fts5(name, tokenize = 'trigram');
INSERT INTO dialog_names (rowid, name) SELECT id, name FROM dialogs WHERE name IS NOT NULL;
CREATE TRIGGER dialog_names_set AFTER UPDATE OF name ON dialogs WHEN old.name IS NOT new.name BEGIN
    DELETE FROM dialog_names WHERE rowid = old.id;
    INSERT INTO dialog_names (rowid, name) SELECT new.id, new.name WHERE new.name IS NOT NULL;
END;
